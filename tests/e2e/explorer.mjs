#!/usr/bin/env node
// Drive the hub's explorer (/explore) and GraphiQL's example tabs in headless Chromium.
//
//   node tests/e2e/explorer.mjs full <hub url> <output dir>
//   node tests/e2e/explorer.mjs perf <hub url> <output dir> <limit>
//
// full: load the explorer, filter, filter to nothing, click a node, find a path between two
// nodes, search, open the map and the dashboard, then run the second example tab in GraphiQL.
// perf: load the explorer drawing up to <limit> nodes, measure time to interactive and how
// fast a click on a node is handled.
// Screenshots go to <output dir>/explore-*.png (and graphiql-example.png).
//
// Needs `npm ci` in web/ (playwright-core, which downloads no browser) and Chromium:
// $CHROMIUM_PATH or /usr/bin/chromium (Debian's `chromium` package).
//
// Prints one JSON line: {"ok", "steps": {...}, "timings": {...}, "external_requests",
// "console_errors", "error"}. Exit code 0 only when ok and no request left the machine.

import { openOfflinePage } from "./offline_browser.mjs";
import path from "node:path";


const TIMEOUT_MS = 20_000;

const report = { ok: false, steps: {}, timings: {}, external_requests: [], console_errors: [], error: null };

async function shot(page, dir, name) {
  const file = path.join(dir, name);
  await page.screenshot({ path: file, timeout: TIMEOUT_MS });
  (report.screenshots ??= []).push(name);
}

async function loadExplorer(page, base, query = "") {
  const t0 = Date.now();
  await page.goto(`${base}/explore${query}`, { waitUntil: "domcontentloaded", timeout: TIMEOUT_MS });
  await page.waitForSelector("body[data-ready='true']", { timeout: TIMEOUT_MS * 3 });
  report.timings.wall_ms_to_interactive = Date.now() - t0;
  Object.assign(report.timings, await page.evaluate(() => window.__explorer.timings));
  report.timings.drawn_nodes = await page.evaluate(() => window.__explorer.nodes);
}

// The on-screen position of a node (by id, or the best-connected one of a kind).
async function nodePoint(page, { id, kind }) {
  return page.evaluate(
    ({ id, kind }) => {
      const cy = window.__explorer.cy();
      let node = id ? cy.getElementById(id) : cy.nodes(`[kind = "${kind}"]`).max((n) => n.data("degree")).ele;
      if (!node || node.empty()) return null;
      cy.center(node);
      const box = cy.container().getBoundingClientRect();
      const p = node.renderedPosition();
      return { id: node.id(), x: box.left + p.x, y: box.top + p.y };
    },
    { id, kind },
  );
}

async function clickNode(page, target, modifiers = []) {
  const point = await nodePoint(page, target);
  if (!point) throw new Error(`no node ${JSON.stringify(target)} in the drawing`);
  await page.mouse.move(point.x, point.y);
  for (const key of modifiers) await page.keyboard.down(key);
  const t = Date.now();
  await page.mouse.click(point.x, point.y);
  for (const key of modifiers) await page.keyboard.up(key);
  return { ...point, t };
}

async function full(page, base, dir) {
  await loadExplorer(page, base);
  await shot(page, dir, "explore-network.png");
  report.steps.loaded = report.timings.drawn_nodes > 0;

  // A theme filter: fewer nodes, and the summary says how many.
  const before = report.timings.drawn_nodes;
  const theme = await page.$eval("#f-themes option", (o) => o.value);
  await page.selectOption("#f-themes", theme);
  await page.click("#apply");
  await page.waitForFunction((n) => window.__explorer.nodes !== n, before, { timeout: TIMEOUT_MS });
  report.steps.filtered_nodes = await page.evaluate(() => window.__explorer.nodes);
  report.steps.filter_summary = await page.textContent("#summary");
  await shot(page, dir, "explore-filtered.png");

  // A filter that matches nothing says so: only projects, starting in 2100 or later.
  for (const kind of ["RESERVE", "INSTITUTION", "PERSON", "THEME", "NETWORK"]) {
    await page.uncheck(`input[name="kinds"][value="${kind}"]`);
  }
  await page.fill("#f-since", "2100");
  await page.keyboard.press("Enter");
  await page.waitForSelector("#message:not([hidden])", { timeout: TIMEOUT_MS });
  report.steps.empty_message = await page.textContent("#message");
  await shot(page, dir, "explore-empty.png");

  // Back to everything (keyboard: the reset button).
  await page.focus("#reset");
  await page.keyboard.press("Enter");
  await page.waitForFunction((n) => window.__explorer.nodes === n, before, { timeout: TIMEOUT_MS });

  // Click a reserve: its details and neighbours.
  const reserve = await clickNode(page, { kind: "RESERVE" });
  await page.waitForFunction((id) => document.querySelector("#details .muted")?.textContent === id, reserve.id, {
    timeout: TIMEOUT_MS,
  });
  report.timings.click_to_details_ms = Date.now() - reserve.t;
  report.steps.details_name = await page.textContent("#details-name");
  report.steps.details_sections = await page.$$eval("#details h4", (hs) => hs.map((h) => h.textContent));
  await shot(page, dir, "explore-details.png");

  // Path: "Path from here" on the reserve, then shift-click a person.
  await page.click("#path-from");
  const person = await clickNode(page, { kind: "PERSON" });
  await page.waitForFunction(() => (window.__explorer.path || []).length > 0, null, { timeout: TIMEOUT_MS });
  report.timings.path_ms = Date.now() - person.t;
  report.steps.path = await page.evaluate(() => window.__explorer.path);
  report.steps.path_edges_highlighted = await page.evaluate(() => window.__explorer.cy().edges(".path").length);
  report.steps.path_bar = await page.textContent("#path-bar");
  await shot(page, dir, "explore-path.png");

  // Search selects and centres a node.
  await page.fill("#search-text", "omana");
  await page.waitForSelector("#search-results li[data-id]", { timeout: TIMEOUT_MS });
  await shot(page, dir, "explore-search.png");
  await page.waitForSelector('#search-results li[data-id="Reserve:valles-de-omana-y-luna"]', { timeout: TIMEOUT_MS });
  await page.click('#search-results li[data-id="Reserve:valles-de-omana-y-luna"]');
  await page.waitForFunction(() => document.querySelector("#details-name")?.textContent === "Valles de Omaña y Luna", null, {
    timeout: TIMEOUT_MS,
  });
  report.steps.search_selected = await page.evaluate(() => window.__explorer.cy().$(":selected").map((n) => n.id()));

  // Map: country outlines from the hub and the reserves as points.
  await page.click("#tab-map");
  await page.waitForFunction(() => document.querySelectorAll("#map path.leaflet-interactive").length > 0, null, {
    timeout: TIMEOUT_MS,
  });
  await page.waitForTimeout(300);
  report.steps.map_countries = await page.$$eval("#map .leaflet-overlay-pane path:not(.leaflet-interactive)", (p) => p.length);
  report.steps.map_reserves = await page.$$eval("#map path.leaflet-interactive", (p) => p.length);
  await shot(page, dir, "explore-map.png");

  // Dashboard: the stats as charts.
  await page.click("#tab-dashboard");
  await page
    .waitForFunction(() => document.querySelectorAll("#charts .chart").length > 0 || !document.querySelector("#message").hidden, null, {
      timeout: TIMEOUT_MS,
    })
    .catch(() => {});
  report.steps.dashboard_charts = await page.$$eval("#charts .chart h3", (hs) => hs.map((h) => h.textContent));
  report.steps.dashboard_figures = await page.$$eval("#figures .figure", (fs) => fs.length);
  report.steps.dashboard_message = await page.evaluate(() => (document.querySelector("#message").hidden ? null : document.querySelector("#message").textContent));
  await page.setViewportSize({ width: 1400, height: 1300 });
  await shot(page, dir, "explore-dashboard.png");
  await page.setViewportSize({ width: 1400, height: 900 });

  // GraphiQL: the second example tab runs in one click.
  await page.evaluate(() => localStorage.clear());
  await page.goto(`${base}/graphql`, { waitUntil: "domcontentloaded", timeout: TIMEOUT_MS });
  await page.waitForSelector(".graphiql-tab", { timeout: TIMEOUT_MS });
  report.steps.graphiql_tabs = await page.$$eval(".graphiql-tab", (tabs) => tabs.map((t) => t.textContent.trim()));
  await page.locator(".graphiql-tab").nth(1).locator("button").first().click();
  await page.waitForTimeout(300);
  await page.click(".graphiql-execute-button");
  const deadline = Date.now() + TIMEOUT_MS;
  let text = "";
  while (Date.now() < deadline) {
    text = await page.evaluate(() => {
      const cm = document.querySelector(".graphiql-response .CodeMirror");
      return cm && cm.CodeMirror ? cm.CodeMirror.getValue() : "";
    });
    if (text.includes('"data"') || text.includes('"errors"')) break;
    await page.waitForTimeout(100);
  }
  report.steps.graphiql_result = text.slice(0, 400);
  report.steps.graphiql_ok = text.includes('"data"') && !text.includes('"errors"');
  await shot(page, dir, "graphiql-example.png");
}

async function perf(page, base, dir, limit) {
  await loadExplorer(page, base, `?limit=${limit}`);
  await shot(page, dir, `explore-${limit}-nodes.png`);
  // A click on a node: time until the node is selected, then until its details show.
  const times = [];
  for (const kind of ["PROJECT", "RESERVE", "INSTITUTION"]) {
    const target = await clickNode(page, { kind });
    await page.waitForFunction((id) => window.__explorer.cy().getElementById(id).selected(), target.id, {
      timeout: TIMEOUT_MS,
      polling: "raf",
    });
    times.push(Date.now() - target.t);
    await page.waitForFunction((id) => document.querySelector("#details .muted")?.textContent === id, target.id, {
      timeout: TIMEOUT_MS,
    });
    report.timings.click_to_details_ms = Date.now() - target.t;
  }
  report.timings.click_to_selected_ms = times;
  // Zoom and pan: how long the main thread takes to come back.
  const t = Date.now();
  await page.mouse.wheel(0, -400);
  await page.evaluate(() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r))));
  report.timings.zoom_frame_ms = Date.now() - t;
  await shot(page, dir, `explore-${limit}-nodes-selected.png`);
  report.steps.loaded = report.timings.drawn_nodes > 0;
}

async function main() {
  const [mode, base, dir, limit] = process.argv.slice(2);
  if (!["full", "perf"].includes(mode) || !base || !dir) {
    console.error("usage: node tests/e2e/explorer.mjs full|perf <hub url> <output dir> [limit]");
    process.exit(2);
  }
  const { browser, page } = await openOfflinePage(report);
  try {
    page.on("response", (response) => {
      if (response.status() >= 400) (report.failed_requests ??= []).push(`${response.status()} ${response.url()}`);
    });
    if (mode === "full") await full(page, base, dir);
    else await perf(page, base, dir, Number(limit || 5000));
    report.ok = true;
  } catch (err) {
    report.error = err.message.split("\n")[0];
    if (page) await shot(page, dir, `explore-${mode}-failure.png`).catch(() => {});
  } finally {
    await browser.close();
  }
  console.log(JSON.stringify(report));
  process.exitCode = report.ok && report.external_requests.length === 0 ? 0 : 1;
}

main();
