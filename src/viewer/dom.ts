/// <reference lib="dom" />
/**
 * The one way the viewer makes DOM: createElement, properties and text nodes. Strings from a result
 * (prompts, vendor messages, model names) only ever become Text nodes or property values, never HTML.
 */

type Prop = string | number | boolean | ((e: Event) => void) | undefined;
export type Child = Node | string | undefined | false;

export function h<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  props: Record<string, Prop> = {},
  ...kids: Child[]
): HTMLElementTagNameMap[K] {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(props)) {
    if (v === undefined || v === false) continue;
    if (typeof v === "function") el.addEventListener(k.replace(/^on/, ""), v);
    else if (k === "class") el.className = String(v);
    else if (k.startsWith("data-")) el.dataset[k.slice(5)] = String(v);
    else (el as unknown as Record<string, unknown>)[k] = v;
  }
  for (const c of kids) if (c !== undefined && c !== false) el.append(c); // a string becomes a Text node
  return el;
}

/** Replaces an element's children. */
export function put(el: Element, ...kids: Child[]): void {
  el.replaceChildren(...kids.filter((c): c is Node | string => c !== undefined && c !== false));
}
