/**
 * The fast path of the YAML layer. Most manifests are plain YAML: block and flow collections of
 * scalars, with no anchors, aliases, tags, merge keys or directives. For those, js-yaml's event parser
 * (`parseEvents`) is about twice as fast as the `yaml` package's full parse (measured in `npm run bench`).
 * This module builds the plain values from those events, resolving scalars with the YAML 1.2 core schema
 * as the `yaml` package resolves them, and answers position lookups from the same events.
 *
 * Any other text is refused (`undefined`): a syntax error, an anchor, alias, tag or directive, a mapping
 * key that is not a string, a `<<` or `__proto__` key, a duplicate key, an empty document, or a document
 * that is a bare scalar. The caller then parses it with the `yaml` package (yaml-doc.ts), which reports
 * every problem with its line. The fast path therefore changes how fast a plain file is read, never what
 * is found in it; test/unit/yaml-fast.test.ts compares the two paths on fixtures and generated documents.
 */
import { EVENT_ID, getScalarValue, parseEvents, SCALAR_STYLE, type Event, type ScalarEvent } from 'js-yaml';
import { LineCounter, type Node } from 'yaml';
import type { Position } from '../core/model.js';
import type { YamlDoc, YamlPath } from './yaml-types.js';
import { resolvePlainScalar } from './plain-scalar.js';

/** Events of one text, with each node's end and each document's root node. */
interface EventTree {
  events: Event[];
  /** `ends[i]`: index of the first event after the node that starts at event `i`. */
  ends: Int32Array;
  /** Event index of each document's root node. */
  roots: number[];
}

type Frame =
  | { kind: 'doc'; filled: boolean; value: unknown }
  | { kind: 'map'; obj: Record<string, unknown>; key: string | undefined }
  | { kind: 'seq'; arr: unknown[] };

/**
 * Characters the two parsers treat differently, left to the full parser: a lone carriage return (it breaks
 * lines for one parser and not the other; CRLF is read as LF, see {@link fastParseYaml}), byte order marks inside the
 * text, NEL and the Unicode line and paragraph separators, and characters YAML does not allow (controls,
 * U+FFFE, U+FFFF).
 */
// eslint-disable-next-line no-control-regex -- the control characters are what it looks for
const UNUSUAL_CHARACTER = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u2028\u2029\ufeff\ufffe\uffff]/;

/** A `...` document end marker at the start of a line: the parsers disagree on the empty documents around it. */
const DOCUMENT_END = /^\.\.\.(?:[ \t\r\n#]|$)/m;

const hasOwn = (o: object, k: string) => Object.prototype.hasOwnProperty.call(o, k);

/**
 * Parses `text` into events and plain values, or returns `undefined` when the text is not plain YAML
 * (see the module comment). Never throws.
 */
function buildTree(text: string, maxDepth: number, maxDocuments: number): { tree: EventTree; values: unknown[] } | undefined {
  if (UNUSUAL_CHARACTER.test(text) || DOCUMENT_END.test(text)) return undefined;
  let events: Event[];
  try {
    events = parseEvents(text, { maxDepth });
  } catch {
    return undefined;
  }
  const values: unknown[] = [];
  const stack: Frame[] = [];
  // Adds a finished node to the open collection or document; false refuses the text.
  const attach = (value: unknown): boolean => {
    const top = stack[stack.length - 1];
    if (!top) return false;
    if (top.kind === 'doc') {
      if (top.filled) return false;
      top.filled = true;
      top.value = value;
    } else if (top.kind === 'seq') top.arr.push(value);
    else {
      if (top.key === undefined) return false; // a collection as a key
      top.obj[top.key] = value;
      top.key = undefined;
    }
    return true;
  };
  for (const ev of events) {
    switch (ev.type) {
      case EVENT_ID.DOCUMENT:
        if (ev.directives.length || stack.length) return undefined;
        stack.push({ kind: 'doc', filled: false, value: undefined });
        break;
      case EVENT_ID.MAPPING:
      case EVENT_ID.SEQUENCE: {
        if (ev.anchorStart !== -1 || ev.tagStart !== -1) return undefined;
        const frame: Frame = ev.type === EVENT_ID.MAPPING ? { kind: 'map', obj: {}, key: undefined } : { kind: 'seq', arr: [] };
        if (!attach(frame.kind === 'map' ? frame.obj : frame.arr)) return undefined;
        stack.push(frame);
        break;
      }
      case EVENT_ID.SCALAR: {
        if (ev.anchorStart !== -1 || ev.tagStart !== -1) return undefined;
        const top = stack[stack.length - 1];
        const plain = ev.style === SCALAR_STYLE.PLAIN;
        if (top?.kind === 'map' && top.key === undefined) {
          // A key: only a non-empty string that the `yaml` package would also use as it is.
          if (ev.valueStart < 0) return undefined;
          const key = getScalarValue(text, ev);
          if ((plain && typeof resolvePlainScalar(key) !== 'string') || key === '<<' || key === '__proto__' || hasOwn(top.obj, key)) return undefined;
          top.key = key;
          break;
        }
        if (top?.kind === 'doc') return undefined; // a bare scalar (or empty) document
        const s = ev.valueStart < 0 ? '' : getScalarValue(text, ev);
        if (!attach(plain ? resolvePlainScalar(s) : s)) return undefined;
        break;
      }
      case EVENT_ID.POP: {
        const frame = stack.pop();
        if (!frame) return undefined;
        if (frame.kind === 'doc') {
          if (!frame.filled || values.length >= maxDocuments) return undefined;
          values.push(frame.value);
        }
        break;
      }
      default:
        return undefined; // an alias
    }
  }
  return stack.length || values.length === 0 ? undefined : { tree: indexEvents(events), values };
}

/** Indexes well-formed events: where each node ends, and each document's root node. */
function indexEvents(events: Event[]): EventTree {
  const ends = new Int32Array(events.length);
  const roots: number[] = [];
  const open: number[] = [];
  for (let i = 0; i < events.length; i++) {
    const type = events[i]!.type;
    if (type !== EVENT_ID.DOCUMENT && type !== EVENT_ID.POP && events[open[open.length - 1]!]?.type === EVENT_ID.DOCUMENT) roots.push(i);
    if (type === EVENT_ID.POP) ends[open.pop()!] = i + 1;
    else if (type === EVENT_ID.SCALAR) ends[i] = i + 1;
    else open.push(i);
  }
  return { events, ends, roots };
}

/** Options of {@link fastParseYaml}. */
export interface FastParseOptions {
  /** Deepest collection nesting accepted (deeper text is refused, and left to the full parser). */
  maxDepth: number;
  /** Most documents accepted. */
  maxDocuments: number;
  /**
   * The same text's documents from the full parser, for the lookups the events cannot answer exactly
   * (the raw `yaml` node; the start of an empty or block scalar). Called at most once, on first need.
   */
  fullDocs: () => YamlDoc[];
}

/** A file read by the fast path: its documents, and {@link FastFile.release} to drop the events. */
export interface FastFile {
  docs: YamlDoc[];
  /**
   * Drops the events kept for position lookups (the caller has asked what it needs while the file was
   * fresh). A later lookup parses the text again, once.
   */
  release(): void;
}

/**
 * Reads plain YAML text by the fast path.
 * @returns the documents, with the same values and positions as the full parser gives, or `undefined`
 * when the text is not plain YAML and must go to the full parser
 */
export function fastParseYaml(text: string, opts: FastParseOptions): FastFile | undefined {
  // A CRLF line end is a line break like LF (YAML 1.2 section 5.4): values are the same, and so are lines and
  // columns (the CR is the last character of its line). A sixth of the test inputs in ArgoCD's health-check
  // corpus are written with CRLF.
  if (text.includes('\r\n')) text = text.replace(/\r\n/g, '\n');
  const built = buildTree(text, opts.maxDepth, opts.maxDocuments);
  if (!built) return undefined;
  let tree: EventTree | undefined = built.tree;
  let lines: LineCounter | undefined;
  let full: YamlDoc[] | undefined;
  // After a release, the text was accepted once: its events only need indexing again, not checking.
  const getTree = (): EventTree => (tree ??= indexEvents(parseEvents(text, { maxDepth: opts.maxDepth })));
  const fullDoc = (i: number): YamlDoc | undefined => (full ??= opts.fullDocs())[i];
  const at = (offset: number): Position => {
    // Lines counted as the `yaml` package counts them (a line starts after each `\n`), with its own counter.
    if (!lines) {
      lines = new LineCounter();
      lines.addNewLine(0);
      for (let i = text.indexOf('\n'); i >= 0; i = text.indexOf('\n', i + 1)) lines.addNewLine(i + 1);
    }
    const p = lines.linePos(offset);
    return { line: p.line, column: p.col };
  };

  /** Walks `path` from document `d`'s root: the deepest node reached, and whether the whole path exists. */
  const locate = (t: EventTree, d: number, path: YamlPath): { node: number; key: number; complete: boolean } => {
    const { events, ends } = t;
    let node = t.roots[d]!;
    let key = -1;
    for (const seg of path) {
      const ev = events[node]!;
      let k = node + 1;
      if (ev.type === EVENT_ID.MAPPING) {
        const want = String(seg);
        while (events[k]!.type !== EVENT_ID.POP && getScalarValue(text, events[k] as ScalarEvent) !== want) k = ends[k + 1]!;
      } else if (ev.type === EVENT_ID.SEQUENCE && typeof seg === 'number') {
        for (let n = 0; n < seg && events[k]!.type !== EVENT_ID.POP; n++) k = ends[k]!;
      } else return { node, key, complete: false };
      if (events[k]!.type === EVENT_ID.POP) return { node, key, complete: false };
      if (ev.type === EVENT_ID.MAPPING) {
        key = k;
        k++;
      } else key = -1;
      node = k;
    }
    return { node, key, complete: true };
  };
  /** The offset where the `yaml` package's node starts, or -1 when the events cannot tell it exactly. */
  const startOf = (ev: Event): number => {
    if (ev.type === EVENT_ID.MAPPING || ev.type === EVENT_ID.SEQUENCE) return ev.start;
    if (ev.type !== EVENT_ID.SCALAR || ev.valueStart < 0) return -1;
    if (ev.style === SCALAR_STYLE.PLAIN) return ev.valueStart;
    const quote = ev.style === SCALAR_STYLE.SINGLE_QUOTED ? "'" : ev.style === SCALAR_STYLE.DOUBLE_QUOTED ? '"' : '';
    return quote && text[ev.valueStart - 1] === quote ? ev.valueStart - 1 : -1;
  };

  // No closure below refers to `built`: a closure would keep its events alive after a release.
  const docs: YamlDoc[] = built.values.map((value, index) => {
    // The root's position is asked of every resource (sync plans): kept, so it needs no parse later.
    const first = getTree();
    const rootPos = at(startOf(first.events[first.roots[index]!]!));
    const pos = (path: YamlPath): Position => {
      if (path.length === 0) return rootPos;
      const t = getTree();
      const start = startOf(t.events[locate(t, index, path).node]!);
      return start >= 0 ? at(start) : (fullDoc(index)?.pos(path) ?? at(0));
    };
    return {
      index,
      value,
      broken: false,
      startLine: rootPos.line,
      pos,
      keyPos: (path) => {
        if (path.length === 0) return pos(path);
        const t = getTree();
        const loc = locate(t, index, path);
        if (!loc.complete || loc.key < 0) return pos(path);
        const start = startOf(t.events[loc.key]!);
        return start >= 0 ? at(start) : (fullDoc(index)?.keyPos(path) ?? at(0));
      },
      node: (path): Node | undefined => fullDoc(index)?.node(path),
      scalarSource: (path) => {
        const t = getTree();
        const loc = locate(t, index, path);
        const ev = t.events[loc.node]!;
        if (!loc.complete || ev.type !== EVENT_ID.SCALAR) return undefined;
        // An empty value may be an empty scalar or no node at all, as the full parser tells.
        return ev.valueStart < 0 ? fullDoc(index)?.scalarSource(path) : getScalarValue(text, ev);
      },
      isMap: (path) => {
        const t = getTree();
        const loc = locate(t, index, path);
        return loc.complete && t.events[loc.node]!.type === EVENT_ID.MAPPING;
      },
    };
  });
  return {
    docs,
    release: () => {
      tree = undefined;
      lines = undefined;
      full = undefined;
    },
  };
}
