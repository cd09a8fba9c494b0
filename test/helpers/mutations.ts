/** Random edits of a valid text, for property tests of the YAML layer. */
import fc from 'fast-check';

/**
 * `base` with 1 to `maxEdits` random edits: `tokens` (or short random strings) inserted or written over
 * a range, and ranges of up to `maxRange` characters deleted.
 */
export function mutatedText(base: string, tokens: fc.Arbitrary<string>, opts: { maxEdits: number; maxRange: number }): fc.Arbitrary<string> {
  return fc
    .array(fc.tuple(fc.nat({ max: base.length }), fc.nat({ max: opts.maxRange }), tokens, fc.constantFrom('insert', 'delete', 'replace')), {
      minLength: 1,
      maxLength: opts.maxEdits,
    })
    .map((edits) => {
      let t = base;
      for (const [at, len, text, op] of edits) {
        const i = Math.min(at, t.length);
        if (op === 'insert') t = t.slice(0, i) + text + t.slice(i);
        else if (op === 'delete') t = t.slice(0, i) + t.slice(i + len);
        else t = t.slice(0, i) + text + t.slice(i + Math.min(len, text.length + 2));
      }
      return t;
    });
}
