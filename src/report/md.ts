/**
 * Building blocks for the Markdown the gate publishes (summary, PR comment, check run text): nodes of an
 * mdast tree, serialised with `mdast-util-to-markdown` and its GFM extension (tables, strikethrough,
 * autolink literals). Text is escaped by the serialiser where its position needs it (a `|` in a table
 * cell, a `#` or `-` at the start of a line, `<`, `*`, `_`, `` ` ``, `[`...), so no text can open a
 * construct of its own; nothing is escaped by hand.
 *
 * What Markdown escaping cannot do is done to text from the PR or the manifests by {@link untrusted}:
 * GitHub turns `@login` and `@org/team` into mentions (notifications) after rendering, so a zero-width space
 * follows the `@`; invisible and direction-changing characters are shown as `<U+XXXX>`; line breaks become
 * spaces (each value stays on its line and in its cell). Raw HTML exists only as {@link html} nodes the gate
 * writes itself (`<details>`, `<summary>`, `<sub>`); text inside them goes through `htmlCode` (./escape.ts).
 */
import type { BlockContent, Blockquote, Heading, Html, InlineCode, Link, List, Paragraph, PhrasingContent, RootContent, Table, Text } from 'mdast';
import { fromMarkdown } from 'mdast-util-from-markdown';
import { gfmFromMarkdown, gfmToMarkdown } from 'mdast-util-gfm';
import { type Options, toMarkdown } from 'mdast-util-to-markdown';
import { gfm } from 'micromark-extension-gfm';
import { type Budget, measure, truncate } from './limits.js';
import { showInvisible } from './escape.js';

/** Inline content: a node, or several in a row (nested arrays are flattened). */
export type Inline = PhrasingContent | readonly Inline[];

/**
 * Serialiser options: `-` bullets, `_emphasis_`, `**strong**`, tables without column padding (padding
 * every cell to the widest one would spend GitHub's size limits on spaces).
 */
const OPTIONS: Options = {
  bullet: '-',
  emphasis: '_',
  strong: '*',
  listItemIndent: 'one',
  extensions: [gfmToMarkdown({ tablePipeAlign: false })],
};

function flat(parts: readonly Inline[]): PhrasingContent[] {
  return parts.flatMap((p): PhrasingContent[] => (isList(p) ? flat(p) : [p]));
}

function isList(p: Inline): p is readonly Inline[] {
  return Array.isArray(p);
}

/** The blocks as GitHub-flavoured Markdown, separated by blank lines, without a trailing line break. */
export function serialize(blocks: readonly RootContent[]): string {
  if (!blocks.length) return '';
  return toMarkdown({ type: 'root', children: [...blocks] }, OPTIONS).replace(/\n+$/, '');
}

/** Text the gate writes itself (rule titles, counts, fixed words): escaped where Markdown would read it. */
export function text(value: string): Text {
  return { type: 'text', value };
}

/**
 * Text from the PR, the manifests or GitHub (titles, file names, messages, logins): on one line, invisible
 * characters shown, mentions and bare URLs neutralised; with `max`, cut at a word boundary to `max` characters
 * (table cells default to 500 in the renderers, so one value cannot crowd out the rest of the summary).
 */
export function untrusted(value: string, max = Infinity): Text {
  return text(neutralise(Number.isFinite(max) ? truncate(value, { max, unit: 'chars' }) : value));
}

/** One line, invisible characters shown, mentions and bare URLs broken by a zero-width space. */
function neutralise(value: string): string {
  return (
    showInvisible(value.replace(/\r\n?|\n/g, ' '))
      // GitHub links mentions after rendering, past Markdown: a zero-width space after the `@` stops it.
      .replace(/@(?=\w)/g, '@\u200b')
      // Bare URLs would become links (GFM autolink literals); the serialiser escapes them too.
      .replace(/:\/\//g, ':\u200b//')
      .replace(/\bwww\./gi, (w) => `${w.slice(0, 3)}\u200b.`)
  );
}

/**
 * The gate's own inline Markdown (such as "the full report is in the [job summary](…)", or a note with code
 * spans) as nodes, for messages that are written as Markdown strings. Its links and code spans stay; raw
 * HTML in it becomes text, and its text is neutralised like {@link untrusted} text, because such messages
 * can quote GitHub's error text.
 */
export function ownMarkdown(markdown: string): PhrasingContent[] {
  const root = fromMarkdown(markdown.replace(/\r\n?|\n/g, ' '), { extensions: [gfm()], mdastExtensions: [gfmFromMarkdown()] });
  const inline = (n: PhrasingContent): PhrasingContent => {
    if (n.type === 'html' || n.type === 'text') return text(neutralise(n.value));
    if ('children' in n) return { ...n, children: n.children.map(inline) } as PhrasingContent;
    return n;
  };
  // Block syntax at the start (`# `, `- `, `> `) is read as text: only the inline content is kept.
  const out: PhrasingContent[] = [];
  visitBlocks(root.children, (p) => out.push(...(out.length ? [text(' ')] : []), ...p.children.map(inline)));
  return out;
}

function visitBlocks(nodes: readonly RootContent[], onParagraph: (p: Paragraph | Heading) => void): void {
  for (const n of nodes) {
    if (n.type === 'paragraph' || n.type === 'heading') onParagraph(n);
    else if (n.type === 'html' || n.type === 'code') onParagraph(paragraph(text(n.value)));
    else if ('children' in n) visitBlocks(n.children as RootContent[], onParagraph);
  }
}

/** A login shown as `@login` without mentioning (notifying) the person. */
export function login(name: string): Text {
  return untrusted(`@${name}`, 120);
}

/** Inline code; the serialiser picks a fence longer than any backtick run in `value`. */
export function code(value: string): InlineCode {
  return { type: 'inlineCode', value: showInvisible(value.replace(/\r\n?|\n/g, ' ')) };
}

/** `**…**` */
export function strong(...children: Inline[]): PhrasingContent {
  return { type: 'strong', children: flat(children) };
}

/** `_…_` */
export function emphasis(...children: Inline[]): PhrasingContent {
  return { type: 'emphasis', children: flat(children) };
}

/** `~~…~~` */
export function strike(...children: Inline[]): PhrasingContent {
  return { type: 'delete', children: flat(children) };
}

/** A link; `url` must be one the gate built (GitHub URLs) or checked (see the description section). */
export function link(url: string, ...children: Inline[]): Link {
  return { type: 'link', url, children: flat(children) };
}

/**
 * A link when `url` is a plain http(s) URL (no white space, parentheses or angle brackets), else just the
 * children: for URLs the gate read rather than built (an API answer, a report read back from a file), so
 * no `javascript:` or malformed URL becomes a link.
 */
export function httpLink(url: string | null | undefined, ...children: Inline[]): Inline {
  return url && /^https?:\/\/[^\s()<>]+$/.test(url) ? link(url, ...children) : flat(children);
}

/** Raw HTML the gate writes itself (never text from the PR). */
export function html(value: string): Html {
  return { type: 'html', value };
}

/** A paragraph of inline content. */
export function paragraph(...children: Inline[]): Paragraph {
  return { type: 'paragraph', children: flat(children) };
}

/** A heading of `depth` (1 to 6). */
export function heading(depth: number, ...children: Inline[]): Heading {
  return { type: 'heading', depth: Math.min(6, Math.max(1, depth)) as Heading['depth'], children: flat(children) };
}

/** A block quote of one paragraph. */
export function quote(...children: Inline[]): Blockquote {
  return { type: 'blockquote', children: [paragraph(...children)] };
}

/** A tight bullet list, one paragraph per item. */
export function list(items: readonly Inline[]): List {
  return {
    type: 'list',
    ordered: false,
    spread: false,
    children: items.map((item) => ({ type: 'listItem', spread: false, children: [paragraph(item)] })),
  };
}

/** A table: the header's labels, then rows of cells (each cell inline content). Short rows are padded. */
export function table(header: readonly string[], rows: readonly (readonly Inline[])[]): Table {
  const row = (cells: readonly Inline[]) => ({
    type: 'tableRow' as const,
    children: header.map((_, i) => ({ type: 'tableCell' as const, children: flat(cells[i] === undefined ? [] : [cells[i]!]) })),
  });
  return { type: 'table', align: header.map(() => null), children: [row(header.map(text)), ...rows.map(row)] };
}

/**
 * The header and delimiter lines of {@link table}`(header, rows)`, for a table assembled from
 * {@link tableRowLines}: `tableHead(header) + '\n' + lines.join('\n')` is `serialize([table(header, rows)])`.
 */
export function tableHead(header: readonly string[]): string {
  return serialize([table(header, [])]);
}

/**
 * Each row as the line it is in {@link table}`(header, rows)` (a table with `width` columns): cells are
 * serialised in the same table context, so the lines are the ones the whole table would have. Rows are
 * serialised in one run; should a row not come out as one line, each row is serialised on its own.
 */
export function tableRowLines(width: number, rows: readonly (readonly Inline[])[]): string[] {
  if (!rows.length) return [];
  const header = Array.from({ length: width }, () => '-');
  const lines = serialize([table(header, rows)]).split('\n').slice(2);
  if (lines.length === rows.length) return lines;
  return rows.map((row) => serialize([table(header, [row])]).split('\n').slice(2).join('\n'));
}

/**
 * A floor of the size (in `unit`) of a row's line in a table (see {@link tableRowLines}): the text of its
 * text nodes and code spans (a link's text or its URL, whichever is longer), and a pipe per cell and one at the end. Serialising only
 * ever adds to these (escapes, character references, fences, brackets, padding), never drops any.
 */
export function rowFloor(cells: readonly Inline[], unit: Budget['unit']): number {
  const floor = (x: Inline): number => {
    if (isList(x)) return x.reduce((a: number, y) => a + floor(y), 0);
    if (x.type === 'text' || x.type === 'inlineCode') return measure(x.value, unit);
    // A link is `[text](url)`, or `<url>` when its text is its URL.
    if (x.type === 'link') return Math.max(measure(x.url, unit), floor(x.children));
    return 'children' in x ? floor(x.children) : 0;
  };
  return cells.length + 1 + floor(cells);
}

/**
 * `serialize([table(header, rows)])` for `count` rows made by `row(i)`, serialised 256 rows at a time, or
 * undefined as soon as the text is longer than `budget.max` (the rest is then neither made nor serialised).
 */
export function serializeTableUpTo(header: readonly string[], count: number, row: (i: number) => readonly Inline[], budget: Budget): string | undefined {
  const out = [tableHead(header)];
  let size = measure(out[0]!, budget.unit);
  for (let from = 0; from < count && size <= budget.max; from += 256) {
    const rows = Array.from({ length: Math.min(256, count - from) }, (_, k) => row(from + k));
    for (const line of tableRowLines(header.length, rows)) {
      size += 1 + measure(line, budget.unit);
      out.push(line);
    }
  }
  return size <= budget.max ? out.join('\n') : undefined;
}

/**
 * Each paragraph as `serialize([paragraph])` would give it, serialised in one run (paragraphs in a row
 * are serialised independently and joined by a blank line); should one span lines, each is serialised on its own.
 */
export function serializeParagraphs(paragraphs: readonly Paragraph[]): string[] {
  if (!paragraphs.length) return [];
  const parts = serialize(paragraphs).split('\n\n');
  if (parts.length === paragraphs.length && parts.every((p) => !p.includes('\n'))) return parts;
  return paragraphs.map((p) => serialize([p]));
}

/**
 * A collapsed section: `<details><summary>…</summary>`, the blocks, `</details>`.
 * @param summary HTML the gate wrote; text from the PR in it must go through `htmlCode` (./escape.ts)
 */
export function details(summary: string, body: readonly BlockContent[] | readonly RootContent[]): RootContent[] {
  return [html(`<details><summary>${summary}</summary>`), ...body, html('</details>')];
}

/** `parts` joined with `separator` (text), as one inline run. */
export function join(parts: readonly Inline[], separator: string): PhrasingContent[] {
  return parts.flatMap((p, i) => (i ? [text(separator), ...flat([p])] : flat([p])));
}

/** The heading depth a section prefix such as `###` stands for. */
export function depthOf(h: string): number {
  return h.length;
}
