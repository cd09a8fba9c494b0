/**
 * Guards around the `yaml` package for hostile input: a cheap pre-scan that bounds nesting depth before
 * parsing (the parser and `toJS` recurse once per level, so pathological nesting would exhaust the call
 * stack), and a structural check of each parsed document before it is converted to plain values
 * (depth through aliases, keys Kubernetes cannot convert, aliases that do not resolve or contain themselves).
 */
import { isAlias, isCollection, isMap, isPair, isScalar, type Document, type Node } from 'yaml';

/**
 * Deepest nesting the gate lets the parser see, whatever the policy says. The `yaml` package overflows
 * Node's default stack at about 780 nested flow collections; this keeps a wide margin.
 */
export const SAFE_PARSE_DEPTH = 400;

/** Where the pre-scan found nesting over its cap. */
export interface NestingExcess {
  /** The upper bound reached. */
  bound: number;
  /** 1-based line where the bound first went over the cap. */
  line: number;
}

const BLOCK_SCALAR_HEADER = /(?:^|[\s:-])[|>][0-9+-]*\s*(?:#.*)?$/;

/**
 * An upper bound of the collection nesting in `text`, computed without parsing, in one pass.
 *
 * The bound counts open flow collections (`[`, `{` outside quoted scalars and comments, and in block
 * context only where a value starts), twice the number of open indentation levels (a block mapping and a
 * block sequence may share one indentation), and compact block indicators (`- `, `? `) on the line.
 * Content lines of block scalars (`|`, `>`) are skipped. It over-estimates real nesting, never under-estimates
 * it by more than the parser tolerates.
 * @returns the first place where the bound exceeds `cap`, or `undefined`
 */
export function nestingExcess(text: string, cap: number): NestingExcess | undefined {
  if (quickBound(text) <= cap) return undefined;
  const indents: number[] = [];
  let flow = 0;
  let quote: '' | "'" | '"' = '';
  let blockScalarIndent = -1;
  let lineNo = 0;
  let start = 0;
  while (start <= text.length) {
    // YAML breaks lines at LF, CRLF and a lone CR.
    let end = start;
    while (end < text.length && text.charCodeAt(end) !== 10 && text.charCodeAt(end) !== 13) end++;
    lineNo++;
    const line = text.slice(start, end);
    start = end + (text.charCodeAt(end) === 13 && text.charCodeAt(end + 1) === 10 ? 2 : 1);
    let i = 0;
    while (i < line.length && line[i] === ' ') i++;
    const blank = i >= line.length || line[i] === '#';
    if (blockScalarIndent >= 0) {
      if (blank || i > blockScalarIndent) continue;
      blockScalarIndent = -1;
    }
    if (quote === '' && flow === 0) {
      if (blank) continue;
      if (line.startsWith('---') || line.startsWith('...')) {
        indents.length = 0;
        continue;
      }
      while (indents.length && indents[indents.length - 1]! >= i) indents.pop();
      indents.push(i);
    }
    let depth = flow + 2 * indents.length;
    let valueStart = flow === 0;
    for (; i < line.length; i++) {
      const c = line[i]!;
      if (quote) {
        if (c === quote) {
          if (quote === "'" && line[i + 1] === "'") i++;
          else quote = '';
        } else if (c === '\\' && quote === '"') i++;
        continue;
      }
      const prev = i > 0 ? line[i - 1]! : ' ';
      const spaced = prev === ' ' || prev === '\t';
      if (c === '#' && spaced) break;
      const indicator = (line[i + 1] === ' ' || i + 1 === line.length) && flow === 0;
      if (indicator && c === ':') {
        valueStart = true;
        continue;
      }
      if (indicator && valueStart && (c === '-' || c === '?')) {
        depth++;
        continue;
      }
      if (c === ' ' || c === '\t') continue;
      const tokenStart = flow > 0 ? spaced || '[{,:'.includes(prev) : valueStart;
      if ((c === '"' || c === "'") && tokenStart) quote = c;
      else if ((c === '[' || c === '{') && (flow > 0 || valueStart)) {
        flow++;
        depth++;
      } else if ((c === ']' || c === '}') && flow > 0) flow--;
      if (depth > cap) return { bound: depth, line: lineNo };
      if (flow === 0) valueStart = false;
    }
    if (depth > cap) return { bound: depth, line: lineNo };
    if (flow === 0 && quote === '' && BLOCK_SCALAR_HEADER.test(line.trimEnd())) blockScalarIndent = indents[indents.length - 1] ?? 0;
  }
  return undefined;
}

/**
 * A looser bound, in one tight loop: every line may open two levels, every bracket, `-` and `?` one more.
 * Most manifests are far under the cap by this count, and skip the exact scan.
 */
function quickBound(text: string): number {
  let n = 2;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    // \n \r [ { - ?
    if (c === 10 || c === 13) n += 2;
    else if (c === 91 || c === 123 || c === 45 || c === 63) n++;
  }
  return n;
}

/** A structural problem of one parsed document. */
export interface DocIssue {
  kind: 'yaml-syntax' | 'yaml-limit' | 'yaml-unsupported-key';
  message: string;
  /** Offset in the text of the offending node. */
  offset: number;
}

function offsetOf(node: unknown, fallback: number): number {
  return (node as Node | null)?.range?.[0] ?? fallback;
}

function describeKey(key: unknown, doc: Document.Parsed): string {
  if (isMap(key)) return 'a mapping';
  if (isCollection(key)) return 'a sequence';
  if (isAlias(key)) return `the alias *${key.source}, which names ${isMap(key.resolve(doc)) ? 'a mapping' : isCollection(key.resolve(doc)) ? 'a sequence' : 'null or nothing'}`;
  return 'null';
}

/**
 * Checks a parsed document before it is converted to plain values, without recursion:
 * - nesting depth, following aliases (memoised, so alias bombs cost one visit per node), against `maxDepth`;
 * - mapping keys that are collections or null (directly or through an alias): Kubernetes converts YAML to JSON with
 *   sigs.k8s.io/yaml, whose `convertToJSONableObject` accepts only string, integer, float and boolean keys
 *   (and go-yaml v2 rejects collection keys outright);
 * - aliases with no anchor before them in the same document (anchors never cross documents), and aliases
 *   inside the node they name (go-yaml v3: "anchor value contains itself").
 * @returns the issues found; an empty list means `doc.toJS()` is safe to call
 */
export function inspectDoc(doc: Document.Parsed, maxDepth: number): DocIssue[] {
  const issues: DocIssue[] = [];
  const height = new Map<unknown, number>();
  const open = new Set<unknown>();
  const docStart = doc.range[0];
  const root = doc.contents as unknown;
  const stack: { n: unknown; expanded: boolean }[] = [{ n: root, expanded: false }];
  const heightOf = (n: unknown): number => (isAlias(n) ? height.get(n.resolve(doc)) ?? 0 : height.get(n) ?? 0);
  while (stack.length) {
    const top = stack[stack.length - 1]!;
    const n = top.n;
    if (isAlias(n)) {
      stack.pop();
      const target = n.resolve(doc);
      if (!target) issues.push({ kind: 'yaml-syntax', message: `alias *${n.source} names no anchor set before it in this document (anchors do not cross "---")`, offset: offsetOf(n, docStart) });
      else if (open.has(target)) issues.push({ kind: 'yaml-syntax', message: `alias *${n.source} is inside the node its anchor names (a value cannot contain itself)`, offset: offsetOf(n, docStart) });
      continue;
    }
    if (!isCollection(n)) {
      stack.pop();
      continue;
    }
    const children: unknown[] = [];
    for (const it of n.items as unknown[]) {
      if (isPair(it)) {
        const k = it.key as unknown;
        const resolved = isAlias(k) ? k.resolve(doc) : k;
        if (!top.expanded && (isCollection(resolved) || resolved === null || resolved === undefined || (isScalar(resolved) && resolved.value === null))) {
          issues.push({ kind: 'yaml-unsupported-key', message: `mapping key is ${describeKey(k, doc)}: Kubernetes accepts only string, number and boolean keys`, offset: offsetOf(k, offsetOf(it.value, offsetOf(n, docStart))) });
        }
        children.push(k, it.value);
      } else children.push(it);
    }
    if (!top.expanded) {
      top.expanded = true;
      open.add(n);
      // Pushed last-first so children complete in document order: an anchor before the aliases naming it.
      for (let i = children.length - 1; i >= 0; i--) {
        const c = children[i];
        if (c !== null && c !== undefined && !height.has(c)) stack.push({ n: c, expanded: false });
      }
      continue;
    }
    stack.pop();
    open.delete(n);
    let h = 0;
    for (const c of children) h = Math.max(h, heightOf(c));
    height.set(n, h + 1);
    if (issues.length) return issues;
  }
  if (issues.length) return issues;
  const total = heightOf(root);
  if (total > maxDepth) {
    // Walk down the deepest branch to the node at the limit, so the finding points at a line.
    let n: unknown = root;
    for (let d = 1; d < maxDepth && n; d++) {
      if (isAlias(n)) n = n.resolve(doc);
      if (!isCollection(n)) break;
      let best: unknown;
      for (const it of n.items as unknown[]) {
        for (const c of isPair(it) ? [it.key, it.value] : [it]) if (best === undefined || heightOf(c) > heightOf(best)) best = c;
      }
      n = best;
    }
    issues.push({ kind: 'yaml-limit', message: `nesting is ${total} levels deep (aliases expanded), over the limit of ${maxDepth} (policy manifests.limits.maxDepth)`, offset: offsetOf(n, docStart) });
  }
  return issues;
}
