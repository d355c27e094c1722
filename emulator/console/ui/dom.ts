/** The console's one DOM helper: an element with attributes, listeners and children. */
type Child = Node | string | number | undefined | false;

export function h<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  props: Record<string, string | number | boolean | ((event: Event) => void) | undefined> = {},
  ...children: Child[]
): HTMLElementTagNameMap[K] {
  const element = document.createElement(tag);
  for (const [name, value] of Object.entries(props)) {
    if (value === undefined || value === false) continue;
    if (typeof value === 'function') element.addEventListener(name.replace(/^on/, ''), value);
    else if (name === 'className') element.className = String(value);
    else element.setAttribute(name, value === true ? '' : String(value));
  }
  for (const child of children) {
    if (child === undefined || child === false) continue;
    element.append(typeof child === 'object' ? child : String(child));
  }
  return element;
}

const SVG = 'http://www.w3.org/2000/svg';

export function svg(
  tag: string,
  attributes: Record<string, string | number>,
  ...children: Node[]
): SVGElement {
  const element = document.createElementNS(SVG, tag);
  for (const [name, value] of Object.entries(attributes)) element.setAttribute(name, String(value));
  element.append(...children);
  return element;
}

/** Replaces a section's body. */
export function fill(sectionId: string, ...children: Child[]): void {
  const body = document.querySelector(`#${sectionId} .body`);
  if (!body) return;
  body.replaceChildren(
    ...children
      .filter((c): c is Node | string => c !== undefined && c !== false)
      .map((c) => (typeof c === 'number' ? String(c) : c)),
  );
}

export function table(headers: string[], rows: HTMLTableRowElement[]): HTMLTableElement {
  return h(
    'table',
    {},
    h('thead', {}, h('tr', {}, ...headers.map((text) => h('th', {}, text)))),
    h('tbody', {}, ...rows),
  );
}

export function time(iso: string): string {
  return `${new Date(iso).toLocaleTimeString(undefined, { hour12: false })}.${iso.slice(20, 23)}`;
}

export function ms(value: number | undefined): string {
  return value === undefined ? '' : `${value.toFixed(value < 10 ? 1 : 0)} ms`;
}
