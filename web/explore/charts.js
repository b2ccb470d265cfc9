// Small SVG bar charts drawn by hand: horizontal bars, labelled, readable without colour.

const SVG = "http://www.w3.org/2000/svg";

function el(name, attrs = {}, text) {
  const node = document.createElementNS(SVG, name);
  for (const [key, value] of Object.entries(attrs)) node.setAttribute(key, value);
  if (text !== undefined) node.textContent = text;
  return node;
}

export function barChart(title, items, { color = "#0b5c8a", max = 15 } = {}) {
  const figure = document.createElement("figure");
  figure.className = "chart";
  const heading = document.createElement("h3");
  heading.textContent = title;
  figure.append(heading);
  const shown = items.slice(0, max);
  if (!shown.length) {
    const p = document.createElement("p");
    p.className = "muted";
    p.textContent = "Nothing to show for this filter.";
    figure.append(p);
    return figure;
  }
  const row = 18;
  const labelWidth = 150;
  const width = 380;
  const barSpace = width - labelWidth - 40;
  const height = shown.length * row + 4;
  const top = Math.max(...shown.map((d) => d.value), 1);
  const svg = el("svg", {
    viewBox: `0 0 ${width} ${height}`,
    role: "img",
    "aria-label": `${title}: ${shown.map((d) => `${d.label} ${d.value}`).join(", ")}`,
  });
  shown.forEach((d, i) => {
    const y = i * row + 2;
    const label = d.label.length > 22 ? `${d.label.slice(0, 21)}…` : d.label;
    const text = el("text", { x: labelWidth - 6, y: y + 12, "text-anchor": "end" }, label);
    text.append(el("title", {}, d.label));
    svg.append(text);
    const w = Math.max(1, (d.value / top) * barSpace);
    svg.append(el("rect", { x: labelWidth, y: y + 2, width: w, height: row - 5, fill: color, rx: 2 }));
    svg.append(el("text", { x: labelWidth + w + 4, y: y + 12 }, String(round(d.value))));
  });
  figure.append(svg);
  if (items.length > shown.length) {
    const more = document.createElement("figcaption");
    more.className = "muted";
    more.textContent = `Top ${shown.length} of ${items.length}.`;
    figure.append(more);
  }
  return figure;
}

export function round(value) {
  return Number.isInteger(value) ? value : Number(value.toFixed(3));
}
