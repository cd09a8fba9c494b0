/**
 * The textual prefilter of Application paths (src/argocd/app-paths.ts) and the on-demand layout built on it:
 * it may name too many directories, never too few, and texts it cannot read safely are parsed instead.
 */
import { describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import { applicationPathDirs, normalizeDir } from '../../src/argocd/app-paths.js';
import { evaluate } from '../../src/composition.js';
import type { SyncPlansDetail } from '../../src/sync/plan-report.js';
import { memoryChange } from '../helpers/change.js';

const header = 'apiVersion: argoproj.io/v1alpha1\nkind: Application\nmetadata:\n  name: shop\n  namespace: argocd\n';

/** Every string a YAML parser reads as the value of a `path` key, normalized as the layout does. */
function parsedPathDirs(text: string): string[] {
  const out: string[] = [];
  const walk = (v: unknown) => {
    if (Array.isArray(v)) v.forEach(walk);
    else if (v && typeof v === 'object') {
      for (const [k, x] of Object.entries(v)) {
        if (k === 'path' && typeof x === 'string') out.push(normalizeDir(x));
        walk(x);
      }
    }
  };
  for (const d of parseAllDocuments(text, { merge: true })) if (!d.errors.length) walk(d.toJS({ maxAliasCount: 1000 }));
  return out;
}

/** Spec bodies in many styles; each names `teams/a` (and some `teams/b`). */
const SPECS: Record<string, string> = {
  block: 'spec:\n  source:\n    repoURL: https://git.example/shop.git\n    path: teams/a\n',
  dotSlash: 'spec:\n  source:\n    path: ./teams/a\n',
  trailingSlash: 'spec:\n  source:\n    path: teams/a/\n',
  dotDot: 'spec:\n  source:\n    path: teams/x/../a\n',
  doubleQuoted: 'spec:\n  source:\n    path: "teams/a"\n',
  singleQuoted: "spec:\n  source:\n    path: 'teams/a'\n",
  quotedKey: 'spec:\n  source:\n    "path": teams/a\n',
  comment: 'spec:\n  source:\n    path: teams/a # the service\n',
  flow: 'spec:\n  source: {repoURL: https://git.example/shop.git, path: teams/a, targetRevision: main}\n',
  flowLast: 'spec:\n  source: { path: ./teams/a/ }\n',
  sources: 'spec:\n  sources:\n    - repoURL: https://git.example/shop.git\n      path: teams/a\n    - path: teams/b\n      repoURL: https://git.example/shop.git\n',
  sourcesFlow: 'spec:\n  sources: [{path: teams/a}, {path: teams/b}]\n',
  crlf: 'spec:\r\n  source:\r\n    path: teams/a\r\n',
  recurse: 'spec:\n  source:\n    path: teams/a\n    directory:\n      recurse: true\n',
};

/** Texts the prefilter must hand to the parser. */
const AMBIGUOUS: Record<string, string> = {
  alias: 'x: &p teams/a\nspec:\n  source:\n    path: *p\n',
  mergeKey: 'base: &src {path: teams/a}\nspec:\n  source:\n    <<: *src\n',
  aliasKey: 'k: &k path\nspec:\n  source:\n    *k : teams/a\n',
  escape: 'spec:\n  source:\n    path: "te\\x61ms/a"\n',
  escapedKey: 'spec:\n  source:\n    "p\\x61th": teams/a\n',
  tag: 'spec:\n  source:\n    path: !!str teams/a\n',
  explicitKey: 'spec:\n  source:\n    ? path\n    : teams/a\n',
  literal: 'spec:\n  source:\n    path: |-\n      teams/a\n',
  folded: 'spec:\n  source:\n    path: >-\n      teams/a\n',
  nextLine: 'spec:\n  source:\n    path:\n      teams/a\n',
  multiLinePlain: 'spec:\n  source:\n    path: teams\n      /a\n',
  multiLineQuoted: 'spec:\n  source:\n    path: "teams\n      /a"\n',
  multiLineFlow: 'spec:\n  source: {repoURL: x,\n path: teams/a}\n',
  quotedBrace: "spec:\n  source: {repoURL: '}', path: teams/a}\n",
};

describe('applicationPathDirs', () => {
  it.each(Object.entries(SPECS))('names the directory of a %s source', (_, spec) => {
    const dirs = applicationPathDirs(header + spec);
    expect(dirs).toBeDefined();
    expect([...dirs!]).toContain('teams/a');
  });

  it.each(Object.entries(SPECS))('names every path a parser reads (%s)', (_, spec) => {
    const text = header + spec;
    const dirs = applicationPathDirs(text)!;
    for (const d of parsedPathDirs(text)) expect(dirs.has(d)).toBe(true);
  });

  it.each(Object.entries(AMBIGUOUS))('leaves %s to the parser', (_, spec) => {
    expect(applicationPathDirs(header + spec)).toBeUndefined();
  });

  it('reads the root in its spellings, and skips values that are not strings', () => {
    for (const v of ['.', './', '""', "''", '/']) expect(applicationPathDirs(`${header}spec:\n  source:\n    path: ${v}\n`)).toEqual(new Set(['']));
    expect(applicationPathDirs(`${header}spec:\n  source:\n    path: {a: 1}\n`)).toEqual(new Set());
    expect(applicationPathDirs(`${header}spec:\n  source:\n    path:\n  destination: {}\n`)).toEqual(new Set());
  });
});

const app = (file: string, spec: string) => [file, header.replace('name: shop', `name: ${file.replace(/\W/g, '-')}`) + spec] as const;
const cm = (name: string, wave = '0') => `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: ${name}\n  annotations:\n    argocd.argoproj.io/sync-wave: "${wave}"\n`;

describe('on-demand Application layout', () => {
  /** A repository of many Applications in the block style, plus the one under test. */
  function repo(spec: string): Record<string, string> {
    const files: Record<string, string> = Object.fromEntries([app('apps/target.yaml', spec)]);
    for (let i = 0; i < 50; i++) {
      const [p, t] = app(`apps/other-${i}.yaml`, `spec:\n  source:\n    path: teams/other-${i}\n`);
      files[p] = t;
      files[`teams/other-${i}/cm.yaml`] = cm(`o${i}`);
    }
    files['teams/a/cm.yaml'] = cm('a1');
    files['teams/a/sub/cm.yaml'] = cm('a2');
    files['teams/b/cm.yaml'] = cm('b1');
    return files;
  }

  async function groupsOf(spec: string, touched: string) {
    const base = repo(spec);
    const r = await evaluate(memoryChange(base, { ...base, [touched]: cm('changed', '5') }), { policyPath: 'policies' });
    return (r.details.syncPlans as SyncPlansDetail).groups.map((g) => [g.grouping, g.name, g.head.length]);
  }

  it.each(Object.entries(SPECS))('a touched file is grouped under its Application written in the %s style', async (style, spec) => {
    // With two sources the group holds teams/a and teams/b; recursive, teams/a and its subdirectory.
    const files = style.startsWith('sources') || style === 'recurse' ? 2 : 1;
    expect(await groupsOf(spec, 'teams/a/cm.yaml')).toEqual([['application', 'apps-target-yaml', files]]);
  });

  it.each(Object.entries(AMBIGUOUS))('an Application the prefilter cannot read (%s) is parsed', async (_, spec) => {
    const groups = await groupsOf(spec, 'teams/a/cm.yaml');
    // The same grouping as the parser gives: an Application when the text is valid YAML naming teams/a.
    const named = parsedPathDirs(header + spec).includes('teams/a');
    expect(groups).toEqual([named ? ['application', 'apps-target-yaml', 1] : ['directory', 'teams/a', 1]]);
  });

  it('a recursive Application covers a touched file in a subdirectory, with every file of its tree', async () => {
    expect(await groupsOf(SPECS.recurse!, 'teams/a/sub/cm.yaml')).toEqual([['application', 'apps-target-yaml', 2]]);
    // Without recurse, the subdirectory is a group of its own.
    expect(await groupsOf(SPECS.block!, 'teams/a/sub/cm.yaml')).toEqual([['directory', 'teams/a/sub', 1]]);
  });

  it('a deeper Application takes files from a recursive one above it', async () => {
    const base = { ...repo(SPECS.recurse!), ...Object.fromEntries([app('apps/sub.yaml', 'spec:\n  source:\n    path: teams/a/sub\n')]) };
    const head = { ...base, 'teams/a/cm.yaml': cm('changed', '5') };
    const r = await evaluate(memoryChange(base, head), { policyPath: 'policies' });
    const groups = (r.details.syncPlans as SyncPlansDetail).groups;
    expect(groups.map((g) => [g.name, g.head.map((x) => x.name)])).toEqual([['apps-target-yaml', ['changed']]]);
  });

  it('an Application moved to another directory brings in both its old and its new files', async () => {
    const base = repo(SPECS.block!);
    const head = { ...base, 'apps/target.yaml': base['apps/target.yaml']!.replace('teams/a', 'teams/b') };
    const r = await evaluate(memoryChange(base, head), { policyPath: 'policies' });
    const g = (r.details.syncPlans as SyncPlansDetail).groups.find((x) => x.grouping === 'application')!;
    expect([g.head.map((x) => x.name), g.base?.map((x) => x.name)]).toEqual([['b1'], ['a1']]);
  });
});
