/**
 * The project's structure, checked in CI (`npm run lint` runs `depcruise`): no import cycles between files of
 * src/, and no folder importing from a folder of a higher layer. The layers, from the ground up, are written
 * down with their reasons in docs/architecture.md; keep the two in step.
 */
const LAYERS = [
  ['core', ['src/core/', 'src/version\\.ts$']],
  ['manifests', ['src/manifests/']],
  ['argocd', ['src/argocd/']],
  ['sources', ['src/sources/']],
  ['github', ['src/github/']],
  ['render', ['src/render/']],
  ['policy', ['src/policy/']],
  ['area', ['src/area/']],
  ['areas', ['src/files/', 'src/sync/', 'src/applications/', 'src/health/', 'src/review/', 'src/description/']],
  ['engine', ['src/engine/']],
  ['composition', ['src/composition\\.ts$']],
  ['report', ['src/report/']],
  ['publish', ['src/publish/']],
  ['audit', ['src/audit/']],
  ['entry', ['src/action/', 'src/cli/']],
];

const pathOf = (dirs) => `^(${dirs.join('|')})`;
const forbidden = [
  {
    name: 'no-circular',
    severity: 'error',
    comment: 'Files must not import each other in a loop: split out what both need.',
    from: { path: '^src/' },
    to: { circular: true },
  },
  {
    name: 'areas-are-independent',
    severity: 'error',
    comment: 'An area imports no other area: what two areas share belongs to src/argocd/ or below.',
    from: { path: '^src/(files|sync|applications|health|review|description)/' },
    to: { path: '^src/(files|sync|applications|health|review|description)/', pathNot: '^src/$1/' },
  },
];
LAYERS.forEach(([name, dirs], i) => {
  const higher = LAYERS.slice(i + 1).flatMap(([, d]) => d);
  if (!higher.length) return;
  forbidden.push({
    name: `layer-${name}`,
    severity: 'error',
    comment: `The ${name} layer must not import from a higher layer (see docs/architecture.md).`,
    from: { path: pathOf(dirs) },
    to: { path: pathOf(higher) },
  });
});

module.exports = {
  forbidden,
  options: {
    doNotFollow: { path: 'node_modules' },
    includeOnly: '^src/',
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: { extensions: ['.ts', '.js', '.json'] },
  },
};
