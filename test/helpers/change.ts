/** Builds in-memory changes and evaluates them, for unit tests of checks. */
import type { Change, ChangedFile } from '../../src/core/model.js';
import { type EvaluateOptions } from '../../src/engine/evaluate.js';
import { evaluate } from '../../src/composition.js';
import { MemoryTree } from './memory-tree.js';

/** A diff-mode change from base and head file maps; changed files are derived from the maps. */
export function memoryChange(base: Record<string, string>, head: Record<string, string>, extra: Partial<Change> = {}): Change {
  const files: ChangedFile[] = [];
  for (const [p, t] of Object.entries(head)) {
    if (!(p in base)) files.push({ path: p, status: 'added' });
    else if (base[p] !== t) files.push({ path: p, status: 'modified' });
  }
  for (const p of Object.keys(base)) if (!(p in head)) files.push({ path: p, status: 'removed' });
  return {
    baseSha: 'b'.repeat(40),
    headSha: 'h'.repeat(40),
    files,
    commits: [],
    base: new MemoryTree(base, 'b'.repeat(40)),
    head: new MemoryTree(head, 'h'.repeat(40)),
    caps: { filesTruncated: false, commitsTruncated: false },
    mode: 'diff',
    ...extra,
  };
}

/** Evaluates a change whose head adds `head` files over an empty base. */
export async function evaluateFiles(head: Record<string, string>, base: Record<string, string> = {}, opts: Partial<EvaluateOptions> = {}) {
  return evaluate(memoryChange(base, head), { policyPath: 'policies', now: () => new Date('2026-01-01T00:00:00Z'), ...opts });
}
