/**
 * Text from the PR (titles, bodies, file names, logins) made harmless where Markdown escaping does not
 * reach: invisible characters for plain text, HTML text inside the gate's own `<summary>` elements, path
 * segments in URLs. The summary, the PR comment and the check run text are mdast trees (./md.ts), escaped by
 * the serialiser; {@link escapeMarkdown} and {@link cell} remain only for Markdown still built as strings
 * outside src/report (the audit report, src/audit/render.ts; the action's failure summary, src/action/deliver.ts).
 */
import { truncate } from './limits.js';

/**
 * Characters that change how text around them displays without being seen: C0 and C1 controls (terminal
 * escape sequences), bidirectional overrides and isolates (U+202E can make `evil.yaml` read as `lmay.live`),
 * and zero-width characters. Shown as a visible `<U+XXXX>` instead.
 */
// eslint-disable-next-line no-control-regex -- matching control characters is the point
const INVISIBLE = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f\u061c\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u2069\ufeff]/g;

/** Replaces invisible and direction-changing characters with a visible `<U+XXXX>` marker (for plain text). */
export function showInvisible(text: string): string {
  return text.replace(INVISIBLE, (c) => `<U+${c.charCodeAt(0).toString(16).toUpperCase().padStart(4, '0')}>`);
}

/** Plain text for a terminal, on one line: invisible characters shown, line breaks as `\n`. */
export function plainLine(text: string): string {
  return showInvisible(text.replace(/\r\n?|\n/g, '\\n'));
}

/** Escapes Markdown and HTML metacharacters so `text` renders literally, on one line (for string-built Markdown; see the module's note). */
export function escapeMarkdown(text: string): string {
  return showInvisible(text.replace(/\r\n?|\n/g, ' '))
    .replace(/[\\`*_[\]#!|<>~&"]/g, (c) => {
      switch (c) {
        case '<':
          return '&lt;';
        case '>':
          return '&gt;';
        case '&':
          return '&amp;';
        case '"':
          return '&quot;';
        default:
          return `\\${c}`;
      }
    })
    // A line starting with a list, quote or heading marker is neutralised by the escapes above or is
    // inline here; mentions are broken with a zero-width space so PR text cannot ping people.
    .replace(/@(?=\w)/g, '@\u200b')
    // Bare URLs would become links (GFM autolinks): PR text must not add links to the summary.
    .replace(/:\/\//g, ':\u200b//')
    .replace(/\bwww\./gi, (w) => `${w.slice(0, 3)}\u200b.`);
}

/** Escapes text for a table cell (Markdown escaped, pipes and newlines neutralised), truncated to `max` characters. */
export function cell(text: string, max = 500): string {
  // Cut at a word boundary, never mid-word (see truncate).
  const t = truncate(text, { max, unit: 'chars' });
  return escapeMarkdown(t);
}

/**
 * Percent-encodes each segment of a repository path for use in a URL, including the characters
 * `encodeURIComponent` leaves alone but Markdown reads (`(`, `)`, `!`, `*`, `'`, `~`): a file named
 * `a).yaml` must not end a Markdown link early.
 */
export function encodePath(path: string): string {
  return path
    .split('/')
    .map((seg) => encodeURIComponent(seg).replace(/[()!*'~]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`))
    .join('/');
}

/**
 * Text as inline code inside an HTML element the gate writes (such as `<summary>`), where Markdown is not
 * read: the text is HTML-escaped and invisible characters are shown, so it cannot open or close elements.
 */
export function htmlCode(text: string): string {
  const t = showInvisible(text.replace(/\r\n?|\n/g, ' ')).replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c]!);
  return `<code>${t}</code>`;
}
