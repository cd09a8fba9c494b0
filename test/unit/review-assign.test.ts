/** The distinct-approver assignment: maximum, one requirement per approver, earlier requirements first. */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { assignDistinct } from '../../src/review/assign.js';

describe('assignDistinct', () => {
  it('re-routes an approver so both requirements are met', () => {
    expect(assignDistinct([1, 1], [['sam', 'kim'], ['sam']])).toEqual([['kim'], ['sam']]);
  });

  it('fills earlier requirements first when not all can be met', () => {
    expect(assignDistinct([1, 1], [['kim'], ['kim']])).toEqual([['kim'], []]);
  });

  it('never uses an approver twice nor overfills, and fills as many slots as a brute force finds', () => {
    const people = ['a', 'b', 'c', 'd'];
    const arb = fc.array(fc.record({ need: fc.integer({ min: 1, max: 2 }), who: fc.subarray(people) }), { minLength: 1, maxLength: 4 });
    fc.assert(
      fc.property(arb, (reqs) => {
        const out = assignDistinct(reqs.map((r) => r.need), reqs.map((r) => r.who));
        const used = out.flat();
        expect(new Set(used).size).toBe(used.length);
        out.forEach((got, i) => {
          expect(got.length).toBeLessThanOrEqual(reqs[i]!.need);
          for (const a of got) expect(reqs[i]!.who).toContain(a);
        });
        // Brute force: every way to give each person one requirement (or none).
        let best = 0;
        const choose = (k: number, load: number[]) => {
          if (k === people.length) {
            best = Math.max(best, load.reduce((n, l, i) => n + Math.min(l, reqs[i]!.need), 0));
            return;
          }
          choose(k + 1, load);
          reqs.forEach((r, i) => {
            if (!r.who.includes(people[k]!)) return;
            const next = [...load];
            next[i]! += 1;
            choose(k + 1, next);
          });
        };
        choose(0, reqs.map(() => 0));
        expect(used.length).toBe(best);
      }),
    );
  });
});
