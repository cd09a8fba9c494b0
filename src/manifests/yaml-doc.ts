/**
 * The YAML layer: multi-document parsing with a position for every node, and limits against hostile
 * input (alias bombs, oversized files, deep nesting). Built on the `yaml` package, which reads every
 * file that is not plain YAML and reports its problems; plain YAML, most manifests, is read about twice
 * as fast by js-yaml's event parser (yaml-fast.ts), with the same values and positions.
 */
import { isAlias, isMap, isScalar, isSeq, LineCounter, parseAllDocuments, type Document, type Node, type Pair } from 'yaml';
import type { Position } from '../core/model.js';
import { inspectDoc, nestingExcess, SAFE_PARSE_DEPTH } from './yaml-guard.js';
import { fastParseYaml } from './yaml-fast.js';

/** Limits applied to every YAML file the gate reads. */
export interface YamlLimits {
  /** Largest file accepted, in bytes. */
  maxFileBytes: number;
  /** Most documents accepted in one file. */
  maxDocuments: number;
  /** Most alias dereferences per document (the `yaml` package's `maxAliasCount`; guards against alias bombs). */
  maxAliasCount: number;
  /** Deepest nesting of collections accepted, aliases expanded (capped at {@link SAFE_PARSE_DEPTH}). */
  maxDepth: number;
}

/** Defaults: generous for real manifests, small enough that hostile input cannot exhaust memory. */
export const DEFAULT_YAML_LIMITS: YamlLimits = {
  maxFileBytes: 8 * 1024 * 1024,
  maxDocuments: 10_000,
  maxAliasCount: 1_000,
  maxDepth: 200,
};

export type { YamlDoc, YamlPath } from './yaml-types.js';
import type { YamlDoc, YamlPath } from './yaml-types.js';


/** A problem found while reading YAML, with its position. */
export interface YamlProblem {
  /** The rule the problem falls under. */
  kind: 'yaml-syntax' | 'yaml-duplicate-key' | 'yaml-limit' | 'yaml-not-text' | 'yaml-unsupported-key';
  message: string;
  line: number;
  column: number;
}


/** A whole parsed YAML file. */
export interface YamlFile {
  /** The decoded text (BOM dropped); undefined when the file was over the size limit or not text. */
  text?: string;
  docs: YamlDoc[];
  problems: YamlProblem[];
  /** Drops what the documents keep for position lookups, when the text was read by the fast path (a later lookup parses again). */
  release?: () => void;
}

const decoder = new TextDecoder('utf-8', { fatal: true });

/**
 * Decodes bytes as UTF-8 text (a BOM is dropped).
 * @returns the text, or `undefined` when the bytes are not valid UTF-8 or contain NUL (binary).
 */
export function decodeText(bytes: Uint8Array): string | undefined {
  let text: string;
  try {
    text = decoder.decode(bytes);
  } catch {
    return undefined;
  }
  if (text.includes('\u0000')) return undefined;
  return text.startsWith('\uFEFF') ? text.slice(1) : text;
}

/**
 * Parses a YAML file of one or more documents, never throwing for bad input: every problem comes back
 * in `problems` with its line and column.
 *
 * Keys must be unique (duplicate keys are an error in go-yaml v3, which kustomize uses). `<<` merge keys
 * are expanded, as go-yaml (and so sigs.k8s.io/yaml and kustomize) expands them.
 */
export function parseYamlFile(bytes: Uint8Array, limits: YamlLimits = DEFAULT_YAML_LIMITS): YamlFile {
  if (bytes.byteLength > limits.maxFileBytes) {
    return {
      docs: [],
      problems: [
        {
          kind: 'yaml-limit',
          message: `file is ${bytes.byteLength} bytes, over the limit of ${limits.maxFileBytes} bytes (policy manifests.limits.maxFileBytes)`,
          line: 1,
          column: 1,
        },
      ],
    };
  }
  const text = decodeText(bytes);
  if (text === undefined) {
    return {
      docs: [],
      problems: [{ kind: 'yaml-not-text', message: 'file is not UTF-8 text (binary content or invalid UTF-8)', line: 1, column: 1 }],
    };
  }
  return { ...parseYamlText(text, limits), text };
}

/** Options of {@link parseYamlText}. */
export interface ParseTextOptions {
  /**
   * Build only the position lookups (`pos`, `keyPos`, `node`): no plain values (`value` stays `undefined`)
   * and no alias/depth inspection. Only for text already parsed in full once (a worker's file whose
   * positions are asked for later), where the values and problems are known.
   */
  positionsOnly?: boolean;
}

/**
 * Parses YAML text; see {@link parseYamlFile}. Plain YAML (no anchors, aliases, tags, merge keys or
 * directives, string keys only) is read by the fast path (yaml-fast.ts), everything else by
 * {@link parseYamlTextFully}; both give the same documents, values and positions.
 */
export function parseYamlText(text: string, limits: YamlLimits = DEFAULT_YAML_LIMITS, opts: ParseTextOptions = {}): YamlFile {
  const fast = fastParseYaml(text, {
    // Shallower than the full parser's cap: deeper text goes to the full parser, which reports it.
    maxDepth: Math.min(limits.maxDepth, SAFE_PARSE_DEPTH) - 1,
    maxDocuments: limits.maxDocuments,
    fullDocs: () => parseYamlTextFully(text, limits, { positionsOnly: true }).docs,
  });
  if (fast) return { docs: fast.docs, problems: [], release: fast.release };
  return parseYamlTextFully(text, limits, opts);
}

/** Parses YAML text with the `yaml` package, whatever it holds; see {@link parseYamlFile}. */
export function parseYamlTextFully(text: string, limits: YamlLimits = DEFAULT_YAML_LIMITS, opts: ParseTextOptions = {}): YamlFile {
  const lineCounter = new LineCounter();
  const problems: YamlProblem[] = [];
  const at = (offset: number): Position => {
    const p = lineCounter.linePos(offset);
    return { line: p.line, column: p.col };
  };
  const cap = Math.min(limits.maxDepth, SAFE_PARSE_DEPTH);
  // Pre-scan: the parser recurses once per nesting level, so refuse pathological nesting before parsing.
  const excess = nestingExcess(text, SAFE_PARSE_DEPTH);
  if (excess) {
    return {
      docs: [],
      problems: [{ kind: 'yaml-limit', message: `nesting goes deeper than ${SAFE_PARSE_DEPTH} levels, more than the gate parses (policy manifests.limits.maxDepth is ${limits.maxDepth})`, line: excess.line, column: 1 }],
    };
  }
  let parsed: Document.Parsed[];
  try {
    parsed = parseAllDocuments(text, { lineCounter, uniqueKeys: true, prettyErrors: false, strict: true, merge: true }) as Document.Parsed[];
  } catch (err) {
    // Not expected after the pre-scan; kept so that a parser failure is a finding, never a crash.
    return { docs: [], problems: [{ kind: 'yaml-limit', message: `YAML could not be parsed: ${(err as Error).message}`, line: 1, column: 1 }] };
  }
  if (!Array.isArray(parsed)) parsed = [parsed];
  if (parsed.length > limits.maxDocuments) {
    return {
      docs: [],
      problems: [{ kind: 'yaml-limit', message: `file holds ${parsed.length} documents, over the limit of ${limits.maxDocuments}`, line: 1, column: 1 }],
    };
  }
  const docs: YamlDoc[] = [];
  parsed.forEach((doc, index) => {
    let broken = false;
    for (const e of doc.errors) {
      broken = true;
      const pos = at(e.pos[0]);
      problems.push({
        // The parser turns a stack overflow into an error of its own; that is a limit, not a syntax error.
        kind: e.code === 'DUPLICATE_KEY' ? 'yaml-duplicate-key' : /call stack/i.test(e.message) ? 'yaml-limit' : 'yaml-syntax',
        message: firstLine(e.message),
        ...pos,
      });
    }
    for (const w of doc.warnings) {
      // Warnings (for example unresolved tags) do not make a document invalid for Kubernetes.
      void w;
    }
    let value: unknown;
    if (!broken && !opts.positionsOnly) {
      const issues = inspectDoc(doc, cap);
      for (const issue of issues) problems.push({ kind: issue.kind, message: issue.message, ...at(issue.offset) });
      if (issues.length) {
        broken = true;
      } else {
        try {
          value = doc.toJS({ maxAliasCount: limits.maxAliasCount });
        } catch (err) {
          broken = true;
          const message = firstLine((err as Error).message);
          // A merge key whose value is not a mapping is malformed YAML; anything else here is a limit (aliases).
          problems.push({ kind: /merge/i.test(message) ? 'yaml-syntax' : 'yaml-limit', message: `YAML could not be expanded: ${message}`, ...at(doc.range[0]) });
        }
      }
    }
    const docStart = doc.contents?.range?.[0] ?? doc.range[0];
    docs.push({
      index,
      value: broken ? undefined : value,
      broken,
      startLine: at(docStart).line,
      pos: (path) => at(nearestNode(doc, path)?.range?.[0] ?? docStart),
      keyPos: (path) => {
        const pair = pairAt(doc, path);
        const key = pair && (pair.key as Node | null);
        if (key && key.range) return at(key.range[0]);
        return at(nearestNode(doc, path)?.range?.[0] ?? docStart);
      },
      node: (path) => nodeAt(doc, path),
      scalarSource: (path) => {
        const n = nodeAt(doc, path);
        return isScalar(n) && n.source !== undefined ? String(n.source) : undefined;
      },
      isMap: (path) => isMap(nodeAt(doc, path)),
    });
  });
  return { docs, problems };
}

function firstLine(s: string): string {
  const i = s.indexOf('\n');
  return i < 0 ? s : s.slice(0, i);
}

function keyOf(pair: Pair): unknown {
  const k = pair.key as unknown;
  return isScalar(k) ? k.value : k;
}

/** True for a `<<` merge key (parsed with `merge: true`, its scalar value is a symbol). */
function isMergePair(pair: Pair): boolean {
  const k = keyOf(pair);
  return typeof k === 'symbol' && k.description === '<<';
}

/**
 * The pair of `map` with key `seg`: written in the map, or else brought in by a `<<` merge key (the
 * merged mapping, an alias to one, or a sequence of them; earlier sources win, as in YAML 1.1).
 */
function findPair(doc: Document, map: unknown, seg: string | number, seen?: Set<unknown>): Pair | undefined {
  if (!isMap(map) || seen?.has(map)) return undefined;
  const key = String(seg);
  // One pass: a pair written in the map wins wherever it stands; merge keys are kept, in order, for later.
  let merges: Pair[] | undefined;
  for (const p of map.items as Pair[]) {
    if (isMergePair(p)) (merges ??= []).push(p);
    else if (String(keyOf(p)) === key) return p;
  }
  if (!merges) return undefined;
  // Maps already searched, against merge cycles; created only when a merge key is followed.
  const visited = seen ?? new Set<unknown>();
  visited.add(map);
  for (const merge of merges) {
    const value = isAlias(merge.value) ? merge.value.resolve(doc) : merge.value;
    const sources = isSeq(value) ? value.items.map((it) => (isAlias(it) ? it.resolve(doc) : it)) : [value];
    for (const src of sources) {
      const found = findPair(doc, src, seg, visited);
      if (found) return found;
    }
  }
  return undefined;
}

/** The pair whose key is the last path element, inside the map at the path's parent. */
function pairAt(doc: Document, path: YamlPath): Pair | undefined {
  if (path.length === 0) return undefined;
  return findPair(doc, nodeAt(doc, path.slice(0, -1)), path[path.length - 1]!);
}

/**
 * The node at `path`, following maps by key (merge keys included) and sequences by index. Aliases are
 * followed only into merged mappings.
 */
export function nodeAt(doc: Document, path: YamlPath): Node | undefined {
  let cur: unknown = doc.contents;
  for (const seg of path) {
    if (isMap(cur)) {
      const pair = findPair(doc, cur, seg);
      if (!pair) return undefined;
      cur = pair.value;
    } else if (isSeq(cur) && typeof seg === 'number') {
      cur = cur.items[seg];
    } else {
      return undefined;
    }
  }
  return (cur ?? undefined) as Node | undefined;
}

function nearestNode(doc: Document, path: YamlPath): Node | undefined {
  for (let n = path.length; n >= 0; n--) {
    const node = nodeAt(doc, path.slice(0, n));
    if (node && node.range) return node;
  }
  return undefined;
}
