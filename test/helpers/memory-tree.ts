/** An in-memory TreeReader for unit tests. */
import type { TreeReader } from '../../src/core/model.js';

export class MemoryTree implements TreeReader {
  readonly files: Map<string, Uint8Array>;
  constructor(
    files: Record<string, string | Uint8Array>,
    readonly label = 'memory',
  ) {
    this.files = new Map(Object.entries(files).map(([k, v]) => [k, typeof v === 'string' ? new TextEncoder().encode(v) : v]));
  }
  async readFile(path: string) {
    return this.files.get(path);
  }
  async readFiles(paths: readonly string[]) {
    return new Map(paths.map((p) => [p, this.files.get(p)] as const));
  }
  async listFiles() {
    return [...this.files.keys()].sort();
  }
}
