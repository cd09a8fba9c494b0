/**
 * A cheap, conservative textual reading of the `path:` values in an Application manifest, so that the
 * layout parses only the Applications that can point at a directory it asks about.
 *
 * The guarantee: for a text it does not call ambiguous, the returned set holds (normalized) every string
 * a YAML parser could read as the value of a map key `path`, plus possibly more (a `path:` in a comment,
 * other keys named `path`). A text that could hide a `path` key or value from this reading (escapes,
 * anchors and aliases, tags, explicit `?` keys, block or multi-line scalars, flow collections that span
 * lines or hold quotes) is ambiguous: the caller then parses it, as before.
 */

import { normalizeDir } from '../manifests/manifest-file.js';

export { normalizeDir };

/** Constructs that can hide a key or a value from a textual reading: escapes, anchors (hence aliases), tags, explicit keys. */
const AMBIGUOUS_TEXT = /\\|(?:^|[\s[{,])[&!]\S|(?:^|[\s[{,])\?(?:\s|$)/m;
/** The word `path` followed (after an optional closing quote and blanks) by a colon. */
const PATH_KEY = /\bpath["']?[ \t]*:/g;
/** Characters that end a plain scalar in flow style (`{path: a, ...}`). */
const FLOW_END = /[,}\]]/;

/**
 * True when some line opens a flow collection it does not close, or mixes flow indicators with quotes
 * (a quoted `}` would fool the count): a plain scalar inside could then run on over several lines.
 */
function hasOpenFlow(text: string): boolean {
  if (!text.includes('{') && !text.includes('[')) return false;
  for (const line of text.split('\n')) {
    const code = line.trimStart().startsWith('#') ? '' : line;
    if (!code.includes('{') && !code.includes('[') && !code.includes('}') && !code.includes(']')) continue;
    const count = (ch: string) => code.split(ch).length - 1;
    if (count('{') !== count('}') || count('[') !== count(']') || code.includes('"') || code.includes("'")) return true;
  }
  return false;
}

function indentOf(line: string): number {
  return line.length - line.trimStart().length;
}

/** True when a line after `from` that is neither blank nor a comment is indented more than `indent`. */
function continues(text: string, from: number, indent: number): boolean {
  let start = text.indexOf('\n', from);
  while (start >= 0) {
    const end = text.indexOf('\n', start + 1);
    const line = text.slice(start + 1, end < 0 ? undefined : end).replace(/\r$/, '');
    const body = line.trim();
    if (body !== '' && !body.startsWith('#')) return indentOf(line) > indent;
    start = end;
  }
  return false;
}

/**
 * Every directory an Application text may name as a source `path`, normalized; `undefined` when the text
 * is ambiguous (see the module comment) and must be parsed.
 */
export function applicationPathDirs(text: string): Set<string> | undefined {
  if (AMBIGUOUS_TEXT.test(text) || hasOpenFlow(text)) return undefined;
  const dirs = new Set<string>();
  for (const m of text.matchAll(PATH_KEY)) {
    const lineStart = text.lastIndexOf('\n', m.index) + 1;
    // The key's column: lines indented more than it continue a scalar value (`- path: x` has its key at column 2).
    const quoted = m.index > lineStart && (text[m.index - 1] === '"' || text[m.index - 1] === "'");
    const keyIndent = m.index - lineStart - (quoted ? 1 : 0);
    const eol = text.indexOf('\n', m.index);
    const rest = text.slice(m.index + m[0].length, eol < 0 ? undefined : eol).replace(/\r$/, '');
    const value = rest.trimStart();
    // Nothing on the line: the value is on the next, more indented lines (a multi-line scalar), or null.
    if (value === '' || value.startsWith('#')) {
      if (continues(text, m.index, keyIndent)) return undefined;
      continue;
    }
    const c = value[0]!;
    if (c === '|' || c === '>' || c === '*' || c === '&' || c === '!') return undefined;
    if (c === '{' || c === '[') continue; // a collection, not a string
    if (c === '"' || c === "'") {
      // Quoted on one line (escapes are ambiguous already); a quote left open continues on the next line.
      let end = 1;
      for (;;) {
        end = value.indexOf(c, end);
        if (end < 0) return undefined;
        if (c === "'" && value[end + 1] === "'") {
          end += 2;
          continue;
        }
        break;
      }
      const raw = value.slice(1, end);
      dirs.add(normalizeDir(c === "'" ? raw.replace(/''/g, "'") : raw));
      continue;
    }
    // Plain scalar: in block style it runs to the end of the line or a comment, in flow style to `,` `}` `]`.
    if (continues(text, m.index, keyIndent)) return undefined;
    const block = value.replace(/\s+#.*$/, '').trim();
    dirs.add(normalizeDir(block));
    const flowEnd = FLOW_END.exec(block);
    if (flowEnd) dirs.add(normalizeDir(block.slice(0, flowEnd.index).trim()));
  }
  return dirs;
}
