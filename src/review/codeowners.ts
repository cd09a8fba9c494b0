/**
 * CODEOWNERS: GitHub's lookup order, parsing, and "last matching pattern wins".
 *
 * Semantics follow GitHub's documentation (github/docs, content/repositories/managing-your-repositorys-settings-and-features/
 * customizing-your-repository/about-code-owners.md): the first of `.github/CODEOWNERS`, `CODEOWNERS`, `docs/CODEOWNERS`
 * is used; patterns follow gitignore rules except that `!` negation and `[ ]` ranges are not supported; the last
 * matching line decides a path's owners (a line without owners un-owns the path); owners are `@user`, `@org/team` or
 * an e-mail address. GitHub skips lines it cannot read; the gate fails closed on them instead.
 */
import ignore from 'ignore';
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
  pattern: string;
  owners: Owner[];
  matches(path: string): boolean;
}

/** A line CODEOWNERS cannot hold. */
export interface CodeownersProblem {
  line: number;
  column: number;
  message: string;
}

/** A parsed CODEOWNERS file: its entries, or the problems that make it unusable. */
export type ParsedCodeowners = { ok: true; entries: CodeownersEntry[] } | { ok: false; problems: CodeownersProblem[] };

const USER = /^@([A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)$/;
const TEAM = /^@([A-Za-z0-9][A-Za-z0-9-]*\/[A-Za-z0-9_.-]+)$/;
const EMAIL = /^[^@\s]+@[^@\s]+\.[^@\s]+$/;

/** Splits a line into tokens at unescaped whitespace, dropping an unescaped `#` comment; returns tokens with their columns. */
function tokens(line: string): { text: string; column: number }[] {
  const out: { text: string; column: number }[] = [];
  let cur = '';
  let start = -1;
  for (let i = 0; i < line.length; i++) {
    const c = line[i]!;
    if (c === '\\' && i + 1 < line.length) {
      if (start < 0) start = i;
      cur += line[i + 1] === ' ' || line[i + 1] === '#' ? line[i + 1] : c + line[i + 1];
      i++;
    } else if (c === '#') {
      break;
    } else if (c === ' ' || c === '\t') {
      if (start >= 0) out.push({ text: cur, column: start + 1 });
      cur = '';
      start = -1;
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

/** Parses CODEOWNERS text. Never throws: problems are returned with their line and column. */
export function parseCodeowners(text: string): ParsedCodeowners {
  const entries: CodeownersEntry[] = [];
  const problems: CodeownersProblem[] = [];
  text.split(/\r?\n/).forEach((raw, i) => {
    const line = i + 1;
    const toks = tokens(raw);
    if (toks.length === 0) return;
    const [pat, ...owners] = toks as [{ text: string; column: number }, ...{ text: string; column: number }[]];
    if (pat.text.startsWith('!')) {
      problems.push({ line, column: pat.column, message: `pattern "${pat.text}": CODEOWNERS does not support "!" negation` });
      return;
    }
    if (pat.text.startsWith('[') || pat.text.startsWith('^')) {
      problems.push({ line, column: pat.column, message: `"${pat.text}": sections are GitLab syntax, GitHub does not read them` });
      return;
    }
    if (/[[\]]/.test(pat.text)) {
      problems.push({ line, column: pat.column, message: `pattern "${pat.text}": CODEOWNERS does not support "[ ]" character ranges` });
      return;
    }
    const parsed: Owner[] = [];
    for (const o of owners) {
      const owner = parseOwner(o.text);
      if (!owner) problems.push({ line, column: o.column, message: `"${o.text}" is not an owner: use @user, @org/team or an e-mail address` });
      else parsed.push(owner);
    }
    let matcher;
    try {
      matcher = ignore({ ignorecase: false }).add(pat.text);
    } catch (e) {
      problems.push({ line, column: pat.column, message: `pattern "${pat.text}" is invalid: ${(e as Error).message}` });
      return;
    }
    entries.push({ line, pattern: pat.text, owners: parsed, matches: (p) => matcher.ignores(p) });
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
