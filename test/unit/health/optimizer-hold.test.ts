/**
 * The hold on V8's optimising compiler during health-script runs: one flag change per burst, restored once, and
 * never against a user's own choice of V8 tiers.
 */
import { describe, expect, it } from 'vitest';
import { optimizerHold, startedWithTierOption } from '../../../src/health/optimizer-hold.js';

describe('optimizer hold', () => {
  it('turns the optimiser off at the first hold and on again at the last release, each release counting once', () => {
    const flags: string[] = [];
    const hold = optimizerHold((f) => flags.push(f), true);
    const a = hold();
    const b = hold();
    expect(flags).toStrictEqual(['--no-turbofan']);
    a();
    a();
    expect(flags).toStrictEqual(['--no-turbofan']);
    b();
    expect(flags).toStrictEqual(['--no-turbofan', '--turbofan']);
    hold()();
    expect(flags).toStrictEqual(['--no-turbofan', '--turbofan', '--no-turbofan', '--turbofan']);
  });

  it('does nothing when disabled', () => {
    const flags: string[] = [];
    optimizerHold((f) => flags.push(f), false)()();
    expect(flags).toStrictEqual([]);
  });

  it('leaves a process started with its own choice of V8 tiers alone', () => {
    expect(startedWithTierOption(['--jitless'], undefined)).toBe(true);
    expect(startedWithTierOption(['--no-opt', 'x.js'], undefined)).toBe(true);
    expect(startedWithTierOption([], '--max-old-space-size=4096 --no_turbofan')).toBe(true);
    expect(startedWithTierOption(['--maglev'], '')).toBe(true);
    expect(startedWithTierOption(['--max-old-space-size=4096', '--enable-source-maps'], '--stack-trace-limit=50')).toBe(false);
    expect(startedWithTierOption([], undefined)).toBe(false);
    // A flag that only shares a prefix is not a choice of tiers.
    expect(startedWithTierOption(['--turbo-filter=foo', '--optimize-for-size'], undefined)).toBe(false);
  });
});
