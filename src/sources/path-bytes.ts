/**
 * File names as bytes. Git and POSIX file systems name files with bytes, not text: a name need not be UTF-8.
 * Decoding such a name with replacement characters loses the file (the decoded name does not exist) and
 * merges names (two names decode alike). Names are therefore read as bytes (`git -z`, Buffers) and turned
 * into the gate's path strings by {@link pathFromBytes}, which never maps two names to one string.
 */

/** Length of the valid UTF-8 sequence at `i` (1 to 4), or 0 when the byte there starts none (RFC 3629). */
function utf8Sequence(b: Uint8Array, i: number): number {
  const c = b[i]!;
  if (c < 0x80) return 1;
  const n = c >= 0xc2 && c <= 0xdf ? 2 : c >= 0xe0 && c <= 0xef ? 3 : c >= 0xf0 && c <= 0xf4 ? 4 : 0;
  if (n === 0 || i + n > b.length) return 0;
  const c1 = b[i + 1]!;
  // Overlong forms, UTF-16 surrogates and code points past U+10FFFF are not UTF-8.
  if ((c === 0xe0 && c1 < 0xa0) || (c === 0xed && c1 > 0x9f) || (c === 0xf0 && c1 < 0x90) || (c === 0xf4 && c1 > 0x8f)) return 0;
  for (let k = 1; k < n; k++) if ((b[i + k]! & 0xc0) !== 0x80) return 0;
  return n;
}

const hex = (byte: number) => `\\x${byte.toString(16).padStart(2, '0')}`;

/** One name segment (no `/`) as a string: itself when UTF-8, else escaped (see {@link pathFromBytes}). */
function segmentFromBytes(b: Uint8Array): string {
  let valid = true;
  for (let i = 0; i < b.length; ) {
    const n = utf8Sequence(b, i);
    if (n === 0) {
      valid = false;
      break;
    }
    i += n;
  }
  if (valid) return Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString('utf8');
  let out = '';
  for (let i = 0; i < b.length; ) {
    const n = utf8Sequence(b, i);
    if (n === 0 || b[i] === 0x5c) {
      out += hex(b[i]!);
      i += 1;
    } else {
      out += Buffer.from(b.buffer, b.byteOffset + i, n).toString('utf8');
      i += n;
    }
  }
  return out;
}

/**
 * A repository path from its bytes. Each `/`-separated segment that is UTF-8 is kept as it is; a segment that
 * is not is escaped: every byte outside a valid UTF-8 sequence, and every backslash, becomes `\xNN` (two
 * lower-case hex digits). So `apps/a/<FE>.yaml` reads `apps/a/\xfe.yaml`, two names never escape alike, and
 * the path still ends in `.yaml` for the manifest globs. Only a UTF-8 name spelled exactly like an escape can
 * collide with one; readers that list a tree detect that and fail ({@link PathTable}).
 */
export function pathFromBytes(bytes: Uint8Array): string {
  if (!hasHighByte(bytes)) return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('utf8');
  const parts: string[] = [];
  let start = 0;
  for (let i = 0; i <= bytes.length; i++) {
    if (i === bytes.length || bytes[i] === 0x2f) {
      parts.push(segmentFromBytes(bytes.subarray(start, i)));
      start = i + 1;
    }
  }
  return parts.join('/');
}

/** True when some byte is above 7f (ASCII text is UTF-8 whatever it holds). */
function hasHighByte(b: Uint8Array): boolean {
  for (let i = 0; i < b.length; i++) if (b[i]! >= 0x80) return true;
  return false;
}

/**
 * NUL-terminated records (`git ... -z`) as strings, each read by {@link pathFromBytes}: a record whose other
 * fields are ASCII (`<mode> <type> <id>\t<path>`, `<sha>:<path>`) keeps them as they are and escapes its path.
 * Output that is all ASCII is split as one string, the common and fast case.
 */
export function nulRecords(out: Buffer): string[] {
  if (!hasHighByte(out)) {
    const parts = out.toString('latin1').split('\0');
    if (parts[parts.length - 1] === '') parts.pop();
    return parts;
  }
  return splitNul(out).map(pathFromBytes);
}

/** Splits NUL-terminated records (`git ... -z`) without decoding them. */
export function splitNul(out: Buffer): Buffer[] {
  const parts: Buffer[] = [];
  let start = 0;
  for (let i = out.indexOf(0, start); i >= 0; i = out.indexOf(0, start)) {
    parts.push(out.subarray(start, i));
    start = i + 1;
  }
  if (start < out.length) parts.push(out.subarray(start));
  return parts;
}

/**
 * Path strings of one tree mapped to their bytes, failing on the one ambiguity of {@link pathFromBytes}: a UTF-8
 * name spelled like the escape of another name.
 */
export class PathTable<T> {
  private readonly byPath = new Map<string, T>();
  /**
   * Adds an entry under its path string (made by {@link pathFromBytes}).
   * @throws {Error} when another entry already has that string (the caller wraps it in a SourceError)
   */
  add(path: string, value: T): string {
    if (this.byPath.has(path)) {
      throw new Error(`two files are both named "${path}" once names that are not UTF-8 are escaped; rename one of them`);
    }
    this.byPath.set(path, value);
    return path;
  }
  get(path: string): T | undefined {
    return this.byPath.get(path);
  }
  has(path: string): boolean {
    return this.byPath.has(path);
  }
  keys(): IterableIterator<string> {
    return this.byPath.keys();
  }
  entries(): IterableIterator<[string, T]> {
    return this.byPath.entries();
  }
}
