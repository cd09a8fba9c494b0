// Bundles modules of src/ (or test/) with esbuild for a bench script and imports the bundle: the benches run
// the gate's TypeScript without a build of their own. Dependencies stay external (resolved from node_modules);
// `.yaml` and `.lua` imports load as text, as in scripts/build.mjs.
import { build } from 'esbuild';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';

const root = new URL('..', import.meta.url).pathname;

/**
 * Bundles `contents` (TypeScript export statements, with paths relative to the repository root) into
 * bench/.work/<name>.mjs and imports it.
 * @returns the bundle's module namespace
 */
export async function importFromSource(name, contents) {
  const work = join(root, 'bench/.work');
  mkdirSync(work, { recursive: true });
  const outfile = join(work, `${name}.mjs`);
  await build({
    stdin: { contents, resolveDir: root, loader: 'ts' },
    loader: { '.yaml': 'text', '.lua': 'text' },
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    packages: 'external',
    outfile,
    logLevel: 'warning',
  });
  return import(outfile);
}
