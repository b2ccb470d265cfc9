// The network view: Cytoscape.js with a layout computed here in O(n log n + e).
//
// Force-directed layouts (cose) take seconds at 5,000 nodes, so nodes are placed in rings by
// kind (themes and networks inside, people outside). Within a ring each node is put at the
// mean angle of its already-placed neighbours, then spread evenly in that order over a few
// sub-rings: related nodes end up near each other and nothing overlaps.

import cytoscape from "cytoscape";

export const KIND_COLORS = {
  THEME: "#c62828",
  NETWORK: "#00796b",
  RESERVE: "#2e7d32",
  INSTITUTION: "#1565c0",
  PROJECT: "#e65100",
  PERSON: "#6a1b9a",
};
const RING_ORDER = ["THEME", "NETWORK", "RESERVE", "INSTITUTION", "PROJECT", "PERSON"];
const SPACING = 22;
const LABELLED = 40; // the best-connected nodes keep their label at every zoom
// Above this many nodes the relationships are not drawn all at once (tens of thousands of
// edges make every frame slow): only those of the selected node and of a highlighted path.
export const LARGE = 2000;

function nodeSize(degree) {
  return Math.min(60, 8 + 3.2 * Math.sqrt(degree || 0));
}

export function computeLayout(nodes, relationships) {
  const neighbours = new Map(nodes.map((n) => [n.id, []]));
  for (const r of relationships) {
    if (neighbours.has(r.source) && neighbours.has(r.target)) {
      neighbours.get(r.source).push(r.target);
      neighbours.get(r.target).push(r.source);
    }
  }
  const byKind = new Map(RING_ORDER.map((k) => [k, []]));
  for (const n of nodes) (byKind.get(n.kind) || byKind.set(n.kind, []).get(n.kind)).push(n);
  const angle = new Map();
  const positions = {};
  let radius = 0;
  for (const [, ring] of byKind) {
    if (!ring.length) continue;
    // Target angle: the circular mean of placed neighbours; otherwise spread by rank.
    const targets = ring.map((n, i) => {
      let x = 0;
      let y = 0;
      for (const m of neighbours.get(n.id)) {
        const a = angle.get(m);
        if (a !== undefined) {
          x += Math.cos(a);
          y += Math.sin(a);
        }
      }
      const t = x || y ? Math.atan2(y, x) : (2 * Math.PI * i) / ring.length;
      return { n, t: (t + 2 * Math.PI) % (2 * Math.PI) };
    });
    targets.sort((a, b) => a.t - b.t || (a.n.id < b.n.id ? -1 : 1));
    const inner = radius === 0 ? Math.max(60, (ring.length * SPACING) / (2 * Math.PI)) : radius + 3 * SPACING;
    const subRings = Math.max(1, Math.ceil((ring.length * SPACING) / (2 * Math.PI * inner)));
    targets.forEach(({ n }, i) => {
      const a = (2 * Math.PI * i) / ring.length;
      const r = inner + (i % subRings) * SPACING;
      angle.set(n.id, a);
      positions[n.id] = { x: r * Math.cos(a), y: r * Math.sin(a) };
    });
    radius = inner + (subRings - 1) * SPACING;
  }
  return positions;
}

const STYLE = [
  {
    selector: "node",
    style: {
      width: "data(size)",
      height: "data(size)",
      "background-color": "data(color)",
      "border-width": 0,
      label: "",
      "font-size": 11,
      color: "#1b1f1d",
      "text-outline-color": "#ffffff",
      "text-outline-width": 2,
      "text-valign": "bottom",
      "text-margin-y": 3,
      "min-zoomed-font-size": 7,
    },
  },
  { selector: "node[?labelled]", style: { label: "data(label)" } },
  {
    selector: "edge",
    style: {
      width: 1,
      "line-color": "#9aa5a0",
      opacity: 0.35,
      "curve-style": "haystack",
      "haystack-radius": 0,
    },
  },
  { selector: "edge.transient", style: { opacity: 0.9, width: 1.5, "line-color": "#4a524e" } },
  { selector: ".faded", style: { opacity: 0.12 } },
  { selector: "edge.faded", style: { opacity: 0.04 } },
  {
    selector: "node:selected",
    style: { "border-width": 4, "border-color": "#f0a500", label: "data(label)", "z-index": 10 },
  },
  { selector: "node.neighbour", style: { label: "data(label)" } },
  { selector: "node.endpoint", style: { "border-width": 4, "border-color": "#000", label: "data(label)" } },
  {
    selector: "node.path",
    style: { "border-width": 4, "border-color": "#d4a000", label: "data(label)", "z-index": 20, opacity: 1 },
  },
  {
    selector: "edge.path",
    style: { width: 5, "line-color": "#d4a000", opacity: 1, "z-index": 20 },
  },
];

export class NetworkView {
  constructor(container, { onSelect }) {
    this.container = container;
    this.onSelect = onSelect;
    this.cy = null;
  }

  setGraph(nodes, relationships) {
    const t0 = performance.now();
    const positions = computeLayout(nodes, relationships);
    const ranked = [...nodes].sort((a, b) => b.degree - a.degree || (a.id < b.id ? -1 : 1));
    const labelled = new Set(ranked.slice(0, LABELLED).map((n) => n.id));
    const ids = new Set(nodes.map((n) => n.id));
    this.large = nodes.length > LARGE;
    this.adjacent = new Map();
    const elements = nodes.map((n) => ({
      group: "nodes",
      data: {
        id: n.id,
        label: n.label,
        kind: n.kind,
        degree: n.degree,
        size: nodeSize(n.degree),
        color: KIND_COLORS[n.kind] || "#555",
        labelled: labelled.has(n.id),
      },
      position: positions[n.id],
    }));
    relationships.forEach((r, i) => {
      if (!ids.has(r.source) || !ids.has(r.target)) return;
      const edge = { group: "edges", data: { id: `e${i}`, source: r.source, target: r.target, kind: r.kind } };
      if (this.large) {
        for (const end of [r.source, r.target]) {
          if (!this.adjacent.has(end)) this.adjacent.set(end, []);
          this.adjacent.get(end).push(edge);
        }
      } else {
        elements.push(edge);
      }
    });
    const large = this.large;
    if (this.cy) this.cy.destroy();
    this.cy = cytoscape({
      container: this.container,
      elements,
      style: STYLE,
      layout: { name: "preset", fit: true, padding: 20 },
      minZoom: 0.02,
      maxZoom: 4,
      wheelSensitivity: 0.3,
      boxSelectionEnabled: false,
      selectionType: "single",
      textureOnViewport: large,
      hideEdgesOnViewport: large,
      motionBlur: false,
      pixelRatio: large ? 1 : "auto",
    });
    this.cy.on("tap", "node", (event) => {
      const shift = Boolean(event.originalEvent && event.originalEvent.shiftKey);
      this.onSelect(event.target.id(), { shift });
    });
    this.cy.on("tap", (event) => {
      if (event.target === this.cy) this.clearHighlight();
    });
    this.lastRenderMs = performance.now() - t0;
    return this.lastRenderMs;
  }

  has(id) {
    return Boolean(this.cy && this.cy.getElementById(id).nonempty());
  }

  select(id, { centre = true } = {}) {
    if (!this.cy) return false;
    const node = this.cy.getElementById(id);
    if (node.empty()) return false;
    this.cy.batch(() => {
      this.cy.elements().unselect().removeClass("neighbour");
      node.select();
      node.neighborhood("node").addClass("neighbour");
    });
    if (this.large) this.showEdgesOf(id);
    if (centre && this.large) {
      this.cy.center(node);
    } else if (centre) {
      this.cy.animate({ center: { eles: node }, zoom: Math.max(this.cy.zoom(), 1.2) }, { duration: 250 });
    }
    return true;
  }

  // Large drawings: show only the relationships of one node (added on demand).
  showEdgesOf(id) {
    const cy = this.cy;
    cy.batch(() => {
      cy.edges(".transient").remove();
      const edges = (this.adjacent.get(id) || []).filter((e) => cy.getElementById(e.data.id).empty());
      cy.add(edges.map((e) => ({ ...e, classes: "transient" })));
      cy.getElementById(id).neighborhood("node").addClass("neighbour");
    });
  }

  markEndpoint(id) {
    if (!this.cy) return;
    this.cy.nodes(".endpoint").removeClass("endpoint");
    if (id) this.cy.getElementById(id).addClass("endpoint");
  }

  // Highlight a path given as node ids in order; nodes or edges missing from the drawing are
  // added (placed between their neighbours on the path).
  highlightPath(path) {
    if (!this.cy) return;
    const cy = this.cy;
    cy.batch(() => {
      cy.elements().removeClass("path faded neighbour").unselect();
      path.nodes.forEach((n, i) => {
        if (cy.getElementById(n.id).empty()) {
          const prev = path.nodes[i - 1] && cy.getElementById(path.nodes[i - 1].id);
          const pos = prev && prev.nonempty() ? { x: prev.position("x") + 40, y: prev.position("y") + 40 } : { x: 0, y: 0 };
          cy.add({
            group: "nodes",
            data: { id: n.id, label: n.label, kind: n.kind, degree: 0, size: 14, color: KIND_COLORS[n.kind] || "#555" },
            position: pos,
          });
        }
      });
      const pathEles = cy.collection();
      path.nodes.forEach((n, i) => {
        const node = cy.getElementById(n.id);
        pathEles.merge(node);
        if (i === 0) return;
        const a = path.nodes[i - 1].id;
        let edge = cy.edges(`[source = "${cssEscape(a)}"][target = "${cssEscape(n.id)}"], [source = "${cssEscape(n.id)}"][target = "${cssEscape(a)}"]`);
        if (edge.empty()) {
          edge = cy.add({ group: "edges", data: { id: `path-${i}-${a}-${n.id}`, source: a, target: n.id } });
        }
        pathEles.merge(edge);
      });
      cy.elements().not(pathEles).addClass("faded");
      pathEles.addClass("path");
    });
    cy.animate({ fit: { eles: cy.elements(".path"), padding: 80 } }, { duration: 300 });
  }

  clearHighlight() {
    if (!this.cy) return;
    this.cy.elements().removeClass("path faded neighbour endpoint");
  }
}

function cssEscape(value) {
  return String(value).replace(/\\/g, "\\\\").replace(/"/g, '\\"');
}
