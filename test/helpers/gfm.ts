/**
 * Reads Markdown the gate wrote the way a GFM renderer does (micromark with GFM, the reference parser),
 * so tests can check structure instead of escape sequences: which HTML, links and tables it really holds.
 */
import type { Nodes, Root } from 'mdast';
import { fromMarkdown } from 'mdast-util-from-markdown';
import { gfmFromMarkdown } from 'mdast-util-gfm';
import { toString } from 'mdast-util-to-string';
import { gfm } from 'micromark-extension-gfm';

/** The mdast tree of `md` under GFM. */
export function parseGfm(md: string): Root {
  return fromMarkdown(md, { extensions: [gfm()], mdastExtensions: [gfmFromMarkdown()] });
}

/** Every node of `tree` of type `type`, in document order. */
export function nodesOf<T extends Nodes['type']>(tree: Nodes, type: T): Extract<Nodes, { type: T }>[] {
  const out: Nodes[] = [];
  const walk = (n: Nodes) => {
    if (n.type === type) out.push(n);
    if ('children' in n) for (const c of n.children) walk(c);
  };
  walk(tree);
  return out as Extract<Nodes, { type: T }>[];
}

/** The raw HTML `md` carries (the values of its html nodes). */
export function rawHtml(md: string): string[] {
  return nodesOf(parseGfm(md), 'html').map((h) => h.value);
}

/** The rendered text of a node (Markdown syntax removed). */
export { toString as textOf };
