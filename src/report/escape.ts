/**
 * Escaping for text that comes from the PR (titles, bodies, file names, logins) before it enters
 * Markdown: it must not be able to break the summary's structure, fake a verdict, or inject HTML.
 */

/** Escapes Markdown and HTML metacharacters so `text` renders literally, on one line. */
export function escapeMarkdown(text: string): string {
  return text
    .replace(/\r\n?|\n/g, ' ')
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
    .replace(/@(?=\w)/g, '@\u200b');
}

/** Escapes text for a table cell (Markdown escaped, pipes and newlines neutralised), truncated to `max` characters. */
export function cell(text: string, max = 500): string {
  const t = text.length > max ? `${text.slice(0, max - 1)}…` : text;
  return escapeMarkdown(t);
}

/** Text in inline code: backticks in `text` are handled by choosing a longer fence. */
export function code(text: string): string {
  const t = text.replace(/\r\n?|\n/g, ' ');
  let fence = '`';
  while (t.includes(fence)) fence += '`';
  const pad = t.startsWith('`') || t.endsWith('`') ? ' ' : '';
  return `${fence}${pad}${t.replace(/\|/g, '\\|')}${pad}${fence}`;
}

/**
 * Percent-encodes each segment of a repository path for use in a Markdown link. Beyond
 * `encodeURIComponent`, `( ) * ! '` are encoded too: a `)` in a file name would end the link early.
 */
export function encodePath(path: string): string {
  return path
    .split('/')
    .map((seg) => encodeURIComponent(seg).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`))
    .join('/');
}

/** A login shown as `@login` without mentioning (notifying) the person: PR comments would ping them. */
export function login(name: string): string {
  return escapeMarkdown(`@${name}`);
}
