// Small helpers to build the page with elements (never HTML strings: text the server
// sends, such as a model's names, is always set as text).

type Attrs = Record<string, string | number | boolean | undefined>;

export function el<K extends keyof HTMLElementTagNameMap>(
  tag: K, attrs: Attrs = {}, ...children: (Node | string)[]
): HTMLElementTagNameMap[K] {
  const node = document.createElement(tag);
  setAttrs(node, attrs);
  node.append(...children);
  return node;
}

const SVG = "http://www.w3.org/2000/svg";

export function svg<K extends keyof SVGElementTagNameMap>(
  tag: K, attrs: Attrs = {}, ...children: (Node | string)[]
): SVGElementTagNameMap[K] {
  const node = document.createElementNS(SVG, tag);
  setAttrs(node, attrs);
  node.append(...children);
  return node;
}

function setAttrs(node: Element, attrs: Attrs) {
  for (const [name, value] of Object.entries(attrs)) {
    if (value === undefined || value === false) continue;
    node.setAttribute(name, value === true ? "" : String(value));
  }
}

export function byTestId<T extends HTMLElement>(id: string): T {
  const node = document.querySelector<T>(`[data-testid="${id}"]`);
  if (!node) throw new Error(`the page has no element ${id}`);
  return node;
}

/// A number as people read it: 4 significant digits, exponent form when far from 1.
export function fmt(x: number | null | undefined): string {
  if (x === null || x === undefined) return "–";
  if (x === 0) return "0";
  const a = Math.abs(x);
  if (a >= 1e5 || a < 1e-3) return x.toExponential(2);
  return Number(x.toPrecision(4)).toString();
}

/// `lambda` from `ln lambda` (`null` is lambda = 0), as text.
export function fromLn(ln: number | null): string {
  if (ln === null) return "0";
  if (ln > 700) return `e^${fmt(ln)}`;
  return fmt(Math.exp(ln));
}
