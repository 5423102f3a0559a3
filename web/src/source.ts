// The model's text: edits go to the server (after a pause in typing), which answers
// with the diagnostics; the problems list; saving to the file.

import { post, ApiError, Diagnostic, Edited } from "./api";
import { el, byTestId } from "./dom";
import { showDiagnostics, reveal } from "./editor";
import { app, say } from "./state";

const PAUSE_MS = 250;
let timer: number | undefined;
let sent = 0;

export function listProblems(diagnostics: Diagnostic[]) {
  const list = byTestId("diagnostics");
  list.replaceChildren();
  const errors = diagnostics.filter((d) => d.severity === "error").length;
  const count = document.getElementById("problem-count");
  if (count) count.textContent = diagnostics.length ? `${errors} error${errors === 1 ? "" : "s"}, ${diagnostics.length - errors} warning${diagnostics.length - errors === 1 ? "" : "s"}` : "none";
  for (const d of diagnostics) {
    const primary = d.labels.find((l) => l.primary) ?? d.labels[0];
    const where = primary ? `${primary.start.line}:${primary.start.column}` : "";
    const item = el("li", { class: `diagnostic ${d.severity}`, "data-code": d.code, tabindex: 0, title: "Show it in the editor" },
      el("span", { class: "severity" }, d.severity), " ",
      el("span", { class: "where" }, where), " ",
      el("span", { class: "message" }, d.message),
      ...d.labels.filter((l) => l.message).map((l) => el("div", { class: "label" }, `${l.start.line}:${l.start.column} ${l.message}`)),
      ...(d.help ? [el("div", { class: "help" }, `help: ${d.help}`)] : []),
      el("div", { class: "code" }, d.code));
    const go = () => { if (primary && app.editor) reveal(app.editor, primary.start); };
    item.addEventListener("click", go);
    item.addEventListener("keydown", (e) => { if (e.key === "Enter") go(); });
    list.append(item);
  }
}

export function showSaved() {
  const same = app.editor?.state.doc.toString() === app.savedText;
  const mark = byTestId("saved-state");
  mark.textContent = same ? "saved" : "unsaved changes";
  mark.classList.toggle("dirty", !same);
}

export function showEdited(e: Edited, text: string) {
  if (!app.editor || app.editor.state.doc.toString() !== text) return;
  showDiagnostics(app.editor, e.diagnostics);
  listProblems(e.diagnostics);
  byTestId("stale").hidden = e.compiles;
}

export function onChange(onGeneration: (generation: number) => void) {
  return (text: string) => {
    showSaved();
    window.clearTimeout(timer);
    timer = window.setTimeout(async () => {
      const mine = ++sent;
      try {
        const e = await post<Edited>("/api/source", { text });
        if (mine !== sent) return;
        showEdited(e, text);
        if (e.generation !== app.generation) onGeneration(e.generation);
      } catch (err) {
        say(`the server did not take the edit: ${(err as Error).message}`, true);
      }
    }, PAUSE_MS);
  };
}

export async function save() {
  if (!app.editor) return;
  const text = app.editor.state.doc.toString();
  try {
    await post("/api/save", { text });
  } catch (e) {
    if (!(e instanceof ApiError) || e.status !== 409) {
      say((e as Error).message, true);
      return;
    }
    if (!window.confirm(`${e.message}.\n\nReplace the file on disk with the editor's text?`)) {
      say("not saved: the file on disk was left as it is");
      return;
    }
    try {
      await post("/api/save", { text, force: true });
    } catch (e2) {
      say((e2 as Error).message, true);
      return;
    }
  }
  app.savedText = text;
  showSaved();
  say(`saved ${byTestId("file").textContent}`);
}
