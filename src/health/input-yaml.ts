/**
 * A line reader for the plainest YAML: the shape of nearly every health-test input and `health_test.yaml`
 * (block mappings and sequences, plain and quoted scalars, also over several lines as kubectl wraps them,
 * literal and folded block scalars, one-line flow collections, comments).
 * It reads such text several times faster than the general path (js-yaml's events, then the `yaml` package
 * for anything unusual), which dominated the cost of a test case.
 *
 * It never decides anything the general path would decide differently: it gives the same value as
 * `parseYamlText` (YAML 1.2 core schema, through the same {@link resolvePlainScalar}) or refuses
 * (`undefined`), and the caller then reads the text the exact way (argo-yaml.ts, suites.ts). Refused: tabs,
 * control characters, a byte-order mark, non-BMP or surrogate characters, directives, a second document,
 * anchors, aliases, tags, `?` keys, an escaped line break or surrogate in a double-quoted scalar, a blank or comment line inside a scalar
 * over several lines, block scalars with an indentation indicator, keep chomping (`|+`), no content, leading
 * blank lines or (folded) more-indented lines, flow collections over several lines, duplicate keys, keys that are not plain strings (`1`,
 * `true`, `<<`, `__proto__`), a document that is not a mapping, nesting deeper than the caller's limit, and
 * any line whose shape is not one listed above. test/unit/health/input-yaml.test.ts compares both readers.
 */
import { resolvePlainScalar } from '../manifests/plain-scalar.js';

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
  /** The line without its indentation and trailing blanks. */
  text: string;
  /** Its index among the text's lines (blank and comment lines included). */
  raw: number;
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
  const raws = text.split('\n');
  for (let n = 0; n < raws.length; n++) {
    const raw = raws[n]!;
    const indent = indentOf(raw);
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
    lines.push({ indent, text: body.trimEnd(), raw: n });
  }
  if (lines.length === 0 || lines[0]!.indent !== 0) return undefined;
  const r = new Reader(lines, raws, Math.min(maxDepth, 64));
  try {
    const v = r.block(0, -1, 1);
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
    /** Every line of the text, as written (block scalars keep their blank lines and trailing blanks). */
    private readonly raws: string[],
    private readonly maxDepth: number,
  ) {}

  /**
   * The node starting at the current line, at `indent`: a collection, or a scalar written below its key
   * (`from`: the key's indentation; -1 for the document, which must be a collection).
   */
  block(indent: number, from: number, depth: number): unknown {
    if (depth > this.maxDepth) refuse();
    const l = this.lines[this.i]!;
    if (l.indent !== indent) refuse();
    if (isItem(l.text)) return this.seq(indent, depth);
    if (keyEnd(l.text) >= 0) return this.map(indent, depth);
    // Not a key: a scalar on the lines below its key (kubectl writes long messages so).
    if (from < 0 || l.text[0] === '|' || l.text[0] === '>') refuse();
    this.i++;
    return this.scalar(l.text, from, l.raw, depth);
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
        this.lines[this.i] = { indent: indent + off, text: rest, raw: l.raw };
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

  /** A value written on the rest of a line (the line before the current one). */
  private inline(rest: string, depth: number): unknown {
    const owner = this.lines[this.i - 1]!;
    return this.scalar(rest, owner.indent, owner.raw, depth);
  }

  /**
   * A value whose first line is `first` (raw line `firstRaw`), its key or item at `ownerIndent`: a scalar that
   * may go on over more indented lines, a block scalar, or a one-line flow collection.
   */
  private scalar(first: string, ownerIndent: number, firstRaw: number, depth: number): unknown {
    const c = first[0]!;
    if (c === '|' || c === '>') return this.blockScalar(first, ownerIndent, firstRaw);
    const next = this.lines[this.i];
    if (next && next.indent > ownerIndent) return this.multiLine(first, ownerIndent, firstRaw);
    if (c === '"' || c === "'") {
      const [s, end] = quoted(first, 0);
      trailer(first, end);
      return s;
    }
    if (c === '{' || c === '[') {
      const f = new Flow(first, this.maxDepth);
      const v = f.value(depth + 1);
      trailer(first, f.p);
      return v;
    }
    return plain(first, false);
  }

  /**
   * A plain or quoted scalar over several lines: its line breaks fold into spaces (YAML 1.2 section 6.5), and
   * each line loses its indentation and trailing blanks. The lines must follow each other (a blank line
   * would be a line feed, a comment line ends a plain scalar and is text in a quoted one: both left to the
   * general path) and be indented more than the key.
   */
  private multiLine(first: string, ownerIndent: number, firstRaw: number): unknown {
    const parts = [first];
    let raw = firstRaw;
    for (let l = this.lines[this.i]; l && l.indent > ownerIndent; l = this.lines[this.i]) {
      if (l.raw !== raw + 1) refuse();
      raw = l.raw;
      parts.push(l.text);
      this.i++;
    }
    const c = first[0]!;
    if (c === '"' || c === "'") {
      // Folded before the escapes are read: a line break between lines is a space (an escaped one, a line
      // ending in a backslash, is left to the general path).
      if (c === '"' && parts.some((t, k) => k < parts.length - 1 && t.endsWith('\\'))) refuse();
      const text = parts.join(' ');
      const [s, end] = quoted(text, 0);
      // The quote closes on the last line: a line after it would be neither a comment nor a key.
      if (end <= text.length - parts[parts.length - 1]!.length) refuse();
      trailer(text, end);
      return s;
    }
    for (let k = 0; k < parts.length; k++) {
      const t = parts[k]!;
      // Only text: no comment, no `key: value`, and (after the first line) no indicator to weigh.
      if (t.includes(' #') || t.includes(': ') || t.endsWith(':') || (k > 0 && INDICATOR.has(t[0]!))) refuse();
    }
    return plain(parts.join(' '), false);
  }

  /**
   * A literal (`|`) or folded (`>`) block scalar with clip or strip (`-`) chomping (YAML 1.2 section 8.1), its
   * header on the line `headerRaw`, its key or item at `ownerIndent`. Its content is read from the raw lines,
   * blank lines and trailing blanks included; the structural lines inside it are skipped.
   */
  private blockScalar(header: string, ownerIndent: number, headerRaw: number): string {
    const m = /^([|>])(-?)(?: +#.*)?$/.exec(header);
    if (!m) refuse();
    const raws = this.raws;
    let r = headerRaw + 1;
    // The first line's indentation is the content's; leading blank lines are left to the general path.
    const firstLine = raws[r];
    if (firstLine === undefined) refuse();
    const indent = indentOf(firstLine);
    if (indent === firstLine.length || indent <= ownerIndent) refuse();
    const content: string[] = [];
    for (; r < raws.length; r++) {
      const t = raws[r]!;
      const at = indentOf(t);
      if (at === t.length) {
        // A blank line: a line feed. One with more blanks than the indentation would carry them as text.
        if (at > indent) refuse();
        content.push('');
        continue;
      }
      if (at < indent) break;
      // A folded scalar keeps the line breaks around more-indented lines: left to the general path.
      if (m[1] === '>' && at > indent) refuse();
      content.push(t.slice(indent));
    }
    while (content[content.length - 1] === '') content.pop();
    while (this.i < this.lines.length && this.lines[this.i]!.raw < r) this.i++;
    let s: string;
    if (m[1] === '|') s = content.join('\n');
    else {
      s = content[0]!;
      let breaks = 0;
      for (let k = 1; k < content.length; k++) {
        const t = content[k]!;
        if (t === '') breaks++;
        else {
          s += breaks === 0 ? ' ' : '\n'.repeat(breaks);
          s += t;
          breaks = 0;
        }
      }
    }
    return m[2] === '-' ? s : `${s}\n`;
  }
}

/** The number of spaces a line starts with. */
function indentOf(t: string): number {
  let n = 0;
  while (t.charCodeAt(n) === 32) n++;
  return n;
}

/** A sequence item line: `-` alone or followed by a space. */
function isItem(t: string): boolean {
  return t[0] === '-' && (t.length === 1 || t[1] === ' ');
}

/** Where the `:` ending a plain key sits in a line (followed by a space or the end), or -1. */
function keyEnd(t: string): number {
  if (t[0] === '"' || t[0] === "'") {
    // A quote not closed on its line opens a scalar over several lines, not a key.
    const end = quotedEnd(t);
    return end >= 0 && t[end] === ':' && (end + 1 === t.length || t[end + 1] === ' ') ? end : -1;
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
    // `-` may start a plain key when a non-blank follows (`-Xms: 8000m`, as in Strimzi's JVM options).
    if (key === '' || (INDICATOR.has(key[0]!) && !(key[0] === '-' && key.length > 1 && key[1] !== ' ')) || key.endsWith(' ') || resolvePlainScalar(key) !== key) refuse();
  }
  if (key === '__proto__' || key === '<<') refuse();
  let p = end + 1;
  while (t.charCodeAt(p) === 32) p++;
  const rest = t.slice(p);
  if (rest[0] === '#') return [key, ''];
  return [key, rest];
}

/** The index after the quote closing the quoted scalar `t` starts with, or -1 when the line does not close it. */
function quotedEnd(t: string): number {
  const end = t[0] === '"' ? doubleQuoteEnd(t, 0) : singleQuoteEnd(t, 0);
  return end < 0 ? -1 : end + 1;
}

/** Where the `"` closing the double-quoted scalar opened at `at` sits (escaped quotes skipped), or -1. */
function doubleQuoteEnd(t: string, at: number): number {
  for (let p = at + 1; ; ) {
    const end = t.indexOf('"', p);
    if (end < 0) return -1;
    let slashes = 0;
    while (t[end - 1 - slashes] === '\\') slashes++;
    if (slashes % 2 === 0) return end;
    p = end + 1;
  }
}

/** Where the `'` closing the single-quoted scalar opened at `at` sits (doubled quotes skipped), or -1. */
function singleQuoteEnd(t: string, at: number): number {
  for (let p = at + 1; ; ) {
    const end = t.indexOf("'", p);
    if (end < 0) return -1;
    if (t[end + 1] !== "'") return end;
    p = end + 2;
  }
}

/** YAML's one-character escapes in double-quoted scalars (YAML 1.2 section 5.7). */
const ESCAPES: Record<string, string> = { '0': '\0', a: '\x07', b: '\b', t: '\t', '\t': '\t', n: '\n', v: '\v', f: '\f', r: '\r', e: '\x1b', ' ': ' ', '"': '"', '/': '/', '\\': '\\', N: '\x85', _: '\xa0', L: '\u2028', P: '\u2029' };
/** Digits after `\\x`, `\\u` and `\\U`. */
const HEX_ESCAPES: Record<string, number> = { x: 2, u: 4, U: 8 };

/** The value of the text of a double-quoted scalar between its quotes, its escapes resolved. */
function unescape(raw: string): string {
  let s = '';
  let p = 0;
  for (let b = raw.indexOf('\\'); b >= 0; b = raw.indexOf('\\', p)) {
    s += raw.slice(p, b);
    const c = raw[b + 1];
    if (c === undefined) refuse(); // an escaped line break
    const one = ESCAPES[c];
    if (one !== undefined) {
      s += one;
      p = b + 2;
      continue;
    }
    const n = HEX_ESCAPES[c];
    const hex = raw.slice(b + 2, b + 2 + (n ?? 0));
    if (n === undefined || !/^[0-9a-fA-F]+$/.test(hex) || hex.length !== n) refuse();
    const code = parseInt(hex, 16);
    // Surrogates and code points beyond Unicode are left to the general path.
    if ((code >= 0xd800 && code <= 0xdfff) || code > 0x10ffff) refuse();
    s += String.fromCodePoint(code);
    p = b + 2 + n;
  }
  return s + raw.slice(p);
}

/** A quoted scalar at `at`: its value and the index after the closing quote (on `t`, one line or folded). */
function quoted(t: string, at: number): [string, number] {
  const double = t[at] === '"';
  const end = double ? doubleQuoteEnd(t, at) : singleQuoteEnd(t, at);
  if (end < 0) refuse();
  const raw = t.slice(at + 1, end);
  if (double) return [raw.includes('\\') ? unescape(raw) : raw, end + 1];
  return [raw.includes("'") ? raw.replaceAll("''", "'") : raw, end + 1];
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
