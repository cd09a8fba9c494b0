/**
 * A line reader for the plainest YAML: the shape of nearly every health-test input and `health_test.yaml`
 * (block mappings and sequences, one-line plain and quoted scalars, one-line flow collections, comments).
 * It reads such text several times faster than the general path (js-yaml's events, then the `yaml` package
 * for anything unusual), which dominated the cost of a test case.
 *
 * It never decides anything the general path would decide differently: it gives the same value as
 * `parseYamlText` (YAML 1.2 core schema, through the same {@link resolvePlainScalar}) or refuses
 * (`undefined`), and the caller then reads the text the exact way (argo-yaml.ts, suites.ts). Refused: tabs,
 * control characters, a byte-order mark, non-BMP or surrogate characters, directives, a second document,
 * anchors, aliases, tags, block scalars (`|`, `>`), `?` keys, escapes in double-quoted scalars, scalars over
 * several lines, flow collections over several lines, duplicate keys, keys that are not plain strings (`1`,
 * `true`, `<<`, `__proto__`), a document that is not a mapping, nesting deeper than the caller's limit, and
 * any line whose shape is not one listed above. test/unit/health/input-yaml.test.ts compares both readers.
 */
import { resolvePlainScalar } from '../manifests/yaml-fast.js';

/** Thrown inside the reader to refuse the text (caught in {@link readPlainYaml}). */
class Refuse {}
const REFUSE = new Refuse();
function refuse(): never {
  throw REFUSE;
}

/** Characters the reader leaves to the general path wherever they are (control characters on purpose). */
// eslint-disable-next-line no-control-regex
const UNUSUAL = /[\u0000-\u0009\u000b-\u001f\u007f-\u009f\ud800-\udfff\ufeff\ufffe\uffff]/;
/** First characters of a plain scalar or key that make it something else (or need the general path). */
const INDICATOR = new Set('-?:,[]{}#&*!|>\'"%@`'.split(''));

interface Line {
  indent: number;
  /** The line without its indentation. */
  text: string;
}

/**
 * Reads `text` as one YAML mapping, the way `parseYamlText` would, when the text is of the plain shape
 * described in this module's comment.
 * @param maxDepth deepest nesting of collections to accept (the caller's limit); deeper text is refused
 * @returns the mapping, or undefined when the general path must read the text
 */
export function readPlainYaml(text: string, maxDepth: number): Record<string, unknown> | undefined {
  // CRLF is a line break like LF (YAML 1.2 section 5.4; go-yaml reads it so): a sixth of the inputs in ArgoCD's
  // corpus are written with it. A lone CR is left to the general path.
  if (text.includes('\r\n')) text = text.replace(/\r\n/g, '\n');
  if (UNUSUAL.test(text)) return undefined;
  const lines: Line[] = [];
  let first = true;
  for (const raw of text.split('\n')) {
    let indent = 0;
    while (raw.charCodeAt(indent) === 32) indent++;
    const body = raw.slice(indent);
    if (body === '' || body.trimEnd() === '' || body[0] === '#') continue;
    if (indent === 0 && (body.startsWith('---') || body.startsWith('...') || body[0] === '%')) {
      // Only an opening `---` of the first and only document.
      if (first && body.trimEnd() === '---') {
        first = false;
        continue;
      }
      return undefined;
    }
    first = false;
    lines.push({ indent, text: body.trimEnd() });
  }
  if (lines.length === 0 || lines[0]!.indent !== 0) return undefined;
  const r = new Reader(lines, Math.min(maxDepth, 64));
  try {
    const v = r.block(0, 0, 1);
    if (r.i !== lines.length || v === null || typeof v !== 'object' || Array.isArray(v)) return undefined;
    return v as Record<string, unknown>;
  } catch (e) {
    if (e === REFUSE) return undefined;
    throw e;
  }
}

class Reader {
  i = 0;
  constructor(
    private readonly lines: Line[],
    private readonly maxDepth: number,
  ) {}

  /** The collection starting at the current line, at `indent`. */
  block(indent: number, _from: number, depth: number): unknown {
    if (depth > this.maxDepth) refuse();
    const l = this.lines[this.i]!;
    if (l.indent !== indent) refuse();
    return isItem(l.text) ? this.seq(indent, depth) : this.map(indent, depth);
  }

  private map(indent: number, depth: number): Record<string, unknown> {
    const out: Record<string, unknown> = {};
    const seen = new Set<string>();
    while (this.i < this.lines.length) {
      const l = this.lines[this.i]!;
      if (l.indent < indent) break;
      if (l.indent > indent || isItem(l.text)) refuse();
      const [key, rest] = splitKey(l.text);
      if (seen.has(key)) refuse();
      seen.add(key);
      this.i++;
      out[key] = rest === '' ? this.nested(indent, true, depth) : this.inline(rest, depth);
    }
    return out;
  }

  private seq(indent: number, depth: number): unknown[] {
    const out: unknown[] = [];
    while (this.i < this.lines.length) {
      const l = this.lines[this.i]!;
      if (l.indent < indent) break;
      if (l.indent > indent) refuse();
      // A key at the sequence's column ends a sequence written at its key's column (checked by the caller).
      if (!isItem(l.text)) break;
      let off = 1;
      while (l.text.charCodeAt(off) === 32) off++;
      const rest = l.text.slice(off);
      if (rest === '' || rest[0] === '#') {
        if (rest !== '' && off === 1) refuse();
        this.i++;
        out.push(this.nested(indent, false, depth));
      } else if (isItem(rest)) refuse();
      else if (rest[0] !== '{' && rest[0] !== '[' && keyEnd(rest) >= 0) {
        // A compact mapping: the item's first key is on the dash line, the others line up with it.
        this.lines[this.i] = { indent: indent + off, text: rest };
        if (depth + 1 > this.maxDepth) refuse();
        out.push(this.map(indent + off, depth + 1));
      } else {
        this.i++;
        out.push(this.inline(rest, depth));
      }
    }
    return out;
  }

  /** The value of a key or item whose line ends after the indicator: a collection below, or null. */
  private nested(indent: number, sameIndentSeq: boolean, depth: number): unknown {
    const next = this.lines[this.i];
    if (next && (next.indent > indent || (sameIndentSeq && next.indent === indent && isItem(next.text)))) {
      return this.block(next.indent, indent, depth + 1);
    }
    return null;
  }

  /** A value written on the rest of a line. */
  private inline(rest: string, depth: number): unknown {
    // A value on the key's line cannot continue on more indented lines in this reader.
    const next = this.lines[this.i];
    const owner = this.lines[this.i - 1]!;
    if (next && next.indent > owner.indent) refuse();
    const c = rest[0]!;
    if (c === '"' || c === "'") {
      const [s, end] = quoted(rest, 0);
      trailer(rest, end);
      return s;
    }
    if (c === '{' || c === '[') {
      const f = new Flow(rest, this.maxDepth);
      const v = f.value(depth + 1);
      trailer(rest, f.p);
      return v;
    }
    return plain(rest, false);
  }
}

/** A sequence item line: `-` alone or followed by a space. */
function isItem(t: string): boolean {
  return t[0] === '-' && (t.length === 1 || t[1] === ' ');
}

/** Where the `:` ending a plain key sits in a line (followed by a space or the end), or -1. */
function keyEnd(t: string): number {
  if (t[0] === '"' || t[0] === "'") {
    const [, end] = quoted(t, 0);
    return t[end] === ':' && (end + 1 === t.length || t[end + 1] === ' ') ? end : -1;
  }
  // Native searches rather than a loop over characters: most of a run's lines are read before the JIT warms up.
  let colon = t.indexOf(': ');
  if (colon < 0) colon = t.endsWith(':') ? t.length - 1 : -1;
  if (colon < 0) return -1;
  const hash = t.indexOf(' #');
  return hash >= 0 && hash < colon ? -1 : colon;
}

/** Splits `key: rest` (rest without its leading blanks; '' when the line ends after the `:` or a comment). */
function splitKey(t: string): [string, string] {
  const end = keyEnd(t);
  if (end < 0) refuse();
  let key: string;
  if (t[0] === '"' || t[0] === "'") key = quoted(t, 0)[0];
  else {
    key = t.slice(0, end);
    if (key === '' || INDICATOR.has(key[0]!) || key.endsWith(' ') || resolvePlainScalar(key) !== key) refuse();
  }
  if (key === '__proto__' || key === '<<') refuse();
  let p = end + 1;
  while (t.charCodeAt(p) === 32) p++;
  const rest = t.slice(p);
  if (rest[0] === '#') return [key, ''];
  return [key, rest];
}

/** A quoted scalar at `at`: its value and the index after the closing quote (single line; no escapes). */
function quoted(t: string, at: number): [string, number] {
  const q = t[at];
  if (q === '"') {
    const end = t.indexOf('"', at + 1);
    if (end < 0) refuse();
    const s = t.slice(at + 1, end);
    if (s.includes('\\')) refuse();
    return [s, end + 1];
  }
  let s = '';
  let p = at + 1;
  for (;;) {
    const end = t.indexOf("'", p);
    if (end < 0) refuse();
    s += t.slice(p, end);
    if (t[end + 1] === "'") {
      s += "'";
      p = end + 2;
    } else return [s, end + 1];
  }
}

/** What may follow a value on its line: nothing, or blanks and a comment. */
function trailer(t: string, p: number): void {
  if (p === t.length) return;
  if (t[p] !== ' ') refuse();
  while (t.charCodeAt(p) === 32) p++;
  if (p < t.length && t[p] !== '#') refuse();
}

/** A plain scalar (the whole `t` up to a comment; `flow`: inside a flow collection, already cut). */
function plain(t: string, flow: boolean): unknown {
  // `-` may start a plain scalar when a non-blank follows (`-1`, `-foo`); the other indicators may not here.
  if (INDICATOR.has(t[0]!) && !(t[0] === '-' && t.length > 1 && t[1] !== ' ')) refuse();
  let s = t;
  if (!flow) {
    const hash = t.indexOf(' #');
    if (hash >= 0) s = t.slice(0, hash).trimEnd();
  } else if (t.includes('#')) refuse();
  if (s.includes(': ') || s.endsWith(':') || s.includes(' #')) refuse();
  return resolvePlainScalar(s);
}

/** A one-line flow collection (`{a: b, c: [d]}`), without trailing commas, `?` or single-pair entries. */
class Flow {
  p = 0;
  constructor(
    private readonly t: string,
    private readonly maxDepth: number,
  ) {}

  private blanks(): void {
    while (this.t.charCodeAt(this.p) === 32) this.p++;
  }

  value(depth: number): unknown {
    this.blanks();
    const c = this.t[this.p];
    if (c === '{' || c === '[') {
      if (depth > this.maxDepth) refuse();
      return c === '{' ? this.map(depth) : this.seq(depth);
    }
    if (c === '"' || c === "'") {
      const [s, end] = quoted(this.t, this.p);
      this.p = end;
      return s;
    }
    const start = this.p;
    while (this.p < this.t.length && !',[]{}'.includes(this.t[this.p]!)) this.p++;
    const s = this.t.slice(start, this.p).trimEnd();
    if (s === '' || s.includes(':')) refuse();
    return plain(s, true);
  }

  private map(depth: number): Record<string, unknown> {
    const out: Record<string, unknown> = {};
    this.p++;
    this.blanks();
    if (this.t[this.p] === '}') {
      this.p++;
      return out;
    }
    for (;;) {
      this.blanks();
      let key: string;
      if (this.t[this.p] === '"' || this.t[this.p] === "'") {
        const [s, end] = quoted(this.t, this.p);
        key = s;
        this.p = end;
        if (this.t[this.p] !== ':') refuse();
      } else {
        const colon = this.t.indexOf(':', this.p);
        if (colon < 0) refuse();
        key = this.t.slice(this.p, colon);
        if (key === '' || INDICATOR.has(key[0]!) || /[,[\]{}#\s]/.test(key) || resolvePlainScalar(key) !== key) refuse();
        this.p = colon;
      }
      if (key === '__proto__' || key === '<<' || Object.prototype.hasOwnProperty.call(out, key)) refuse();
      this.p++; // the ':'
      if (this.t[this.p] !== ' ') refuse();
      out[key] = this.value(depth + 1);
      this.blanks();
      const c = this.t[this.p++];
      if (c === '}') return out;
      if (c !== ',') refuse();
      this.blanks();
      if (this.t[this.p] === '}') refuse();
    }
  }

  private seq(depth: number): unknown[] {
    const out: unknown[] = [];
    this.p++;
    this.blanks();
    if (this.t[this.p] === ']') {
      this.p++;
      return out;
    }
    for (;;) {
      out.push(this.value(depth + 1));
      this.blanks();
      const c = this.t[this.p++];
      if (c === ']') return out;
      if (c !== ',') refuse();
      this.blanks();
      if (this.t[this.p] === ']') refuse();
    }
  }
}
