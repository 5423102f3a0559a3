// Small SVG charts: lines against the step (accuracy, ln lambda) and the information
// plane (I(X;T) against I(T;Y), one trajectory per level).

import { svg, fmt } from "./dom";

export interface Series { name: string; points: [number, number | null][] }

export const COLOURS = ["#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e", "#17becf", "#8c564b", "#e377c2"];

const W = 420, H = 220, L = 48, R = 12, T = 12, B = 34;

/// About five round ticks over [lo, hi].
export function ticks(lo: number, hi: number): number[] {
  if (!(hi > lo)) return [lo];
  const raw = (hi - lo) / 5;
  const mag = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 5, 10].map((m) => m * mag).find((s) => s >= raw) ?? raw;
  const out: number[] = [];
  for (let v = Math.ceil(lo / step) * step; v <= hi + step * 1e-9; v += step) out.push(Number(v.toPrecision(12)));
  return out;
}

/// A tick label short enough for the chart's margin: 6.8e65 rather than 6.80e+65.
export function short(v: number): string {
  const a = Math.abs(v);
  if (a !== 0 && (a >= 1e5 || a < 1e-3)) {
    const [m, e] = v.toExponential(1).split("e");
    return `${Number(m)}e${Number(e)}`;
  }
  return fmt(v);
}

interface Frame { x: (v: number) => number; y: (v: number) => number; root: SVGSVGElement }

function frame(label: string, xs: [number, number], ys: [number, number], xLabel: string, yLabel: string,
  yTick: (v: number) => string = short): Frame {
  const [x0, x1] = xs[1] > xs[0] ? xs : [xs[0], xs[0] + 1];
  const [y0, y1] = ys[1] > ys[0] ? ys : [ys[0] - 0.5, ys[0] + 0.5];
  const x = (v: number) => L + ((v - x0) / (x1 - x0)) * (W - L - R);
  const y = (v: number) => H - B - ((v - y0) / (y1 - y0)) * (H - T - B);
  const root = svg("svg", { viewBox: `0 0 ${W} ${H}`, role: "img", "aria-label": label, class: "chart" });
  const axes = svg("g", { class: "axes" });
  axes.append(
    svg("line", { x1: L, y1: H - B, x2: W - R, y2: H - B }),
    svg("line", { x1: L, y1: T, x2: L, y2: H - B }),
  );
  for (const t of ticks(x0, x1)) {
    axes.append(svg("line", { x1: x(t), x2: x(t), y1: H - B, y2: H - B + 4 }),
      svg("text", { x: x(t), y: H - B + 15, class: "tick" }, short(t)));
  }
  for (const t of ticks(y0, y1)) {
    axes.append(svg("line", { x1: L - 4, x2: W - R, y1: y(t), y2: y(t), class: "grid" }),
      svg("text", { x: L - 6, y: y(t) + 4, class: "tick y" }, yTick(t)));
  }
  axes.append(svg("text", { x: (L + W - R) / 2, y: H - 4, class: "axis-label" }, xLabel),
    svg("text", { x: 12, y: (T + H - B) / 2, class: "axis-label", transform: `rotate(-90 12 ${(T + H - B) / 2})` }, yLabel));
  root.append(axes);
  return { x, y, root };
}

function pathOf(points: [number, number][], f: Frame): string {
  return points.map(([a, b], i) => `${i ? "L" : "M"}${f.x(a).toFixed(1)},${f.y(b).toFixed(1)}`).join("");
}

function legend(root: SVGSVGElement, names: string[]) {
  names.forEach((name, i) => {
    root.append(svg("rect", { x: L + 8, y: T + 4 + i * 14, width: 10, height: 3, fill: COLOURS[i % COLOURS.length] }),
      svg("text", { x: L + 22, y: T + 9 + i * 14, class: "legend" }, name));
  });
}

/// Lines of `series` against the step; `yRange` fixes the vertical axis, `yTick` labels
/// its ticks (for values plotted on a transformed scale).
export function lineChart(label: string, series: Series[], yLabel: string, yRange?: [number, number],
  yTick?: (v: number) => string): SVGSVGElement {
  const all = series.flatMap((s) => s.points).filter((p): p is [number, number] => p[1] !== null && Number.isFinite(p[1]));
  const xs = all.map((p) => p[0]);
  const ys = all.map((p) => p[1]);
  const f = frame(label, [Math.min(0, ...xs), Math.max(1, ...xs)],
    yRange ?? [Math.min(...ys, Infinity), Math.max(...ys, -Infinity)].map((v) => (Number.isFinite(v) ? v : 0)) as [number, number],
    "step", yLabel, yTick);
  series.forEach((s, i) => {
    const pts = s.points.filter((p): p is [number, number] => p[1] !== null && Number.isFinite(p[1]));
    if (pts.length === 0) return;
    const colour = COLOURS[i % COLOURS.length];
    f.root.append(svg("path", { d: pathOf(pts, f), class: "series", stroke: colour, "data-series": s.name, "data-points": pts.length }));
    const [lx, ly] = pts[pts.length - 1];
    f.root.append(svg("circle", { cx: f.x(lx), cy: f.y(ly), r: 3, fill: colour }));
  });
  if (series.length > 1 || series.some((s) => s.name)) legend(f.root, series.map((s) => s.name));
  return f.root;
}

/// The information plane: per level, its points in order of step (the last one larger).
export function planeChart(label: string, levels: { name: string; points: [number, number][] }[]): SVGSVGElement {
  const all = levels.flatMap((l) => l.points);
  const f = frame(label, [0, Math.max(1, ...all.map((p) => p[0]))], [0, Math.max(1, ...all.map((p) => p[1]))],
    "I(X;T) bits", "I(T;Y) bits");
  levels.forEach((l, i) => {
    if (l.points.length === 0) return;
    const colour = COLOURS[i % COLOURS.length];
    f.root.append(svg("path", { d: pathOf(l.points, f), class: "series thin", stroke: colour, "data-series": l.name }));
    l.points.forEach(([a, b], k) => f.root.append(svg("circle", {
      cx: f.x(a), cy: f.y(b), r: k === l.points.length - 1 ? 4.5 : 2, fill: colour, "fill-opacity": k === l.points.length - 1 ? 1 : 0.45,
    })));
  });
  legend(f.root, levels.map((l) => l.name));
  return f.root;
}
