/**
 * The PR body as Markdown: headings (ATX and setext), the section under each heading, and the body's
 * content as leaf blocks (paragraphs, list items, table rows, code blocks) with HTML comments removed.
 * Parsing uses micromark with GitHub Flavored Markdown (mdast-util-from-markdown, mdast-util-gfm), so
 * headings, comments and task-list checkboxes are read as GitHub renders them.
 *
 * The PR body is written by the PR's author, so it is hostile input: micromark and mdast recurse per nesting level
 * and some inputs are super-linear (`"> "` × 32k overflows the stack; `"*_"` × 32k takes over a minute). Every
 * parse of PR text goes through {@link prescanMarkdown} (size and nesting limits) and either
 * {@link parseBodySafe} (in-process, exceptions caught) or `parseBodyBounded` (./bounded.ts: a worker thread with
 * a time limit), which return a {@link BodyParse} instead of throwing.
 */
import type { Heading, Nodes, Root, RootContent } from 'mdast';
import { fromMarkdown } from 'mdast-util-from-markdown';
import { gfmFromMarkdown } from 'mdast-util-gfm';
import { toString } from 'mdast-util-to-string';
import { gfm } from 'micromark-extension-gfm';

/** One heading of the body. */
export interface BodyHeading {
  /** Heading text as rendered (inline Markdown removed), trimmed. */
  text: string;
  /** The heading's source, for quoting (for example `## Rollback plan`); setext headings give their first line. */
  source: string;
  /** 1 to 6. */
  depth: number;
  /** 1-based line in the body. */
  line: number;
}

/** A leaf block of content. */
export interface Block {
  /** The block's text with inline Markdown removed and whitespace runs collapsed; may be empty. */
  text: string;
  /** 1-based line in the body. */
  line: number;
  /** For task-list items: whether the box is ticked; `undefined` for other blocks. */
  checked?: boolean;
  /** True when the block held an HTML comment (so an empty block was "only a comment"). */
  hadComment: boolean;
  /** True for a checkbox with no text (`- [ ]`). */
  stub: boolean;
}

/** A heading and the content up to the next heading of the same or a higher level. */
export interface Section {
  heading: BodyHeading;
  /** Leaf blocks of the section, sub-sections included. */
  blocks: Block[];
  /** Headings of sub-sections, which are structure rather than content. */
  subheadings: BodyHeading[];
}

/** The parsed body. */
export interface ParsedBody {
  headings: BodyHeading[];
  sections: Section[];
  /** Every leaf block of the body, in order (headings excluded). */
  blocks: Block[];
}

const COMMENT = /<!--[\s\S]*?(?:-->|$)/g;
const TAG = /<\/?[A-Za-z][^>]*>/g;
/** A list item GitHub does not render as a task because nothing follows the box (`- [ ]`). */
const BARE_BOX = /^\[[ xX]?\]$/;

function collapse(text: string): string {
  return text.replace(/\s+/g, ' ').trim();
}

/** Parses Markdown as GitHub does (CommonMark + GFM). Never throws: micromark accepts any input. */
export function parseMarkdown(text: string): Root {
  return fromMarkdown(text, { extensions: [gfm()], mdastExtensions: [gfmFromMarkdown()] });
}

/** Text of inline content, with HTML comments and tags in inline HTML dropped. */
function inlineText(node: Nodes, marks: { comment: boolean }): string {
  if (node.type === 'html') {
    if (node.value.includes('<!--')) marks.comment = true;
    return node.value.replace(COMMENT, ' ').replace(TAG, ' ');
  }
  if (node.type === 'image') return node.alt ?? '';
  if ('children' in node) return (node.children as Nodes[]).map((c) => inlineText(c, marks)).join('');
  if ('value' in node && typeof node.value === 'string') return node.value;
  if (node.type === 'break') return ' ';
  return '';
}

function line(node: Nodes): number {
  return node.position?.start.line ?? 1;
}

/** Appends the leaf blocks of `node` to `out`. Headings are skipped (they are structure, not content). */
function collectBlocks(node: Nodes, out: Block[], checked?: boolean | null): void {
  switch (node.type) {
    case 'heading':
    case 'thematicBreak':
    case 'definition':
      return;
    case 'html': {
      const hadComment = node.value.includes('<!--');
      out.push({ text: collapse(node.value.replace(COMMENT, ' ').replace(TAG, ' ')), line: line(node), hadComment, stub: false });
      return;
    }
    case 'code':
      out.push({ text: collapse(node.value), line: line(node), hadComment: false, stub: false });
      return;
    case 'paragraph': {
      const marks = { comment: false };
      const text = collapse(inlineText(node, marks));
      const isTask = checked !== undefined && checked !== null;
      const bareBox = !isTask && BARE_BOX.test(text);
      out.push({
        text: bareBox ? '' : text,
        line: line(node),
        ...(isTask ? { checked } : {}),
        hadComment: marks.comment,
        stub: bareBox || (isTask && text === ''),
      });
      return;
    }
    case 'listItem': {
      const before = out.length;
      for (const c of node.children) collectBlocks(c, out, out.length === before ? node.checked : undefined);
      // A task item with nothing after the box has no paragraph at all.
      if (out.length === before && node.checked !== null && node.checked !== undefined) {
        out.push({ text: '', line: line(node), checked: node.checked, hadComment: false, stub: true });
      }
      return;
    }
    case 'tableRow': {
      const marks = { comment: false };
      const cells = node.children.map((c) => collapse(inlineText(c, marks)));
      out.push({ text: collapse(cells.join(' | ')), line: line(node), hadComment: marks.comment, stub: false });
      return;
    }
    default:
      if ('children' in node) for (const c of node.children as Nodes[]) collectBlocks(c, out);
  }
}

function headingOf(node: Heading, body: string): BodyHeading {
  const start = node.position?.start.offset ?? 0;
  const end = node.position?.end.offset ?? start;
  const source = body.slice(start, end).split(/\r?\n/)[0]!.trim();
  return { text: collapse(toString(node)), source, depth: node.depth, line: line(node) };
}

/**
 * Parses a PR body into headings, sections and blocks. Only top-level headings open sections
 * (a heading inside a list or a quote does not).
 */
export function parseBody(body: string): ParsedBody {
  const root = parseMarkdown(body);
  const headings: BodyHeading[] = [];
  const sections: Section[] = [];
  const blocks: Block[] = [];
  const open: Section[] = [];
  for (const node of root.children as RootContent[]) {
    if (node.type === 'heading') {
      const h = headingOf(node, body);
      headings.push(h);
      while (open.length && open[open.length - 1]!.heading.depth >= h.depth) open.pop();
      for (const s of open) s.subheadings.push(h);
      const s: Section = { heading: h, blocks: [], subheadings: [] };
      sections.push(s);
      open.push(s);
      continue;
    }
    const mine: Block[] = [];
    collectBlocks(node, mine);
    blocks.push(...mine);
    for (const s of open) s.blocks.push(...mine);
  }
  return { headings, sections, blocks };
}

/**
 * Normalises a heading or a policy's accepted heading for comparison: case-folded, leading and trailing
 * punctuation and symbols (emoji, `:`, `?`) removed, hyphens and underscores read as spaces.
 */
export function normaliseHeading(text: string): string {
  return collapse(
    text
      .toLowerCase()
      .replace(/[-_]+/g, ' ')
      .replace(/^[^\p{L}\p{N}]+|[^\p{L}\p{N}]+$/gu, ''),
  );
}

/** Limits of a Markdown parse of PR text. */
export interface MarkdownLimits {
  /** Most characters (UTF-16 code units) read; GitHub itself refuses a PR body over 65,536. */
  maxChars: number;
  /** Most block quotes and list markers opened on one line before its content. */
  maxDepth: number;
  /** Wall-clock time of a parse in a worker thread, in milliseconds (./bounded.ts). */
  timeoutMs: number;
}

/**
 * The limits: GitHub's own cap on a PR body (65,536 characters), 32 nested containers (far beyond what any
 * description uses; the stack overflows in the tens of thousands), and 10 s of parsing (an ordinary body
 * takes milliseconds).
 */
export const MARKDOWN_LIMITS: MarkdownLimits = { maxChars: 65_536, maxDepth: 32, timeoutMs: 10_000 };

/** Why a text was not parsed: the limit it exceeds and where (1-based line, when one line is at fault). */
export interface Unparseable {
  message: string;
  line?: number;
  /** Which bound was hit. */
  limit: 'size' | 'depth' | 'time' | 'error';
}

/** A parse that does not throw: the body, or why it could not be read. */
export type BodyParse = { ok: true; body: ParsedBody } | ({ ok: false } & Unparseable);

/** An ordered or bullet list marker followed by a space, a tab or the end of the line. */
const LIST_MARKER = /^(?:[-+*]|\d{1,9}[.)])(?=[ \t]|$)/;
/** A thematic break (`* * *`, `- - -`): list-marker-like characters that open no list. */
const THEMATIC_BREAK = /^ {0,3}([-*_])(?:[ \t]*\1){2,}[ \t]*$/;

/**
 * Checks text against the size and nesting limits before it is parsed. Nesting is counted per line: the block
 * quote markers (`>`) and list markers (`-`, `+`, `*`, `1.`, `1)`) that open containers before the line's content.
 * Conservative: a marker counted here may not open a container in the end (the line is then refused a little early).
 * @returns why the text is refused, or `undefined` when it is within the limits
 */
export function prescanMarkdown(text: string, limits: MarkdownLimits = MARKDOWN_LIMITS): Unparseable | undefined {
  if (text.length > limits.maxChars) {
    return { limit: 'size', message: `it is ${text.length.toLocaleString('en-US')} characters long; the limit is ${limits.maxChars.toLocaleString('en-US')} (GitHub's own limit for a PR body)` };
  }
  let lineNo = 0;
  for (const line of text.split(/\r\n|\r|\n/)) {
    lineNo++;
    if (THEMATIC_BREAK.test(line)) continue;
    let depth = 0;
    let i = 0;
    for (;;) {
      while (line[i] === ' ' || line[i] === '\t') i++;
      if (line[i] === '>') {
        i++;
      } else {
        const m = LIST_MARKER.exec(line.slice(i, i + 11));
        if (!m) break;
        i += m[0].length;
      }
      if (++depth > limits.maxDepth) {
        return { limit: 'depth', line: lineNo, message: `line ${lineNo} nests more than ${limits.maxDepth} block quotes and list items` };
      }
    }
  }
  return undefined;
}

/**
 * Parses PR text in-process within the size and nesting limits, catching what the parser throws (a stack
 * overflow on deep inline nesting). No time limit: use `parseBodyBounded` (./bounded.ts) for untrusted text
 * when a worker is available.
 */
export function parseBodySafe(text: string, limits: MarkdownLimits = MARKDOWN_LIMITS): BodyParse {
  const refused = prescanMarkdown(text, limits);
  if (refused) return { ok: false, ...refused };
  try {
    return { ok: true, body: parseBody(text) };
  } catch (e) {
    return { ok: false, limit: 'error', message: `the Markdown parser failed: ${(e as Error).message}` };
  }
}
