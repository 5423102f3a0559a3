// The local-elasticity matrix as a heatmap: row = the base sample (the one trained on),
// column = the sample whose logits moved; colour by LE, grey where LE is undefined.

import { LeMatrix } from "./api";
import { svg, fmt } from "./dom";

/// Blue shades for LE in [0, 2] (values above 2 get the darkest).
function colour(le: number): string {
  const t = Math.min(Math.max(le / 2, 0), 1);
  const mix = (a: number, b: number) => Math.round(a + (b - a) * t);
  return `rgb(${mix(247, 8)},${mix(251, 48)},${mix(255, 107)})`;
}

export function drawHeatmap(host: HTMLElement, m: LeMatrix) {
  host.replaceChildren();
  const n = m.samples.length;
  if (n === 0) {
    host.append("The model has no data samples.");
    return;
  }
  const cell = Math.max(10, Math.min(36, Math.floor(360 / n)));
  const label = Math.min(110, 8 + 7 * Math.max(...m.samples.map((s) => s.length)));
  const size = label + n * cell;
  const root = svg("svg", { viewBox: `0 0 ${size + 70} ${size + 4}`, width: size + 70, height: size + 4, role: "img",
    "aria-label": `local elasticity matrix at step ${m.step}`, class: "heatmap" });
  m.samples.forEach((name, i) => {
    const title = `${name} (label ${m.labels[i]})`;
    root.append(svg("text", { x: label - 4, y: label + i * cell + cell / 2 + 4, class: "row-label" }, name),
      svg("text", { x: label + i * cell + cell / 2, y: label - 4, class: "col-label",
        transform: `rotate(-60 ${label + i * cell + cell / 2} ${label - 4})` }, name));
    root.lastElementChild?.append(svg("title", {}, title));
  });
  m.matrix.forEach((row, i) => row.forEach((le, j) => {
    const rect = svg("rect", { x: label + j * cell, y: label + i * cell, width: cell - 1, height: cell - 1,
      fill: le === null ? "#d0d0d0" : colour(le), "data-base": m.samples[i], "data-test": m.samples[j] });
    rect.append(svg("title", {}, `LE(${m.samples[i]} -> ${m.samples[j]}) = ${le === null ? "undefined (the base's logits do not move)" : fmt(le)}`));
    root.append(rect);
  }));
  const x = size + 14;
  [0, 0.5, 1, 1.5, 2].forEach((v, k) => {
    root.append(svg("rect", { x, y: label + k * 16, width: 14, height: 14, fill: colour(v) }),
      svg("text", { x: x + 18, y: label + k * 16 + 11, class: "legend" }, k === 4 ? "≥ 2" : String(v)));
  });
  host.append(root);
}
