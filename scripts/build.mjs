// Builds the committed bundles: dist/index.mjs (the GitHub Action, started as dist/index.js), dist/cli.mjs (the
// CLI, started as dist/cli.js) and the workers (health-check Lua, large manifest reads, PR bodies), and copies
// wasmoon's glue.wasm next to them (src/health/lua-vm.ts looks for it beside the running bundle).
// Usage: node scripts/build.mjs [--if-stale]
import { build } from 'esbuild';
import { copyFileSync, existsSync, statSync, readdirSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { policyValidatorModule } from './policy-validator.mjs';

const root = new URL('..', import.meta.url).pathname;

function newest(dir) {
  let t = 0;
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    t = Math.max(t, e.isDirectory() ? newest(p) : statSync(p).mtimeMs);
  }
  return t;
}

const outputs = ['dist/cli.js', 'dist/cli.mjs', 'dist/index.js', 'dist/index.mjs', 'dist/read-worker.js', 'dist/markdown-worker.js'].map((p) => join(root, p));
if (process.argv.includes('--if-stale') && outputs.every((p) => existsSync(p))) {
  const built = Math.min(...outputs.map((p) => statSync(p).mtimeMs));
  if (built >= Math.max(newest(join(root, 'src')), newest(join(root, 'policies')), statSync(join(root, 'docs/audit-report.schema.json')).mtimeMs)) process.exit(0);
}

// The policy schema's validator, compiled here (Ajv standalone code) in place of src/policy/schema-validator.ts,
// which compiles it at run time: the bundles neither carry nor run the schema compiler for it.
const policyValidatorCode = policyValidatorModule();
const standalonePolicyValidator = {
  name: 'standalone-policy-validator',
  setup(b) {
    b.onLoad({ filter: /[\\/]src[\\/]policy[\\/]schema-validator\.ts$/ }, () => ({ contents: policyValidatorCode, loader: 'js', resolveDir: join(root, 'src/policy') }));
  },
};

const common = {
  bundle: true,
  plugins: [standalonePolicyValidator],
  platform: 'node',
  format: 'esm',
  target: 'node20',
  absWorkingDir: root,
  loader: { '.yaml': 'text', '.lua': 'text' },
  legalComments: 'eof',
  logLevel: 'warning',
  // CommonJS dependencies bundled into ESM need require, __filename and __dirname.
  banner: {
    js: [
      "import { createRequire as __gg_createRequire } from 'node:module';",
      "import { fileURLToPath as __gg_fileURLToPath } from 'node:url';",
      "import { dirname as __gg_dirname } from 'node:path';",
      'const require = __gg_createRequire(import.meta.url);',
      'const __filename = __gg_fileURLToPath(import.meta.url);',
      'const __dirname = __gg_dirname(__filename);',
    ].join('\n'),
  },
};

// health-worker.js runs health-check Lua (src/health/worker.ts); read-worker.js parses large batches of
// manifests (src/engine/parallel-read.ts); markdown-worker.js parses PR bodies under a time limit
// (src/description/bounded.ts).
await build({
  ...common,
  entryPoints: { 'health-worker': 'src/health/worker.ts', 'read-worker': 'src/engine/read-worker.ts', 'markdown-worker': 'src/description/markdown-worker.ts' },
  outdir: 'dist',
});
// The two entry points are .mjs bundles behind a .js file of one import. Node (20.19 and later, 24) starts a .js
// entry through its CommonJS loader, which reads and decodes the whole file, then scans it again to tell its
// module format, before the ES module loader reads it a third time: 0.1 s of every run for a 3 MB bundle
// (`node dist/cli.js --help`: 0.40-0.57 s as one .js file, 0.31-0.45 s so). A .mjs file goes straight to the ES module
// loader; the names users and action.yml give stay dist/cli.js and dist/index.js.
await build({ ...common, entryPoints: { index: 'src/action/index.ts', cli: 'src/cli/index.ts' }, outdir: 'dist', outExtension: { '.js': '.mjs' } });
const entry = (bundle) => `// Starts ${bundle}, the bundle built by scripts/build.mjs (see there why it is a .mjs file behind this one).\nimport './${bundle}';\n`;
writeFileSync(join(root, 'dist/index.js'), entry('index.mjs'));
writeFileSync(join(root, 'dist/cli.js'), `#!/usr/bin/env node\n${entry('cli.mjs')}`);
copyFileSync(createRequire(import.meta.url).resolve('wasmoon/dist/glue.wasm'), join(root, 'dist/glue.wasm'));
