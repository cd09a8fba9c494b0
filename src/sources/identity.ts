/**
 * Identities in commits: trailers read as `git interpret-trailers --parse` reads them, `Co-authored-by`
 * co-authors, and GitHub's no-reply addresses, which name a login (`ID+login@users.noreply.github.com`, or
 * the older `login@users.noreply.github.com`).
 */
import type { Identity } from '../core/model.js';

const NOREPLY = /^(?:(\d+)\+)?([A-Za-z0-9](?:[A-Za-z0-9-]{0,38})(?:\[bot\])?)@users\.noreply\.github\.com$/i;

/** The GitHub login named by a no-reply address, if it is one. */
export function identityFromEmail(email: string): Pick<Identity, 'login'> {
  const m = NOREPLY.exec(email.trim());
  return m ? { login: m[2]! } : {};
}

// Unicode format characters (zero-width space and joiners, bidi marks, BOM, soft hyphen, ...) and the other
// default-ignorable code points (variation selectors, Hangul fillers, ...) a terminal or a web page shows as nothing.
const INVISIBLE = /[\p{Cf}\p{Default_Ignorable_Code_Point}]/gu;
// Space separators other than the ASCII space (no-break space, en/em spaces, ideographic space, ...).
const ODD_SPACE = /[\p{Zs}\u0085]/gu;

/**
 * Text as a reader sees it: NFKC-normalised (full-width `：` and letters become ASCII), invisible characters
 * removed and every Unicode space turned into an ASCII space. Line breaks are kept. Used before reading
 * trailers, so `Co-authored-by: Bob <b@x>` followed by a zero-width space still names Bob.
 */
export function normaliseInvisible(text: string): string {
  return text.normalize('NFKC').replace(INVISIBLE, '').replace(ODD_SPACE, ' ');
}

/** One trailer: its token as written (trimmed) and its value (continuation lines joined with a space). */
export interface Trailer {
  key: string;
  value: string;
}

/** Prefixes git counts as trailers of its own making (trailer.c, `git_generated_prefixes`). */
const GIT_GENERATED = ['Signed-off-by: ', '(cherry picked from commit '];

const isBlank = (line: string) => /^\s*$/.test(line);

/**
 * Where the separator of a trailer line is, as git's `find_separator` finds it: a token of letters, digits
 * and `-`, optional blanks, then `:`. `-1` when the line is not `token: value`.
 */
function separatorAt(line: string): number {
  let blankSeen = false;
  for (let i = 0; i < line.length; i++) {
    const c = line[i]!;
    if (c === ':') return i;
    if (!blankSeen && /[A-Za-z0-9-]/.test(c)) continue;
    if (i > 0 && (c === ' ' || c === '\t')) {
      blankSeen = true;
      continue;
    }
    return -1;
  }
  return -1;
}

/**
 * The trailers of a commit message, with the semantics of `git interpret-trailers --parse` (git's trailer.c,
 * default configuration): the message ends at a line starting with `---` and a blank (the patch divider);
 * `#` comment lines are ignored; the first paragraph is the title and never holds trailers; the trailer
 * block is the last paragraph when all its lines are trailers (or continuation lines, which start with a
 * blank), or when it holds a git-generated trailer (`Signed-off-by: `) and at least 25% of its lines are
 * trailers. A trailer is `token<blanks>:<value>`: `Co-authored-by : Bob` is one.
 *
 * The message is read as {@link normaliseInvisible} leaves it, so invisible characters cannot hide a trailer
 * from the gate while git or GitHub still sees one.
 */
export function parseTrailers(message: string): Trailer[] {
  const text = normaliseInvisible(message).replace(/\r\n?/g, '\n');
  let lines = text.split('\n');
  const divider = lines.findIndex((l) => /^---(?:\s|$)/.test(l));
  if (divider >= 0) lines = lines.slice(0, divider);
  lines = lines.filter((l) => !l.startsWith('#'));
  // The title: up to the first blank line.
  const endOfTitle = lines.findIndex(isBlank);
  if (endOfTitle < 0) return [];
  // The last paragraph, from the end back to a blank line after the title.
  let end = lines.length;
  while (end > endOfTitle && isBlank(lines[end - 1]!)) end--;
  let start = end;
  while (start > endOfTitle && !isBlank(lines[start - 1]!)) start--;
  if (start <= endOfTitle || start === end) return [];
  const block = lines.slice(start, end);
  let trailers = 0;
  let others = 0;
  let continuations = 0;
  let generated = false;
  for (const line of block) {
    if (GIT_GENERATED.some((p) => line.startsWith(p))) {
      trailers++;
      generated = true;
      continuations = 0;
    } else if (separatorAt(line) >= 1 && !/^\s/.test(line)) {
      trailers++;
      continuations = 0;
    } else if (/^\s/.test(line)) {
      continuations++;
    } else {
      others += 1 + continuations;
      continuations = 0;
    }
  }
  const isBlock = (trailers > 0 && others === 0) || (generated && trailers * 3 >= others);
  if (!isBlock) return [];
  const out: Trailer[] = [];
  for (const line of block) {
    const sep = separatorAt(line);
    if (/^\s/.test(line)) {
      const last = out.at(-1);
      if (last) last.value = `${last.value} ${line.trim()}`.trim();
    } else if (sep >= 1) {
      out.push({ key: line.slice(0, sep).trim(), value: line.slice(sep + 1).trim() });
    }
  }
  return out;
}

/** `Name <email>`, `<email>` or a bare name, as an identity (the login when the e-mail is a no-reply address). */
export function identityFromTrailerValue(value: string): Identity | undefined {
  const v = value.trim();
  const m = /^(.*?)\s*<([^<>]*)>\s*$/.exec(v);
  const name = (m ? m[1]! : v).trim();
  const email = m ? m[2]!.trim() : '';
  if (!name && !email) return undefined;
  return { ...(name ? { name } : {}), ...(email ? { email, ...identityFromEmail(email) } : {}) };
}

/**
 * The people named in `Co-authored-by` trailers (key compared case-insensitively, as GitHub reads it).
 *
 * To exclude everyone git or GitHub could credit, this is the union of two readings of the message, both
 * after {@link normaliseInvisible}: the trailers git finds ({@link parseTrailers}), and every line of the
 * message that reads `Co-authored-by<blanks>: value` (GitHub also credits co-authors outside git's trailer
 * block). A value without an e-mail (`Co-authored-by: Bob`) still names a person: an identity with only a
 * name, which no login can be tied to.
 */
export function parseCoAuthors(message: string): Identity[] {
  const values: string[] = parseTrailers(message)
    .filter((t) => t.key.toLowerCase() === 'co-authored-by')
    .map((t) => t.value);
  for (const m of normaliseInvisible(message).matchAll(/^[ \t]*co-authored-by[ \t]*:(.*)$/gim)) values.push(m[1]!);
  const out: Identity[] = [];
  const seen = new Set<string>();
  for (const value of values) {
    const id = identityFromTrailerValue(value);
    if (!id) continue;
    const key = `${(id.name ?? '').toLowerCase()}\0${(id.email ?? '').toLowerCase()}`;
    if (seen.has(key)) continue;
    seen.add(key);
    out.push(id);
  }
  return out;
}
