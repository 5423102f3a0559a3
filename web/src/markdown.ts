// The little Markdown of hover texts (paragraphs, ```code``` blocks, **bold**, `code`,
// *italic*) as elements; anything else stays plain text.

import { el } from "./dom";

function inline(text: string): (Node | string)[] {
  const out: (Node | string)[] = [];
  const pattern = /(\*\*[^*]+\*\*|`[^`]+`|\*[^*]+\*)/g;
  let last = 0;
  for (const m of text.matchAll(pattern)) {
    const index = m.index ?? 0;
    out.push(text.slice(last, index));
    const token = m[0];
    if (token.startsWith("**")) out.push(el("strong", {}, token.slice(2, -2)));
    else if (token.startsWith("`")) out.push(el("code", {}, token.slice(1, -1)));
    else out.push(el("em", {}, token.slice(1, -1)));
    last = index + token.length;
  }
  out.push(text.slice(last));
  return out;
}

export function markdown(text: string): HTMLElement {
  const root = el("div", { class: "md" });
  const parts = text.split(/```[a-z]*\n?/);
  parts.forEach((part, i) => {
    if (i % 2 === 1) {
      root.append(el("pre", {}, part.replace(/\n$/, "")));
      return;
    }
    for (const para of part.split(/\n\n+/)) {
      if (para.trim()) root.append(el("p", {}, ...inline(para.trim())));
    }
  });
  return root;
}
