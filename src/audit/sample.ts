/**
 * A reproducible random sample of the population for an auditor to test, weighted towards the changes
 * assessors look at first: changes with exceptions and weekend changes (SOC 2 CC8.1 and PCI DSS 6.5.1
 * testing samples 25 to 60 changes from the period's population).
 *
 * Weighted sampling without replacement by Efraimidis and Spirakis (2006, "Weighted random sampling with a
 * reservoir"): each change draws `u` uniform in (0, 1) and gets the key `u^(1/weight)`; the `n` largest keys
 * are the sample. The draws come from pure-rand's xoroshiro128+ seeded from SHA-256 of the seed text, in
 * population order, so the same seed and population give the same sample on any machine.
 */
import { createHash } from 'node:crypto';
import { uniformFloat64 } from 'pure-rand/distribution/uniformFloat64';
import { xoroshiro128plus } from 'pure-rand/generator/xoroshiro128plus';
import type { AuditChange } from './model.js';

/** Weight of a change with at least one exception (a revert alone counts too: it is an emergency sign). */
export const EXCEPTION_WEIGHT = 5;
/** Extra weight of a change that reached the branch on a Saturday or Sunday (UTC). */
export const WEEKEND_WEIGHT = 2;

/** How the sample is drawn, for the report. */
export const SAMPLE_METHOD =
  `weighted random sampling without replacement (Efraimidis-Spirakis), weight 1, ${EXCEPTION_WEIGHT} with exceptions, ` +
  `+${WEEKEND_WEIGHT} on a UTC weekend; xoroshiro128+ seeded with the first 32 bits of SHA-256(seed)`;

/** The sampling weight of one change. */
export function sampleWeight(c: Pick<AuditChange, 'exceptions' | 'mergedAt'>): number {
  const day = new Date(c.mergedAt).getUTCDay();
  return (c.exceptions.length ? EXCEPTION_WEIGHT : 1) + (day === 0 || day === 6 ? WEEKEND_WEIGHT : 0);
}

/** The 32-bit integer seed of a seed text. */
export function seedNumber(seed: string): number {
  return createHash('sha256').update(seed, 'utf8').digest().readInt32BE(0);
}

/**
 * Draws `n` changes (all of them when `n` is at least the population).
 * @returns the sampled commits, in population order
 */
export function drawSample(changes: readonly Pick<AuditChange, 'commit' | 'exceptions' | 'mergedAt'>[], n: number, seed: string): string[] {
  const rng = xoroshiro128plus(seedNumber(seed));
  const keyed = changes.map((c, i) => {
    // uniformFloat64 is in [0, 1); 1 - u is in (0, 1], so the key is never 0 ** x.
    const u = 1 - uniformFloat64(rng);
    return { i, key: Math.log(u) / sampleWeight(c) };
  });
  keyed.sort((a, b) => b.key - a.key || a.i - b.i);
  return keyed
    .slice(0, Math.max(0, n))
    .map((k) => k.i)
    .sort((a, b) => a - b)
    .map((i) => changes[i]!.commit);
}
