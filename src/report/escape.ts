/**
 * Text from the PR (titles, bodies, file names, logins) made harmless where Markdown escaping does not
 * reach: invisible characters for plain text, HTML text inside the gate's own `<summary>` elements, path
 * segments in URLs. All Markdown the gate writes (summary, PR comment, check run text, audit report, the
 * action's failure summary) is an mdast tree (./md.ts) escaped by the serialiser: nothing here escapes Markdown.
 */

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
