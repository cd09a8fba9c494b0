// Makes test/e2e/openapi/github-subset.json: the operations gitops-gate calls, pruned out of the official
// OpenAPI description of the GitHub REST API (npm package @octokit/openapi, pinned below).
//
// Usage: node scripts/prune-openapi.mjs
//
// The package is ~400 MB unpacked, so it is not a dependency: `npm pack` fetches its tarball into a
// temporary directory, and only the one description file is extracted from it.
//
// What the script does to the description, and why:
// - keeps only the operations listed in OPERATIONS, and the components they reference (transitively);
// - drops `examples` (documentation only, and the bulk of the size);
// - rewrites OpenAPI 3.0 `nullable: true` on schemas without a `type` into `anyOf: [schema, {type: null}]`,
//   since Ajv only understands `nullable` next to `type` and throws otherwise, and adds `null` to the
//   `enum` of nullable enums (Ajv checks `enum` against null values too).
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const PACKAGE = '@octokit/openapi@23.0.2';
const FILE = 'package/generated/api.github.com.json';
const OUT = new URL('../test/e2e/openapi/github-subset.json', import.meta.url).pathname;

/** operationIds the Action uses now, or that the publishing and review work will use. */
const OPERATIONS = [
  // Gathering the change.
  'pulls/get',
  'pulls/list-files',
  'pulls/list-commits',
  'pulls/list-reviews',
  // Commits past the 250 that pulls/list-commits lists (paged compare, as GitHub documents it).
  'repos/compare-commits-with-basehead',
  'repos/get-content',
  'git/get-tree',
  // The base commit through the API when git cannot fetch it: its blobs by id.
  'git/get-blob',
  // Review policy facts.
  'repos/get-collaborator-permission-level',
  'teams/get-membership-for-user-in-org',
  'teams/list-members-in-org',
  'users/get-authenticated',
  // Publishing: check runs, sticky comment, commit status, re-runs.
  'checks/create',
  'checks/update',
  'checks/list-for-ref',
  'issues/list-comments',
  'issues/create-comment',
  'issues/update-comment',
  'issues/delete-comment',
  // Break-glass: who applied a label.
  'issues/list-events',
  'repos/create-commit-status',
  'actions/list-workflow-runs',
  'actions/re-run-workflow',
  // The audit trail (`gitops-gate audit`): merged PRs in bulk, the PRs of a commit, repository comments.
  'pulls/list',
  'repos/list-pull-requests-associated-with-commit',
  'issues/list-comments-for-repo',
];

const dir = mkdtempSync(join(tmpdir(), 'gg-openapi-'));
try {
  const tgz = execFileSync('npm', ['pack', PACKAGE, '--silent', '--pack-destination', dir], { encoding: 'utf8' }).trim().split('\n').pop();
  execFileSync('tar', ['xzf', join(dir, tgz), '-C', dir, FILE]);
  const spec = JSON.parse(readFileSync(join(dir, FILE), 'utf8'));

  const paths = {};
  const found = new Set();
  for (const [p, item] of Object.entries(spec.paths)) {
    for (const [method, op] of Object.entries(item)) {
      if (!OPERATIONS.includes(op.operationId)) continue;
      found.add(op.operationId);
      (paths[p] ??= {})[method] = op;
    }
  }
  const missing = OPERATIONS.filter((o) => !found.has(o));
  if (missing.length) throw new Error(`operations not in ${PACKAGE}: ${missing.join(', ')}`);

  // Drop documentation-only examples before collecting references, so their components are not kept.
  // (Keys of a `properties` map are property names, never documentation, so they are kept.)
  const strip = (node, isPropertyMap = false) => {
    if (Array.isArray(node)) return node.map((n) => strip(n));
    if (typeof node !== 'object' || node === null) return node;
    const out = {};
    for (const [k, v] of Object.entries(node)) {
      if (!isPropertyMap && (k === 'examples' || k === 'example' || k === 'x-github')) continue;
      out[k] = strip(v, !isPropertyMap && k === 'properties');
    }
    return out;
  };
  const prunedPaths = strip(paths);

  // Collect referenced components transitively.
  const components = {};
  const pending = [];
  const visit = (node) => {
    if (Array.isArray(node)) return node.forEach(visit);
    if (typeof node !== 'object' || node === null) return;
    if (typeof node.$ref === 'string') pending.push(node.$ref);
    for (const v of Object.values(node)) visit(v);
  };
  visit(prunedPaths);
  const seen = new Set();
  while (pending.length) {
    const ref = pending.pop();
    if (seen.has(ref)) continue;
    seen.add(ref);
    const [, , kind, name] = ref.split('/');
    const value = strip(spec.components[kind][name]);
    (components[kind] ??= {})[name] = value;
    visit(value);
  }

  // Ajv understands `nullable` only next to `type`.
  const nullable = (node) => {
    if (Array.isArray(node)) return node.map(nullable);
    if (typeof node !== 'object' || node === null) return node;
    const out = {};
    for (const [k, v] of Object.entries(node)) out[k] = nullable(v);
    if (out.nullable === true && out.type === undefined) {
      const { nullable: _n, ...rest } = out;
      return { anyOf: [rest, { type: 'null' }] };
    }
    // Ajv applies `enum` to null values as well: a nullable enum must list null.
    if (out.nullable === true && Array.isArray(out.enum) && !out.enum.includes(null)) out.enum = [...out.enum, null];
    return out;
  };

  const subset = {
    openapi: spec.openapi,
    info: { ...spec.info, description: `Subset of ${PACKAGE} (generated/api.github.com.json) made by scripts/prune-openapi.mjs.` },
    servers: spec.servers,
    paths: nullable(prunedPaths),
    components: Object.fromEntries(Object.entries(components).map(([k, v]) => [k, nullable(Object.fromEntries(Object.entries(v).sort(([a], [b]) => a.localeCompare(b))))])),
  };
  mkdirSync(new URL('../test/e2e/openapi/', import.meta.url).pathname, { recursive: true });
  writeFileSync(OUT, JSON.stringify(subset, null, 1) + '\n');
  console.log(`wrote ${OUT}: ${found.size} operations, ${seen.size} components`);
} finally {
  rmSync(dir, { recursive: true, force: true });
}
