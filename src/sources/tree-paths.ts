/** Helpers shared by the {@link TreeReader}s that read one file per call (the workspace). */
import type { TreeReader } from '../core/model.js';

/** True for a relative, `/`-separated path with no empty, `.` or `..` segment (and no NUL). */
export function isRepoPath(path: string): boolean {
  return path.length > 0 && !path.includes('\0') && !path.startsWith('/') && path.split('/').every((s) => s !== '' && s !== '.' && s !== '..');
}

/** `readFiles` in terms of `readFile`: each distinct path once, concurrently. */
export async function readEach(tree: Pick<TreeReader, 'readFile'>, paths: readonly string[]): Promise<Map<string, Uint8Array | undefined>> {
  const unique = [...new Set(paths)];
  const values = await Promise.all(unique.map((p) => tree.readFile(p)));
  return new Map(unique.map((p, i) => [p, values[i]]));
}
