/** Commit identities: trailers read as git reads them, invisible characters, and what can be tied to a login. */
import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { parseCoAuthors, parseTrailers } from '../../src/sources/identity.js';

/** git's own reading, as the oracle: `git interpret-trailers --parse`. */
function gitTrailers(message: string): { key: string; value: string }[] {
  const out = execFileSync('git', ['interpret-trailers', '--parse'], { input: message, encoding: 'utf8' });
  return out
    .split('\n')
    .filter(Boolean)
    .map((l) => {
      const i = l.indexOf(':');
      return { key: l.slice(0, i).trim(), value: l.slice(i + 1).trim() };
    });
}

describe('parseTrailers reads trailers as git interpret-trailers --parse does', () => {
  const messages = [
    'Fix\n\nCo-authored-by: Bob <bob@example.com>\n',
    'Fix\n\nCo-authored-by : Bob <bob@example.com>\n',
    'Fix\n\nbody text\n\nCo-authored-by: Bob <b@x>\nSigned-off-by: A <a@a>\n  continued\n',
    'Fix\n\nCo-authored-by: Bob <b@x>\nnot a trailer line\n',
    'Fix\n\nSigned-off-by: A <a@a>\nfree text\nmore text\n',
    'Fix\n\nSigned-off-by: A <a@a>\nfree text\nmore text\nand more\n',
    'Co-authored-by: Title <t@x>\n',
    'Fix\n\nCo-authored-by: Bob <b@x>\n\n\n',
    'Fix\n\nCo-authored-by: Bob <b@x>\n---\nReviewed-by: X <x@x>\n',
    'Fix\n\n# comment\nCo-authored-by: Bob <b@x>\n',
    'Fix\n\nKey-1 :v1\nkey two: no\n',
  ];
  for (const m of messages) {
    it(JSON.stringify(m), () => {
      expect(parseTrailers(m)).toEqual(gitTrailers(m));
    });
  }
});

describe('parseCoAuthors names every co-author git or GitHub could credit', () => {
  it('reads "Co-authored-by : Bob <...>" (a blank before the colon), which git reads as a trailer', () => {
    expect(parseCoAuthors('Fix\n\nCo-authored-by : Bob <4242+bob@users.noreply.github.com>\n')).toEqual([
      { name: 'Bob', email: '4242+bob@users.noreply.github.com', login: 'bob' },
    ]);
  });

  it('reads a trailer ending in a zero-width space', () => {
    expect(parseCoAuthors('Fix\n\nCo-authored-by: Bob <4242+bob@users.noreply.github.com>\u200B\n')).toEqual([
      { name: 'Bob', email: '4242+bob@users.noreply.github.com', login: 'bob' },
    ]);
  });

  it('reads a key hidden by invisible characters and odd spaces', () => {
    expect(parseCoAuthors('Fix\n\nCo-authored\u200D-by:\u00A0Bob <bob@corp.example>\n')).toEqual([{ name: 'Bob', email: 'bob@corp.example' }]);
  });

  it('names a co-author given without an e-mail: an identity no login can be tied to', () => {
    expect(parseCoAuthors('Fix\n\nCo-authored-by: Bob\n')).toEqual([{ name: 'Bob' }]);
  });

  it('still reads co-authors outside the trailer block (GitHub credits them), once each', () => {
    const msg = 'Fix\n\nCo-authored-by: Pat <pat@corp.example>\n\nmore text\n\nCo-authored-by: Pat <pat@corp.example>\n';
    expect(parseCoAuthors(msg)).toEqual([{ name: 'Pat', email: 'pat@corp.example' }]);
  });
});
