// The panels that follow the state: graph and prediction, curves, LE matrix. Each
// refresh asks the server once; a refresh asked while one is running is made after it.

import { get, inputQuery, View, Lambdas, LeMatrix, Progress } from "./api";
import { el, byTestId, fmt } from "./dom";
import { drawGraph, MAX_DRAWN } from "./graph";
import { lineChart, planeChart, short } from "./charts";
import { drawHeatmap } from "./heatmap";
import { app, say } from "./state";
import { chooseInput, toggleInput } from "./inputs";

/// Runs `task` now, or once more after the running one when asked meanwhile.
function coalesced(task: () => Promise<void>): () => void {
  let running = false, again = false;
  const run = async () => {
    if (running) { again = true; return; }
    running = true;
    try { await task(); } catch (e) { say(String((e as Error).message), true); }
    running = false;
    if (again) { again = false; void run(); }
  };
  return () => void run();
}

function showPrediction(view: View) {
  const host = byTestId("prediction");
  host.replaceChildren();
  const s = view.scores;
  if (!s) {
    host.append(el("span", { class: "hint" }, "Choose an input to see its pathway, scores and prediction."));
    return;
  }
  const right = s.input.label === null ? "" : s.predicted === s.input.label ? " ✓ right" : " ✗ wrong";
  host.append(el("div", { class: "predicted" },
    "predicted ", el("strong", { "data-testid": "predicted" }, s.predicted ?? "none (no class reached)"),
    s.input.label ? ` · label ${s.input.label}${right}` : ""));
  const table = el("table", { class: "probabilities" },
    el("tr", {}, el("th", {}, "class"), el("th", { title: "softmax of the logits" }, "p"), el("th", {}, ""), el("th", { title: "Z: sum of eta times the score of each parent" }, "logit")));
  for (const c of s.classes) {
    table.append(el("tr", { "data-class": c.class },
      el("td", {}, c.class), el("td", {}, fmt(c.p)),
      el("td", {}, el("span", { class: "bar", style: `width:${Math.round(c.p * 120)}px` })),
      el("td", {}, c.logit === null ? (c.ln_logit === null ? "0" : `e^${fmt(c.ln_logit)}`) : fmt(c.logit))));
  }
  host.append(table);
}

export const refreshView = coalesced(async () => {
  if (!app.model) return;
  const nodes = app.model.levels.reduce((n, l) => n + l.nodes.length, 0);
  if (nodes > MAX_DRAWN) {
    byTestId("graph").replaceChildren(`The model has ${nodes} nodes, too many to draw here; \`nshed draw\` draws it as SVG.`);
    return;
  }
  const view = await get<View>(`/api/view${inputQuery(app.input)}`);
  drawGraph(byTestId("graph"), view.drawing, app.watched, view.scores?.predicted ?? null, {
    toggleInput, toggleWatch: (name) => {
      if (app.watched.has(name)) app.watched.delete(name); else app.watched.add(name);
      refreshView();
      refreshLambdas();
    },
  });
  showPrediction(view);
  const graphLink = document.getElementById("download-graph");
  graphLink?.setAttribute("href", `/api/download/graph.svg${inputQuery(app.input)}`);
});

export const refreshLambdas = coalesced(async () => {
  const host = byTestId("lambda-chart");
  if (!app.model?.lambda_curves) {
    host.replaceChildren("The model is too large for lambda curves here.");
    return;
  }
  const nodes = [...app.watched];
  if (nodes.length === 0) {
    host.replaceChildren(el("span", { class: "hint" }, "Click nodes of the graph to follow their ln λ here."));
    return;
  }
  const l = await get<Lambdas>(`/api/lambdas?nodes=${encodeURIComponent(nodes.join(","))}`);
  host.replaceChildren(lineChart("ln lambda of the followed nodes", l.series.map((s) => ({
    name: s.node, points: s.ln_lambda.map((v, i) => [l.steps[i], v] as [number, number | null]),
  })), "ln λ"));
});

/// Below LOG_ABOVE the loss is drawn as it is; a model whose logits grow without bound
/// (every rule that only grows) reaches losses like 1e65, which only a log axis shows.
const LOG_ABOVE = 100;
/// The floor of the log axis: a loss of exactly 0 (every label with p = 1) is drawn there.
const LOG_FLOOR = 1e-6;

function lossChart(points: [number, number | null][]): SVGSVGElement {
  const top = Math.max(1, ...points.map((q) => q[1] ?? 0));
  if (top <= LOG_ABOVE) return lineChart("loss against the step", [{ name: "", points }], "loss", [0, top]);
  const log = points.map(([s, v]) => [s, v === null ? null : Math.log10(Math.max(v, LOG_FLOOR))] as [number, number | null]);
  return lineChart("loss against the step, log scale", [{ name: "", points: log }], "loss (log scale)", undefined,
    (t) => short(10 ** t));
}

export function showCurves(p: Progress) {
  const acc = p.points.map((q) => [q.step, q.accuracy] as [number, number | null]);
  byTestId("chart").replaceChildren(lineChart("accuracy against the step", [{ name: "", points: acc }], "accuracy", [0, 1]));
  byTestId("loss-chart").replaceChildren(lossChart(p.points.map((q) => [q.step, q.loss])));
  const levels = app.model?.levels.map((l) => l.name) ?? [];
  const plane = levels.map((name) => ({
    name, points: p.points.flatMap((q) => q.info.filter((i) => i.level === name).map((i) => [i.i_xt, i.i_ty] as [number, number])),
  }));
  byTestId("info-plane").replaceChildren(planeChart("information plane", plane));
}

export const refreshLe = coalesced(async () => {
  const host = byTestId("le-matrix");
  try {
    const m = await get<LeMatrix>("/api/le-matrix");
    drawHeatmap(host, m);
    host.dataset.step = String(m.step);
  } catch (e) {
    host.replaceChildren(String((e as Error).message));
  }
});

/// The input chooser for a new model: none, each sample, and the clicked pattern.
export function fillInputs() {
  const select = byTestId<HTMLSelectElement>("input");
  select.replaceChildren(el("option", { value: "" }, "(none)"));
  for (const s of app.model?.samples ?? []) {
    select.append(el("option", { value: s.name }, `${s.name}: {${s.inputs.join(" ")}} -> ${s.label}`));
  }
  select.append(el("option", { value: "{}", id: "pattern-option" }, "clicked pattern: {}"));
  const keep = app.input !== null && [...select.options].some((o) => o.value === app.input);
  chooseInput(keep ? app.input : (app.model?.samples[0]?.name ?? null));
}
