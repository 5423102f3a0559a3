// The code editor: CodeMirror 6 with nshed highlighting, the server's diagnostics as
// lint marks, and hover and completion answered by the server (the language server's
// own functions).

import { EditorState, Text } from "@codemirror/state";
import {
  EditorView, keymap, lineNumbers, highlightActiveLine, highlightActiveLineGutter,
  drawSelection, hoverTooltip,
} from "@codemirror/view";
import { defaultKeymap, history, historyKeymap, indentWithTab } from "@codemirror/commands";
import { syntaxHighlighting, defaultHighlightStyle, bracketMatching } from "@codemirror/language";
import { setDiagnostics, lintGutter, Diagnostic as CmDiagnostic } from "@codemirror/lint";
import { autocompletion, CompletionContext, CompletionResult } from "@codemirror/autocomplete";
import { post, Diagnostic, Hover, Completion, JsonPosition, Position } from "./api";
import { nshedLanguage } from "./language";
import { markdown } from "./markdown";

export interface EditorHooks {
  onChange: (text: string) => void;
  onSave: () => void;
}

/// The offset in `doc` of a JSON position (1-based line, 1-based column in characters).
export function offsetOf(doc: Text, p: JsonPosition): number {
  const line = doc.line(Math.min(Math.max(p.line, 1), doc.lines));
  const chars = Array.from(line.text).slice(0, Math.max(p.column - 1, 0)).join("");
  return Math.min(line.from + chars.length, line.to);
}

function positionOf(doc: Text, offset: number): Position {
  const line = doc.lineAt(offset);
  return { line: line.number - 1, character: offset - line.from };
}

function fromPosition(doc: Text, p: Position): number {
  const line = doc.line(Math.min(p.line + 1, doc.lines));
  return Math.min(line.from + p.character, line.to);
}

const hover = hoverTooltip(async (view, pos) => {
  const text = view.state.doc.toString();
  const answer = await post<Hover | null>("/api/hover", {
    text, position: positionOf(view.state.doc, pos),
  }).catch(() => null);
  if (!answer || view.state.doc.toString() !== text) return null;
  return {
    pos: fromPosition(view.state.doc, answer.from),
    end: fromPosition(view.state.doc, answer.to),
    above: true,
    create: () => ({ dom: markdown(answer.markdown) }),
  };
}, { hoverTime: 350 });

async function complete(context: CompletionContext): Promise<CompletionResult | null> {
  const word = context.matchBefore(/[A-Za-z_][A-Za-z0-9_]*/);
  if (!word && !context.explicit) return null;
  const items = await post<Completion[]>("/api/complete", {
    text: context.state.doc.toString(), position: positionOf(context.state.doc, context.pos),
  }).catch(() => []);
  if (context.aborted || items.length === 0) return null;
  const type: Record<string, string> = {
    keyword: "keyword", node: "variable", class: "class", level: "namespace", value: "constant",
  };
  return {
    from: word ? word.from : context.pos,
    options: items.map((c) => ({ label: c.label, type: type[c.kind] ?? "text", detail: c.detail })),
    validFor: /^[A-Za-z0-9_]*$/,
  };
}

export function makeEditor(parent: HTMLElement, text: string, words: string[], hooks: EditorHooks): EditorView {
  const extensions = [
    lineNumbers(), highlightActiveLineGutter(), highlightActiveLine(), drawSelection(),
    history(), bracketMatching(), lintGutter(), hover,
    autocompletion({ override: [complete], activateOnTyping: true }),
    syntaxHighlighting(defaultHighlightStyle), nshedLanguage(words),
    keymap.of([
      { key: "Mod-s", preventDefault: true, run: () => { hooks.onSave(); return true; } },
      indentWithTab, ...defaultKeymap, ...historyKeymap,
    ]),
    EditorView.updateListener.of((u) => { if (u.docChanged) hooks.onChange(u.state.doc.toString()); }),
    EditorView.contentAttributes.of({ "aria-label": "model source" }),
    EditorView.lineWrapping,
  ];
  return new EditorView({ parent, state: EditorState.create({ doc: text, extensions }) });
}

/// Shows the server's diagnostics in the editor: the primary label as the mark, the
/// other labels as notes on their own spans.
export function showDiagnostics(view: EditorView, diagnostics: Diagnostic[]) {
  const doc = view.state.doc;
  const marks: CmDiagnostic[] = [];
  for (const d of diagnostics) {
    const severity = d.severity === "error" ? "error" : d.severity === "warning" ? "warning" : "info";
    d.labels.forEach((label) => {
      const from = offsetOf(doc, label.start);
      const to = Math.max(offsetOf(doc, label.end), from);
      const note = label.message ? `: ${label.message}` : "";
      marks.push(label.primary
        ? { from, to, severity, source: d.code, message: `${d.message}${note}${d.help ? `\nhelp: ${d.help}` : ""}` }
        : { from, to, severity: "info", source: d.code, message: label.message ?? d.message });
    });
    if (d.labels.length === 0) marks.push({ from: 0, to: 0, severity, source: d.code, message: d.message });
  }
  view.dispatch(setDiagnostics(view.state, marks));
}

/// Moves the cursor to a diagnostic's place and shows it.
export function reveal(view: EditorView, at: JsonPosition) {
  const pos = offsetOf(view.state.doc, at);
  view.dispatch({ selection: { anchor: pos }, scrollIntoView: true });
  view.focus();
}
