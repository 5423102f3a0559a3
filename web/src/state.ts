// What the page knows, shared by its parts.

import type { EditorView } from "@codemirror/view";
import type { ModelInfo, Progress } from "./api";

export const app = {
  editor: null as EditorView | null,
  model: null as ModelInfo | null,
  progress: null as Progress | null,
  /// The latest progress shown (answers and events may arrive out of order).
  seq: 0,
  generation: -1,
  /// The text the file holds on disk, as last loaded or saved.
  savedText: "",
  /// The chosen input: a sample's name, a pattern `{a b}`, or null.
  input: null as string | null,
  /// The input nodes of a clicked pattern (null when a sample or nothing is chosen).
  pattern: null as Set<string> | null,
  /// Nodes whose lambda the chart follows.
  watched: new Set<string>(),
};

/// Shows a message in the header (errors stay until the next message).
export function say(message: string, error = false) {
  const status = document.getElementById("status");
  if (!status) return;
  status.textContent = message;
  status.classList.toggle("error", error);
}
