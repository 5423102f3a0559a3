// The page of `nshed serve`: loads the session, builds the editor and the panels, and
// follows the server's events (training progress, a replaced model).

import { get, Progress, Snapshot } from "./api";
import { byTestId } from "./dom";
import { makeEditor, showDiagnostics } from "./editor";
import { app, say } from "./state";
import { listProblems, onChange, save, showSaved } from "./source";
import { fillInputs } from "./panels";
import { wireInputs } from "./inputs";
import { enableTraining, showProgress, wireTraining } from "./training";

/// Loads the model (and, the first time, the text) from the server.
async function load(first: boolean) {
  const s = await get<Snapshot>("/api/session");
  if (first) {
    byTestId("file").textContent = s.file;
    document.title = `${s.file} · nshed`;
    app.savedText = s.saved ? s.text : "";
    app.editor = makeEditor(byTestId("editor"), s.text, s.words, { onChange: onChange(reloadModel), onSave: save });
    showSaved();
  }
  if (app.editor && app.editor.state.doc.toString() === s.text) {
    showDiagnostics(app.editor, s.diagnostics);
    listProblems(s.diagnostics);
    byTestId("stale").hidden = !s.stale;
  }
  app.model = s.model;
  app.generation = s.progress?.generation ?? app.generation;
  const known = new Set(s.model?.levels.flatMap((l) => l.nodes) ?? []);
  app.watched = new Set([...app.watched].filter((n) => known.has(n)));
  if (app.watched.size === 0 && s.model && s.model.levels.length > 1) {
    for (const n of s.model.levels[s.model.levels.length - 1].nodes.slice(0, 3)) app.watched.add(n);
  }
  fillInputs();
  enableTraining();
  if (s.progress) showProgress(s.progress);
  else byTestId("graph").replaceChildren("The file does not compile yet: the problems are listed under the editor.");
}

function reloadModel(generation: number) {
  if (generation === app.generation) return;
  app.generation = generation;
  void load(false).catch((e) => say((e as Error).message, true));
}

function follow() {
  const events = new EventSource("/api/events");
  events.addEventListener("progress", (e) => {
    const p = JSON.parse((e as MessageEvent).data) as Progress;
    if (p.generation !== app.generation) reloadModel(p.generation);
    else showProgress(p);
  });
  events.addEventListener("model", (e) => reloadModel(Number((e as MessageEvent).data)));
  events.addEventListener("lagged", () => void load(false));
  events.addEventListener("error", () => {
    if (events.readyState === EventSource.CLOSED) say("the server has stopped; the page no longer follows it", true);
  });
}

async function start() {
  wireTraining();
  wireInputs();
  byTestId("save").addEventListener("click", () => void save());
  window.addEventListener("beforeunload", (e) => {
    if (app.editor && app.editor.state.doc.toString() !== app.savedText) e.preventDefault();
  });
  try {
    await load(true);
    follow();
  } catch (e) {
    say(`cannot load the model: ${(e as Error).message}`, true);
  }
}

void start();
