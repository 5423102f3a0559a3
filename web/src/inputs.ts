// The shown input: a data sample chosen in the list, or a pattern of input nodes made
// by clicking them in the graph.

import { byTestId } from "./dom";
import { app } from "./state";
import { refreshView } from "./panels";

function patternText(nodes: Set<string>): string {
  return `{${[...nodes].join(" ")}}`;
}

/// Shows `input` (a sample name, a pattern, or null for none).
export function chooseInput(input: string | null) {
  app.input = input;
  const select = byTestId<HTMLSelectElement>("input");
  if (input !== null && input.startsWith("{")) {
    const option = document.getElementById("pattern-option") as HTMLOptionElement | null;
    if (option) { option.value = input; option.textContent = `clicked pattern: ${input}`; }
  } else {
    app.pattern = null;
  }
  select.value = input ?? "";
  refreshView();
}

/// Adds an input node to the clicked pattern, or takes it out (starting from the shown
/// sample's inputs).
export function toggleInput(name: string) {
  if (!app.pattern) {
    const sample = app.model?.samples.find((s) => s.name === app.input);
    app.pattern = new Set(sample?.inputs ?? []);
  }
  if (app.pattern.has(name)) app.pattern.delete(name); else app.pattern.add(name);
  const order = app.model?.levels[0]?.nodes ?? [];
  app.pattern = new Set(order.filter((n) => app.pattern?.has(n)));
  chooseInput(patternText(app.pattern));
}

export function wireInputs() {
  const select = byTestId<HTMLSelectElement>("input");
  select.addEventListener("change", () => {
    const v = select.value;
    if (v.startsWith("{")) {
      app.pattern = new Set(v.slice(1, -1).split(" ").filter(Boolean));
      chooseInput(v);
    } else {
      chooseInput(v === "" ? null : v);
    }
  });
}
