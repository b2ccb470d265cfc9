// The explorer: filter form, search, network view, map, details panel and dashboard, all
// over the hub's public GraphQL API.

import { ApiError, NODE_LABEL, gql, kindOf, labelOf } from "./api.js";
import { barChart, round } from "./charts.js";
import { MapView } from "./map.js";
import { KIND_COLORS, NetworkView } from "./network.js";

const $ = (id) => document.getElementById(id);
const KINDS = ["RESERVE", "INSTITUTION", "PROJECT", "PERSON", "THEME", "NETWORK"];
const KIND_NAMES = { RESERVE: "Reserves", INSTITUTION: "Institutions", PROJECT: "Projects", PERSON: "People", THEME: "Themes", NETWORK: "Networks" };
const MAX_RESERVE_PAGES = 50;

// What tests and the curious can read: timings and the current state.
const explorer = (window.__explorer = { ready: false, timings: {}, nodes: 0, pathFrom: null, selected: null });
explorer.cy = () => network.cy;
const t0 = performance.now();

// --- messages ----------------------------------------------------------------------------------
function say(text, kind = "info") {
  const box = $("message");
  box.textContent = text;
  box.className = `message ${kind}`;
  box.hidden = false;
}
function unsay() {
  $("message").hidden = true;
  $("message").textContent = "";
}
function fail(what, err) {
  const text = err instanceof ApiError || err instanceof Error ? err.message : String(err);
  say(`${what} failed: ${text}`, "error");
}

// --- filter form -------------------------------------------------------------------------------
function fillSelect(select, options) {
  select.replaceChildren(
    ...options.map(([value, text]) => {
      const option = document.createElement("option");
      option.value = value;
      option.textContent = text;
      return option;
    }),
  );
}

function buildKinds() {
  const box = $("f-kinds");
  for (const kind of KINDS) {
    const label = document.createElement("label");
    const input = document.createElement("input");
    input.type = "checkbox";
    input.name = "kinds";
    input.value = kind;
    input.checked = true;
    input.defaultChecked = true;
    const swatch = document.createElement("span");
    swatch.className = "swatch";
    swatch.style.background = KIND_COLORS[kind];
    label.append(input, swatch, KIND_NAMES[kind]);
    box.append(label);
  }
  $("legend").replaceChildren(
    ...KINDS.map((kind) => {
      const span = document.createElement("span");
      span.innerHTML = `<span class="swatch" style="background:${KIND_COLORS[kind]}"></span>`;
      span.append(KIND_NAMES[kind]);
      return span;
    }),
  );
}

function selected(select) {
  return [...select.selectedOptions].map((o) => o.value);
}

function currentFilter() {
  const filter = {};
  const themes = selected($("f-themes"));
  const countries = selected($("f-countries"));
  const networks = selected($("f-networks"));
  const kinds = [...document.querySelectorAll('input[name="kinds"]:checked')].map((i) => i.value);
  if (themes.length) filter.themes = themes;
  if (countries.length) filter.countries = countries;
  if (networks.length) filter.networks = networks;
  if (kinds.length && kinds.length < KINDS.length) filter.kinds = kinds;
  const since = $("f-since").value.trim();
  if (since) filter.since = Number(since);
  return filter;
}

function currentLimit() {
  const value = Number($("f-limit").value);
  return Number.isInteger(value) && value > 0 ? value : 1000;
}

async function loadOptions() {
  const data = await gql(`query ExplorerOptions {
    themes(first: 100) { nodes { id label } }
    networks(first: 100) { nodes { id name } }
  }`);
  fillSelect($("f-themes"), data.themes.nodes.map((t) => [t.id, t.label]));
  fillSelect($("f-networks"), data.networks.nodes.map((n) => [n.id, n.name]));
}

// All reserves with their points (a few pages): the map and the country list.
let reservesPromise = null;
function allReserves() {
  reservesPromise ??= (async () => {
    const reserves = [];
    let after = null;
    for (let page = 0; page < MAX_RESERVE_PAGES; page += 1) {
      const data = await gql(
        `query ExplorerReserves($after: String) {
          reserves(first: 100, after: $after) {
            nodes { id name country latitude longitude }
            pageInfo { hasNextPage endCursor }
          }
        }`,
        { after },
      );
      reserves.push(...data.reserves.nodes);
      if (!data.reserves.pageInfo.hasNextPage) break;
      after = data.reserves.pageInfo.endCursor;
    }
    return reserves;
  })();
  return reservesPromise;
}

async function loadCountries() {
  const reserves = await allReserves();
  const countries = [...new Set(reserves.map((r) => r.country).filter(Boolean))].sort();
  fillSelect($("f-countries"), countries.map((c) => [c, c]));
}

// --- network -----------------------------------------------------------------------------------
const network = new NetworkView($("cy"), { onSelect: (id, { shift }) => choose(id, { shift }) });
let drawn = { nodes: [], relationships: [] };

async function loadNetwork() {
  const filter = currentFilter();
  const started = performance.now();
  $("summary").textContent = "Loading…";
  const data = await gql(
    `query ExplorerNetwork($filter: GraphFilter, $limit: Int) {
      network(filter: $filter, limit: $limit) {
        nodes { id kind label degree }
        relationships { source target kind weight }
        totalNodes totalRelationships truncated
      }
    }`,
    { filter, limit: currentLimit() },
  );
  const fetched = performance.now();
  const net = data.network;
  drawn = net;
  network.setGraph(net.nodes, net.relationships);
  explorer.nodes = net.nodes.length;
  explorer.timings.networkFetchMs = Math.round(fetched - started);
  explorer.timings.networkDrawMs = Math.round(performance.now() - fetched);
  const shown = `${net.nodes.length} of ${net.totalNodes} nodes, ${net.relationships.length} of ${net.totalRelationships} relationships`;
  const notes = [];
  if (net.truncated) notes.push("truncated: raise “Most nodes drawn” or narrow the filter");
  if (network.large) notes.push("relationships are drawn for the selected node only at this size");
  $("summary").textContent = notes.length ? `${shown} (${notes.join("; ")})` : shown;
  if (!net.nodes.length) {
    say("No nodes match this filter. Widen it (fewer themes, countries or networks, an earlier year) and apply again.", "info");
  } else {
    unsay();
  }
  refreshMap();
}

// --- search ------------------------------------------------------------------------------------
let searchToken = 0;
async function runSearch(text) {
  const list = $("search-results");
  const token = ++searchToken;
  if (!text.trim()) {
    list.hidden = true;
    return;
  }
  try {
    const data = await gql(
      `query ExplorerSearch($text: String!) {
        search(text: $text, first: 10) { totalCount edges { score node { ...NodeLabel } } }
      }
      ${NODE_LABEL}`,
      { text },
    );
    if (token !== searchToken) return;
    const items = data.search.edges.map(({ node }) => {
      const li = document.createElement("li");
      li.setAttribute("role", "option");
      li.dataset.id = node.id;
      li.innerHTML = `<span class="swatch" style="background:${KIND_COLORS[kindOf(node.id)] || "#555"}"></span>`;
      li.append(`${labelOf(node)} `);
      const kind = document.createElement("span");
      kind.className = "muted";
      kind.textContent = node.__typename;
      li.append(kind);
      li.addEventListener("click", () => pick(node.id));
      return li;
    });
    if (!items.length) {
      const li = document.createElement("li");
      li.className = "empty";
      li.textContent = `Nothing found for “${text}”.`;
      items.push(li);
    }
    list.replaceChildren(...items);
    list.hidden = false;
  } catch (err) {
    fail("Search", err);
  }
}

function pick(id) {
  $("search-results").hidden = true;
  showTab("network");
  choose(id, {});
}

function wireSearch() {
  const input = $("search-text");
  let timer = null;
  input.addEventListener("input", () => {
    clearTimeout(timer);
    timer = setTimeout(() => runSearch(input.value), 200);
  });
  $("search-form").addEventListener("submit", async (event) => {
    event.preventDefault();
    await runSearch(input.value);
    const first = $("search-results").querySelector("li[data-id]");
    if (first) pick(first.dataset.id);
  });
  input.addEventListener("keydown", (event) => {
    const options = [...$("search-results").querySelectorAll("li[data-id]")];
    if (!options.length || $("search-results").hidden) return;
    const at = options.findIndex((o) => o.getAttribute("aria-selected") === "true");
    if (event.key === "ArrowDown" || event.key === "ArrowUp") {
      event.preventDefault();
      const next = (at + (event.key === "ArrowDown" ? 1 : -1) + options.length) % options.length;
      options.forEach((o, i) => o.setAttribute("aria-selected", String(i === next)));
    } else if (event.key === "Enter" && at >= 0) {
      event.preventDefault();
      pick(options[at].dataset.id);
    } else if (event.key === "Escape") {
      $("search-results").hidden = true;
    }
  });
}

// --- details -----------------------------------------------------------------------------------
const NEIGHBOURS = 8;
const DETAILS = `query ExplorerNode($id: ID!, $n: Int) {
  node(id: $id) {
    ...NodeLabel
    ... on Reserve {
      reserveCountry: country designationYear latitude longitude areaKm2 maxElevationM
      projects(first: $n) { totalCount nodes { ...NodeLabel } }
      themes(first: $n) { totalCount nodes { ...NodeLabel } }
      institutions(first: $n) { totalCount nodes { ...NodeLabel } }
      people(first: $n) { totalCount nodes { ...NodeLabel } }
      networks(first: $n) { totalCount nodes { ...NodeLabel } }
    }
    ... on Institution {
      country kind url
      people(first: $n) { totalCount nodes { ...NodeLabel } }
      projects(first: $n) { totalCount nodes { ...NodeLabel } }
      reserves(first: $n) { totalCount nodes { ...NodeLabel } }
      networks(first: $n) { totalCount nodes { ...NodeLabel } }
    }
    ... on Project {
      description startYear endYear synthetic
      participants(first: $n) { totalCount nodes { ...NodeLabel } }
      institutions(first: $n) { totalCount nodes { ...NodeLabel } }
      reserves(first: $n) { totalCount nodes { ...NodeLabel } }
      themes(first: $n) { totalCount nodes { ...NodeLabel } }
    }
    ... on Person {
      country synthetic
      institutions(first: $n) { totalCount nodes { ...NodeLabel } }
      projects(first: $n) { totalCount nodes { ...NodeLabel } }
      reserves(first: $n) { totalCount nodes { ...NodeLabel } }
    }
    ... on Theme {
      definition sdgGoals
      projects(first: $n) { totalCount nodes { ...NodeLabel } }
      reserves(first: $n) { totalCount nodes { ...NodeLabel } }
    }
    ... on Network {
      description founded
      reserves(first: $n) { totalCount nodes { ...NodeLabel } }
      institutions(first: $n) { totalCount nodes { ...NodeLabel } }
    }
  }
}
${NODE_LABEL}`;

const FACTS = {
  country: "Country", reserveCountry: "Country", designationYear: "Designated", latitude: "Latitude", longitude: "Longitude",
  areaKm2: "Area (km²)", maxElevationM: "Highest point (m)", kind: "Kind", url: "Web",
  description: "Description", startYear: "Start", endYear: "End", synthetic: "Synthetic (demo)",
  definition: "Definition", sdgGoals: "SDGs", founded: "Founded",
};
const RELATIONS = {
  projects: "Projects", participants: "Participants", themes: "Themes", institutions: "Institutions",
  people: "People", reserves: "Reserves", networks: "Networks",
};

async function choose(id, { shift = false } = {}) {
  if (shift && explorer.selected && explorer.selected !== id) {
    await findPath(explorer.selected, id);
    return;
  }
  if (explorer.pathFrom && explorer.pathFrom !== id && !shift && pendingTo) {
    pendingTo = false;
    await findPath(explorer.pathFrom, id);
    return;
  }
  explorer.selected = id;
  network.select(id);
  await showDetails(id);
}

let pendingTo = false;

async function showDetails(id) {
  const box = $("details");
  box.setAttribute("aria-busy", "true");
  try {
    const data = await gql(DETAILS, { id, n: NEIGHBOURS });
    const node = data.node;
    box.replaceChildren(renderDetails(node));
  } catch (err) {
    box.replaceChildren(paragraph(`Could not load ${id}.`));
    fail("Loading the details", err);
  } finally {
    box.removeAttribute("aria-busy");
  }
}

function paragraph(text, className = "hint") {
  const p = document.createElement("p");
  p.className = className;
  p.textContent = text;
  return p;
}

function renderDetails(node) {
  const frag = document.createDocumentFragment();
  const kind = document.createElement("div");
  kind.className = "kind";
  kind.innerHTML = `<span class="swatch" style="background:${KIND_COLORS[kindOf(node.id)] || "#555"}"></span>`;
  kind.append(node.__typename);
  const title = document.createElement("h3");
  title.id = "details-name";
  title.textContent = labelOf(node);
  const idLine = paragraph(node.id, "muted");
  frag.append(kind, title, idLine);

  const actions = document.createElement("div");
  actions.className = "actions";
  const from = button("Path from here", () => {
    explorer.pathFrom = node.id;
    pendingTo = true;
    network.markEndpoint(node.id);
    say(`Path from “${labelOf(node)}”: now click (or search) the node to reach.`, "info");
  });
  from.id = "path-from";
  const to = button("Path to here", () => {
    if (!explorer.pathFrom) {
      say("Choose a start first: “Path from here” on another node.", "info");
      return;
    }
    findPath(explorer.pathFrom, node.id);
  });
  to.id = "path-to";
  actions.append(from, to);
  if (!network.has(node.id)) actions.append(paragraph("Not in the current drawing (filter or limit).", "muted"));
  frag.append(actions);

  const dl = document.createElement("dl");
  for (const [key, name] of Object.entries(FACTS)) {
    const value = node[key];
    if (value === null || value === undefined || value === "" || (Array.isArray(value) && !value.length)) continue;
    const dt = document.createElement("dt");
    dt.textContent = name;
    const dd = document.createElement("dd");
    dd.textContent = Array.isArray(value) ? value.join(", ") : typeof value === "number" ? String(round(value)) : String(value);
    dl.append(dt, dd);
  }
  frag.append(dl);

  for (const [key, name] of Object.entries(RELATIONS)) {
    const rel = node[key];
    if (!rel || typeof rel !== "object" || !("totalCount" in rel)) continue;
    const h = document.createElement("h4");
    h.textContent = `${name} (${rel.totalCount})`;
    frag.append(h);
    if (!rel.nodes.length) {
      frag.append(paragraph("none", "muted"));
      continue;
    }
    const ul = document.createElement("ul");
    for (const n of rel.nodes) {
      const li = document.createElement("li");
      li.append(button(labelOf(n), () => choose(n.id, {})));
      ul.append(li);
    }
    if (rel.totalCount > rel.nodes.length) {
      const li = document.createElement("li");
      li.className = "muted";
      li.textContent = `and ${rel.totalCount - rel.nodes.length} more`;
      ul.append(li);
    }
    frag.append(ul);
  }
  return frag;
}

function button(text, onClick) {
  const b = document.createElement("button");
  b.type = "button";
  b.textContent = text;
  b.addEventListener("click", onClick);
  return b;
}

// --- connection --------------------------------------------------------------------------------
async function findPath(from, to) {
  explorer.pathFrom = null;
  pendingTo = false;
  const bar = $("path-bar");
  try {
    const data = await gql(
      `query ExplorerConnection($from: ID!, $to: ID!) {
        connection(from: $from, to: $to, maxHops: 6, first: 1) {
          length
          nodes { ...NodeLabel }
        }
      }
      ${NODE_LABEL}`,
      { from, to },
    );
    const paths = data.connection;
    showTab("network");
    if (!paths.length) {
      network.clearHighlight();
      bar.hidden = false;
      bar.textContent = `No connection within 6 steps between ${from} and ${to}.`;
      say(`No connection within 6 steps between ${from} and ${to}.`, "info");
      explorer.path = [];
      return;
    }
    const path = paths[0];
    const nodes = path.nodes.map((n) => ({ id: n.id, label: labelOf(n), kind: kindOf(n.id) }));
    network.highlightPath({ nodes });
    explorer.path = nodes.map((n) => n.id);
    bar.hidden = false;
    bar.textContent = `Connection in ${path.length} step${path.length === 1 ? "" : "s"}: ${nodes.map((n) => n.label).join(" → ")}`;
    unsay();
  } catch (err) {
    fail("Finding the connection", err);
  }
}

// --- map ---------------------------------------------------------------------------------------
const mapView = new MapView($("map"), { onSelect: (id) => choose(id, {}) });
async function refreshMap() {
  if (!mapView.map) return;
  const reserves = await allReserves();
  const inDrawing = new Set(drawn.nodes.filter((n) => n.kind === "RESERVE").map((n) => n.id));
  const filtered = Object.keys(currentFilter()).length > 0;
  mapView.show(reserves, filtered ? inDrawing : new Set());
}

// --- dashboard ---------------------------------------------------------------------------------
const STATS = `query ExplorerStats($filter: GraphFilter) {
  stats(filter: $filter) {
    counts { kind count }
    projectsPerTheme { key label count }
    peoplePerTheme { key label count }
    projectsPerCountry { key count }
    peoplePerCountry { key count }
    projectsPerYear { key count }
    topInstitutions { count node { id name } }
    topReserves { count node { id name } }
    collaborationDensity
    isolatedReserves(first: 10) { totalCount nodes { id name } }
    isolatedInstitutions(first: 10) { totalCount nodes { id name } }
  }
}`;

const bars = (list) => list.map((d) => ({ label: d.label || d.key, value: d.count }));
const tops = (list) => list.map((d) => ({ label: d.node.name, value: d.count }));

function figure(name, value) {
  const div = document.createElement("div");
  div.className = "figure";
  const v = document.createElement("div");
  v.className = "value";
  v.textContent = typeof value === "number" ? String(round(value)) : String(value);
  const n = document.createElement("div");
  n.className = "name";
  n.textContent = name;
  div.append(v, n);
  return div;
}

function nameList(title, connection) {
  const box = document.createElement("figure");
  box.className = "chart";
  const h = document.createElement("h3");
  h.textContent = `${title} (${connection.totalCount})`;
  box.append(h);
  if (!connection.nodes.length) {
    box.append(paragraph("None.", "muted"));
    return box;
  }
  const ul = document.createElement("ul");
  for (const n of connection.nodes) {
    const li = document.createElement("li");
    li.append(button(n.name, () => choose(n.id, {})));
    ul.append(li);
  }
  box.append(ul);
  return box;
}

async function loadDashboard() {
  try {
    const { stats } = await gql(STATS, { filter: currentFilter() });
    $("figures").replaceChildren(
      ...stats.counts.map((c) => figure(KIND_NAMES[c.kind] || c.kind, c.count)),
      figure("Collaboration density", stats.collaborationDensity),
    );
    const years = bars(stats.projectsPerYear).sort((a, b) => (a.label < b.label ? -1 : 1));
    $("charts").replaceChildren(
      barChart("Projects per theme", bars(stats.projectsPerTheme), { color: KIND_COLORS.PROJECT }),
      barChart("People per theme", bars(stats.peoplePerTheme), { color: KIND_COLORS.PERSON }),
      barChart("Projects per country", bars(stats.projectsPerCountry), { color: KIND_COLORS.PROJECT }),
      barChart("People per country", bars(stats.peoplePerCountry), { color: KIND_COLORS.PERSON }),
      barChart("Projects per start year", years, { color: KIND_COLORS.PROJECT, max: 40 }),
      barChart("Institutions with most projects", tops(stats.topInstitutions), { color: KIND_COLORS.INSTITUTION }),
      barChart("Reserves with most projects", tops(stats.topReserves), { color: KIND_COLORS.RESERVE }),
      nameList("Reserves with no project", stats.isolatedReserves),
      nameList("Institutions in no project", stats.isolatedInstitutions),
    );
  } catch (err) {
    fail("Loading the dashboard", err);
  }
}

// --- tabs --------------------------------------------------------------------------------------
const TABS = ["network", "map", "dashboard"];
async function showTab(name) {
  for (const tab of TABS) {
    const on = tab === name;
    $(`tab-${tab}`).setAttribute("aria-selected", String(on));
    $(`tab-${tab}`).tabIndex = on ? 0 : -1;
    $(`view-${tab}`).hidden = !on;
  }
  if (name === "map") {
    try {
      await mapView.init();
      mapView.resize();
      await refreshMap();
    } catch (err) {
      fail("Loading the map", err);
    }
  } else if (name === "dashboard") {
    await loadDashboard();
  } else if (network.cy) {
    network.cy.resize();
  }
}

function wireTabs() {
  TABS.forEach((tab, i) => {
    const el = $(`tab-${tab}`);
    el.addEventListener("click", () => showTab(tab));
    el.addEventListener("keydown", (event) => {
      if (event.key !== "ArrowRight" && event.key !== "ArrowLeft") return;
      const next = TABS[(i + (event.key === "ArrowRight" ? 1 : TABS.length - 1)) % TABS.length];
      $(`tab-${next}`).focus();
      showTab(next);
    });
  });
}

// --- start -------------------------------------------------------------------------------------
async function apply(event) {
  if (event) event.preventDefault();
  $("apply").disabled = true;
  try {
    await loadNetwork();
    if (!$("view-dashboard").hidden) await loadDashboard();
  } catch (err) {
    $("summary").textContent = "";
    fail("Loading the network", err);
  } finally {
    $("apply").disabled = false;
  }
}

async function start() {
  const limit = new URLSearchParams(window.location.search).get("limit");
  if (limit) $("f-limit").value = limit;
  buildKinds();
  wireTabs();
  wireSearch();
  $("filter-form").addEventListener("submit", apply);
  $("filter-form").addEventListener("reset", () => setTimeout(apply, 0));
  const options = loadOptions().catch((err) => fail("Loading the filter choices", err));
  const countries = loadCountries().catch((err) => fail("Loading the countries", err));
  await apply();
  explorer.timings.interactiveMs = Math.round(performance.now() - t0);
  explorer.ready = true;
  document.body.dataset.ready = "true";
  await Promise.all([options, countries]);
}

start();
