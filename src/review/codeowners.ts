/**
 * CODEOWNERS: GitHub's lookup order, parsing, pattern matching and "last matching pattern wins".
 *
 * Source of the rules: GitHub Docs, "About code owners"
 * (https://docs.github.com/en/repositories/managing-your-repositorys-settings-and-features/customizing-your-repository/about-code-owners),
 * which defers to the gitignore pattern format (https://git-scm.com/docs/gitignore#_pattern_format) with
 * documented exceptions. What this module implements:
 *
 * - Lookup: the first of `.github/CODEOWNERS`, `CODEOWNERS`, `docs/CODEOWNERS`.
 * - A line is a pattern and zero or more owners separated by whitespace; `#` at the start of a line or after
 *   whitespace starts a comment; `\ ` is a space inside a pattern. The last matching line decides a path's owners;
 *   a line without owners un-owns the paths it matches.
 * - Patterns, matched case-sensitively against the file path: a leading `/` or a `/` inside the pattern anchors
 *   it at the repository root, otherwise it matches at any depth; `*` and `?` do not match `/`; `**` matches any
 *   number of directories; a trailing `/` matches everything inside a directory (at any depth); a pattern that
 *   names a directory (`/apps/github`) also matches everything inside it; **`dir/*` matches only the files
 *   directly in `dir`** (GitHub's documented example: `docs/*` owns `docs/getting-started.md`, not
 *   `docs/build-app/troubleshooting.md`), unlike gitignore, where it also takes every nested file.
 * - Not supported by GitHub, so reported here: `!` negation, `[ ]` character ranges, the `\#` escape (and any `#`
 *   inside a pattern), GitLab's `[Section]` headers.
 *
 * GitHub skips a line it cannot read (and shows the error on the file); the paths that line was meant to own get
 * whatever an earlier line gives them. The gate cannot know which owner was intended, so it reports every such
 * line with its position and the caller fails the code-owner rule closed.
 */
import type { CodeownersSource, TreeReader } from '../core/model.js';
import { identityFromEmail } from '../sources/identity.js';

/** GitHub's lookup order for the CODEOWNERS file. */
export const CODEOWNERS_PATHS = ['.github/CODEOWNERS', 'CODEOWNERS', 'docs/CODEOWNERS'] as const;

/** One owner named in CODEOWNERS. `login` of an e-mail owner is known only for GitHub no-reply addresses. */
export type Owner = { kind: 'user'; login: string } | { kind: 'team'; team: string } | { kind: 'email'; email: string; login?: string };

/** One rule line of CODEOWNERS. */
export interface CodeownersEntry {
  /** 1-based line number. */
  line: number;
  /** The pattern as written (escapes kept). */
  pattern: string;
  owners: Owner[];
  /** Whether the pattern matches a repository-relative file path (no leading `/`), per {@link compilePattern}. */
  matches(path: string): boolean;
}

/** A line CODEOWNERS cannot hold. */
export interface CodeownersProblem {
  /** 1-based line. */
  line: number;
  /** 1-based column (UTF-16 code units) of the offending token. */
  column: number;
  message: string;
}

/** A parsed CODEOWNERS file: its entries, or the problems that make it unusable. */
export type ParsedCodeowners = { ok: true; entries: CodeownersEntry[] } | { ok: false; problems: CodeownersProblem[] };

const USER = /^@([A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)$/;
const TEAM = /^@([A-Za-z0-9][A-Za-z0-9-]*\/[A-Za-z0-9_.-]+)$/;
const EMAIL = /^[^@\s]+@[^@\s]+\.[^@\s]+$/;

interface Token {
  /** The token as written, escapes kept (`\ ` included). */
  text: string;
  /** 1-based column. */
  column: number;
}

/**
 * Splits a line into tokens at unescaped whitespace. A `#` at the start of the line or after whitespace starts a
 * comment; a `#` anywhere else is returned inside its token (the caller reports it).
 */
function tokens(line: string): Token[] {
  const out: Token[] = [];
  let cur = '';
  let start = -1;
  for (let i = 0; i < line.length; i++) {
    const c = line[i]!;
    if (c === '\\' && i + 1 < line.length) {
      if (start < 0) start = i;
      cur += c + line[i + 1];
      i++;
    } else if (c === ' ' || c === '\t') {
      if (start >= 0) out.push({ text: cur, column: start + 1 });
      cur = '';
      start = -1;
    } else if (c === '#' && start < 0) {
      break;
    } else {
      if (start < 0) start = i;
      cur += c;
    }
  }
  if (start >= 0) out.push({ text: cur, column: start + 1 });
  return out;
}

function parseOwner(text: string): Owner | undefined {
  const team = TEAM.exec(text);
  if (team) return { kind: 'team', team: team[1]!.toLowerCase() };
  const user = USER.exec(text);
  if (user) return { kind: 'user', login: user[1]! };
  if (EMAIL.test(text)) {
    const id = identityFromEmail(text);
    return { kind: 'email', email: text, ...(id.login ? { login: id.login } : {}) };
  }
  return undefined;
}

/** One path segment of a pattern: `**`, or a glob of literal characters, `*` runs and `?`. */
type Segment = { kind: 'any-dirs' } | { kind: 'glob'; parts: GlobPart[] };
type GlobPart = { kind: 'lit'; ch: string } | { kind: 'star' } | { kind: 'qmark' };

/** A compiled CODEOWNERS pattern, or why it cannot be one. */
export type CompiledPattern = { ok: true; matches(path: string): boolean } | { ok: false; message: string };

/** Parses one segment; `undefined` with a message when it holds syntax GitHub does not support. */
function segment(text: string): Segment | string {
  if (text === '**') return { kind: 'any-dirs' };
  if (text.includes('***')) return 'three or more consecutive "*" are not a pattern';
  const parts: GlobPart[] = [];
  const chars = Array.from(text);
  for (let i = 0; i < chars.length; i++) {
    const c = chars[i]!;
    if (c === '\\') {
      const next = chars[++i];
      if (next === undefined) return 'a pattern cannot end with "\\"';
      if (next === '#') return 'GitHub does not support the "\\#" escape: a pattern cannot start with or contain "#"';
      parts.push({ kind: 'lit', ch: next });
    } else if (c === '#') {
      return 'a "#" inside a pattern is read differently by GitHub and gitignore; CODEOWNERS does not support it';
    } else if (c === '[' || c === ']') {
      return 'CODEOWNERS does not support "[ ]" character ranges';
    } else if (c === '*') {
      // Consecutive stars inside a segment ("a**b") are ordinary stars (gitignore).
      if (parts[parts.length - 1]?.kind !== 'star') parts.push({ kind: 'star' });
    } else if (c === '?') {
      parts.push({ kind: 'qmark' });
    } else {
      parts.push({ kind: 'lit', ch: c });
    }
  }
  return { kind: 'glob', parts };
}

/**
 * Whether a glob segment matches a path segment (both as code-point arrays). Iterative, backtracking only to
 * the last `*`: O(pattern × name) in the worst case, so no pattern can make matching blow up.
 */
function globMatch(parts: readonly GlobPart[], name: readonly string[]): boolean {
  let p = 0;
  let n = 0;
  let starP = -1;
  let starN = 0;
  while (n < name.length) {
    const part = parts[p];
    if (part && (part.kind === 'qmark' || (part.kind === 'lit' && part.ch === name[n]))) {
      p++;
      n++;
    } else if (part?.kind === 'star') {
      starP = p++;
      starN = n;
    } else if (starP >= 0) {
      p = starP + 1;
      n = ++starN;
    } else {
      return false;
    }
  }
  while (parts[p]?.kind === 'star') p++;
  return p === parts.length;
}

/**
 * Compiles a CODEOWNERS pattern (as written, escapes kept) into a matcher of repository-relative file paths.
 * The rules and their source are in this module's header; {@link CompiledPattern} `ok: false` carries why GitHub
 * would not read the pattern. Never throws.
 */
export function compilePattern(pattern: string): CompiledPattern {
  if (pattern.startsWith('!')) return { ok: false, message: 'CODEOWNERS does not support "!" negation' };
  let body = pattern;
  let anchored = false;
  if (body.startsWith('/')) {
    anchored = true;
    body = body.slice(1);
  }
  let dirOnly = false;
  if (body.endsWith('/') && !body.endsWith('\\/')) {
    dirOnly = true;
    body = body.slice(0, -1);
  }
  if (body === '') return { ok: false, message: `"${pattern}" matches no file` };
  const texts = body.split('/');
  if (texts.some((t) => t === '')) return { ok: false, message: `"${pattern}" has an empty path segment ("//")` };
  const segs: Segment[] = [];
  for (const t of texts) {
    const s = segment(t);
    if (typeof s === 'string') return { ok: false, message: s };
    segs.push(s);
  }
  // A slash at the start or in the middle anchors the pattern; otherwise it matches at any depth.
  if (texts.length > 1) anchored = true;
  if (!anchored && segs[0]!.kind !== 'any-dirs') segs.unshift({ kind: 'any-dirs' });
  // "dir/**": everything inside dir, not dir itself. A lone "**" (or "/**") matches everything.
  if (segs.length > 1 && segs[segs.length - 1]!.kind === 'any-dirs') {
    segs.pop();
    dirOnly = true;
  }
  const last = segs[segs.length - 1]!;
  const onlyEverything = segs.length === 1 && last.kind === 'any-dirs';
  // GitHub: "dir/*" is one level (docs/* owns docs/getting-started.md, not docs/build-app/troubleshooting.md).
  const oneLevel = !dirOnly && last.kind === 'glob' && last.parts.length === 1 && last.parts[0]!.kind === 'star';

  const matches = (path: string): boolean => {
    if (onlyEverything) return path.length > 0;
    const names = path.split('/').map((n) => Array.from(n));
    // reach[j]: the segments seen so far match the first j names of the path.
    let reach = new Array<boolean>(names.length + 1).fill(false);
    reach[0] = true;
    for (const seg of segs) {
      const next = new Array<boolean>(names.length + 1).fill(false);
      if (seg.kind === 'any-dirs') {
        let on = false;
        for (let j = 0; j <= names.length; j++) next[j] = on = on || reach[j]!;
      } else {
        for (let j = 0; j < names.length; j++) if (reach[j] && globMatch(seg.parts, names[j]!)) next[j + 1] = true;
      }
      reach = next;
    }
    const n = names.length;
    if (oneLevel) return reach[n]!;
    // The pattern names the file itself or a directory that holds it; dirOnly wants a directory.
    for (let k = 1; k <= (dirOnly ? n - 1 : n); k++) if (reach[k]) return true;
    return false;
  };
  return { ok: true, matches };
}

/**
 * Parses CODEOWNERS text. Never throws: every line GitHub would not read is returned as a problem with its line
 * and column (the whole file is then `ok: false`, see the module header for why).
 */
export function parseCodeowners(text: string): ParsedCodeowners {
  const entries: CodeownersEntry[] = [];
  const problems: CodeownersProblem[] = [];
  text.split(/\r?\n/).forEach((raw, i) => {
    const line = i + 1;
    const toks = tokens(raw);
    if (toks.length === 0) return;
    const [pat, ...owners] = toks as [Token, ...Token[]];
    if (pat.text.startsWith('[') || pat.text.startsWith('^[')) {
      problems.push({ line, column: pat.column, message: `"${pat.text}": sections are GitLab syntax, GitHub does not read them` });
      return;
    }
    const compiled = compilePattern(pat.text);
    if (!compiled.ok) {
      problems.push({ line, column: pat.column, message: `pattern "${pat.text}": ${compiled.message}` });
      return;
    }
    const parsed: Owner[] = [];
    for (const o of owners) {
      const owner = parseOwner(o.text);
      if (!owner) problems.push({ line, column: o.column, message: `"${o.text}" is not an owner: use @user, @org/team or an e-mail address` });
      else parsed.push(owner);
    }
    entries.push({ line, pattern: pat.text, owners: parsed, matches: compiled.matches });
  });
  return problems.length ? { ok: false, problems } : { ok: true, entries };
}

/** The entry that decides `path`'s owners: the last matching line, or `undefined` when none matches. */
export function ownerEntry(entries: readonly CodeownersEntry[], path: string): CodeownersEntry | undefined {
  for (let i = entries.length - 1; i >= 0; i--) if (entries[i]!.matches(path)) return entries[i];
  return undefined;
}

/** Display form of an owner, as written in CODEOWNERS. */
export function ownerLabel(o: Owner): string {
  return o.kind === 'user' ? `@${o.login}` : o.kind === 'team' ? `@${o.team}` : o.email;
}

/**
 * Reads the CODEOWNERS file GitHub would use from a tree (the base side of a change).
 * @returns the first file found in {@link CODEOWNERS_PATHS}, or `null` when there is none
 * @throws whatever the tree reader throws (a {@link SourceError} for unreadable trees)
 */
export async function readCodeowners(tree: TreeReader): Promise<CodeownersSource | null> {
  const files = await tree.readFiles(CODEOWNERS_PATHS);
  for (const path of CODEOWNERS_PATHS) {
    const bytes = files.get(path);
    if (bytes !== undefined) return { path, text: new TextDecoder('utf-8').decode(bytes) };
  }
  return null;
}
