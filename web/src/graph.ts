// The model drawn as levels of nodes (input at the bottom, classes at the top): node
// radius by ln lambda, class-edge width by eta, the chosen input's pathway in red
// (`class="fire"` on its nodes). Every node is an element with `data-node="NAME"`.

import { Drawing } from "./api";
import { svg, fmt, fromLn } from "./dom";

/// Nodes beyond which the page does not ask for the graph (`nshed draw` draws it).
export const MAX_DRAWN = 1500;

export interface GraphHooks {
  /// An input node was clicked: add it to, or take it from, the shown pattern.
  toggleInput: (name: string) => void;
  /// Another node was clicked: follow (or stop following) its lambda in the chart.
  toggleWatch: (name: string) => void;
}

const ROW = 96, MARGIN = 44, SPACING = 64, R_MIN = 5, R_MAX = 18, R_ZERO = 3;

function range(values: (number | null)[]): [number, number] | null {
  const finite = values.filter((v): v is number => v !== null && Number.isFinite(v));
  if (finite.length === 0) return null;
  return [Math.min(...finite), Math.max(...finite)];
}

function scale(r: [number, number] | null, lo: number, hi: number) {
  return (v: number | null): number => {
    if (v === null) return -1;
    if (!r || r[1] <= r[0]) return (lo + hi) / 2;
    return lo + ((hi - lo) * (v - r[0])) / (r[1] - r[0]);
  };
}

export function drawGraph(host: HTMLElement, d: Drawing, watched: Set<string>, predicted: string | null, hooks: GraphHooks) {
  host.replaceChildren();
  const rows = [...d.levels.map((l) => l.nodes), { start: -1, end: -1 }];
  const widest = Math.max(d.classes.length, ...d.levels.map((l) => l.nodes.end - l.nodes.start));
  const width = Math.max(420, widest * SPACING + 2 * MARGIN);
  const height = rows.length * ROW + MARGIN;
  const at = (i: number, n: number) => MARGIN + ((i + 0.5) * (width - 2 * MARGIN)) / n;
  const y = (row: number) => height - MARGIN / 2 - row * ROW - ROW / 2 + 10;
  const pos: [number, number][] = [];
  d.levels.forEach((l, row) => {
    const n = l.nodes.end - l.nodes.start;
    for (let i = l.nodes.start; i < l.nodes.end; i++) pos[i] = [at(i - l.nodes.start, n), y(row)];
  });
  const classPos = d.classes.map((_, i) => [at(i, d.classes.length), y(d.levels.length)] as [number, number]);
  const radius = scale(range(d.nodes.map((n) => n.ln_lambda)), R_MIN, R_MAX);
  const etaWidth = scale(range(d.ln_eta), 0.8, 6);
  const root = svg("svg", {
    viewBox: `0 0 ${width} ${height}`, width, height, role: "img",
    "aria-label": `the model ${d.model} at step ${d.step}`,
  });
  const links = svg("g", { class: "links" });
  d.nodes.forEach((node, i) => node.children.forEach((c) => {
    const on = node.firing && d.nodes[c].firing;
    links.append(svg("line", {
      x1: pos[i][0], y1: pos[i][1], x2: pos[c][0], y2: pos[c][1], class: on ? "link fire" : "link",
    }));
  }));
  d.edges.forEach(([from, to], e) => {
    const w = etaWidth(d.ln_eta[e]);
    const on = d.nodes[from].firing;
    const line = svg("line", {
      x1: pos[from][0], y1: pos[from][1], x2: classPos[to][0], y2: classPos[to][1] + 12,
      class: on ? "edge fire" : "edge", "stroke-width": w < 0 ? 0.6 : w.toFixed(2),
      "stroke-dasharray": w < 0 ? "3 3" : undefined,
    });
    line.append(svg("title", {}, `eta ${d.nodes[from].name} -> ${d.classes[to].name} = ${fromLn(d.ln_eta[e])}`));
    links.append(line);
  });
  root.append(links);
  d.levels.forEach((l, row) => {
    root.append(svg("text", { x: 6, y: y(row) - 22, class: "level-name" }, l.name));
  });
  root.append(svg("text", { x: 6, y: y(d.levels.length) - 22, class: "level-name" }, "classes"));
  const labels = widest <= 40;
  d.nodes.forEach((node, i) => {
    const input = i < (d.levels[0]?.nodes.end ?? 0);
    const r = radius(node.ln_lambda);
    const g = svg("g", {
      "data-node": node.name, tabindex: 0, role: "button",
      class: ["node", node.firing && "fire", input && "input", watched.has(node.name) && "watched"].filter(Boolean).join(" "),
      transform: `translate(${pos[i][0].toFixed(1)},${pos[i][1].toFixed(1)})`,
    });
    const what = input ? "click to add it to or take it from the input" : "click to follow its lambda in the chart";
    g.append(
      svg("title", {}, `${node.name}: lambda = ${fromLn(node.ln_lambda)}, ln lambda = ${fmt(node.ln_lambda ?? -Infinity)}${d.input ? (node.firing ? `; fires for ${d.input}` : `; does not fire for ${d.input}`) : ""}\n(${what})`),
      // A node with lambda = 0 is a dot: the ring around it is what takes the click.
      svg("circle", { r: R_MAX + 2, class: "hit" }),
      svg("circle", { r: (r < 0 ? R_ZERO : r).toFixed(2), class: "dot" }),
    );
    if (labels) g.append(svg("text", { y: R_MAX + 12, class: "label" }, node.name));
    const act = () => (input ? hooks.toggleInput(node.name) : hooks.toggleWatch(node.name));
    g.addEventListener("click", act);
    g.addEventListener("keydown", (e) => { if (e.key === "Enter" || e.key === " ") { e.preventDefault(); act(); } });
    root.append(g);
  });
  d.classes.forEach((c, i) => {
    const [cx, cy] = classPos[i];
    const w = Math.max(44, c.name.length * 8 + 16);
    const g = svg("g", {
      "data-node": c.name,
      class: ["class", c.reached && "reached", predicted === c.name && "predicted"].filter(Boolean).join(" "),
      transform: `translate(${cx.toFixed(1)},${cy.toFixed(1)})`,
    });
    g.append(
      svg("title", {}, `class ${c.name}${d.input ? (c.reached ? `: reached by ${d.input}` : `: not reached by ${d.input}`) : ""}`),
      svg("rect", { x: -w / 2, y: -12, width: w, height: 24, rx: 6 }),
      svg("text", { y: 4, class: "label" }, c.name),
    );
    root.append(g);
  });
  host.append(root);
}
