/**
 * Identities in commits: `Co-authored-by` trailers and GitHub's no-reply addresses, which name a login
 * (`ID+login@users.noreply.github.com`, or the older `login@users.noreply.github.com`).
 */
import type { Identity } from '../core/model.js';

const NOREPLY = /^(?:(\d+)\+)?([A-Za-z0-9](?:[A-Za-z0-9-]{0,38})(?:\[bot\])?)@users\.noreply\.github\.com$/i;

/** The GitHub login named by a no-reply address, if it is one. */
export function identityFromEmail(email: string): Pick<Identity, 'login'> {
  const m = NOREPLY.exec(email.trim());
  return m ? { login: m[2]! } : {};
}

/**
 * Parses `Co-authored-by: Name <email>` trailers (case-insensitive key, as GitHub reads them).
 * Trailers are read from the whole message: GitHub also honours them outside the last paragraph.
 */
export function parseCoAuthors(message: string): Identity[] {
  const out: Identity[] = [];
  for (const m of message.matchAll(/^[ \t]*co-authored-by:[ \t]*(.*?)[ \t]*<([^>\s]+)>[ \t]*$/gim)) {
    const name = m[1]!.trim();
    const email = m[2]!.trim();
    out.push({ ...(name ? { name } : {}), email, ...identityFromEmail(email) });
  }
  return out;
}
