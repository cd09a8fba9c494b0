/**
 * The lifecycle shared by end-to-end test files: dist/ built once, a fresh {@link FakeGitHub} per test,
 * and after each test the fake closed, the scenarios' repositories removed, and the fake's contract
 * problems asserted empty (a request GitHub would refuse fails the test).
 */
import { afterEach, beforeAll, beforeEach, expect } from 'vitest';
import { FakeGitHub } from './fake-github.js';
import { ensureBuilt, scenario, type Scenario, type ScenarioOptions } from './harness.js';

/** Handles of a test file's suite (see {@link useE2eSuite}). */
export interface E2eSuite {
  /** The current test's fake. */
  fake(): FakeGitHub;
  /** Builds a scenario in the current fake, removed after the test. */
  make(opts: ScenarioOptions): Promise<Scenario>;
}

/** Registers the hooks in the calling test file. */
export function useE2eSuite(): E2eSuite {
  let fake: FakeGitHub | undefined;
  const cleanups: (() => void)[] = [];
  beforeAll(() => ensureBuilt());
  beforeEach(async () => {
    fake = await FakeGitHub.start();
  });
  afterEach(async () => {
    await fake!.close();
    while (cleanups.length) cleanups.pop()!();
    expect(fake!.problems).toEqual([]);
  });
  return {
    fake: () => fake!,
    make: async (opts) => {
      const s = await scenario(fake!, opts);
      cleanups.push(() => s.cleanup());
      return s;
    },
  };
}

/** A Deployment manifest with a sync-wave annotation written as given (`'"1"'` quoted, `'5'` a number). */
export function deployment(name: string, wave: string): string {
  return ['apiVersion: apps/v1', 'kind: Deployment', 'metadata:', `  name: ${name}`, '  annotations:', `    argocd.argoproj.io/sync-wave: ${wave}`, 'spec:', '  replicas: 1', ''].join('\n');
}
