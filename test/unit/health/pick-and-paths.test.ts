/** Which script a kind's test runs (ArgoCD's pick order), where a case's input is, and the rewrite of `..`. */
import { describe, expect, it } from 'vitest';
import type { HealthCheckDef } from '../../../src/health/model.js';
import { checkPicker } from '../../../src/health/gather.js';
import { joinPath } from '../../../src/health/suites.js';
import { analyzeLua, rewriteConcat } from '../../../src/health/lua-static.js';
import { argoHealth } from '../../../src/health/lua-vm.js';
import { runHealthLua } from '../../../src/health/lua-run.js';

const check = (key: string, origin: HealthCheckDef['origin'], file: string): HealthCheckDef => ({
  key,
  script: `return {status = "Healthy", message = "${file}"}`,
  useOpenLibs: origin === 'layout',
  origin,
  file,
  pos: { line: 1, column: 1 },
  scriptLine: 1,
  scriptColumn: 1,
  holder: file,
});

describe('checkPicker: util/lua/lua.go GetHealthScript order', () => {
  const checks = [
    check('*.example.io/*', 'argocd-cm-legacy', 'cm-wild.yaml'),
    check('a.example.io/*', 'layout', 'rc/a.example.io/_/health.lua'),
    check('a.example.io/Widget', 'layout', 'rc/a.example.io/Widget/health.lua'),
    check('a.example.io/Gadget', 'argocd-cm', 'cm-gadget.yaml'),
    check('a.example.io/Gadget', 'argocd-cm', 'cm-gadget-second.yaml'),
    check('*/*', 'layout', 'rc/_/_/health.lua'),
    check('b.other.io/*', 'layout', 'rc/b.other.io/_/health.lua'),
  ];
  const pick = checkPicker(checks);

  it('takes a configured exact key first, the first of a key when two define it', () => {
    expect(pick('a.example.io', 'Gadget')?.file).toBe('cm-gadget.yaml');
  });
  it('takes a configured wildcard before any layout check, even an exact one', () => {
    expect(pick('a.example.io', 'Widget')?.file).toBe('cm-wild.yaml');
  });
  it('takes a layout exact key when no configured key matches, then layout wildcards sorted by file', () => {
    const layoutOnly = checkPicker(checks.filter((c) => c.origin === 'layout'));
    expect(layoutOnly('a.example.io', 'Widget')?.file).toBe('rc/a.example.io/Widget/health.lua');
    // rc/_/_/health.lua sorts before rc/a.example.io/_/health.lua and rc/b.other.io/_/health.lua.
    expect(layoutOnly('b.other.io', 'Thing')?.file).toBe('rc/_/_/health.lua');
  });
  it('gives the same answer on a second ask, and none for a kind nothing matches', () => {
    expect(pick('a.example.io', 'Gadget')).toBe(pick('a.example.io', 'Gadget'));
    expect(checkPicker([checks[2]!])('c.io', 'X')).toBeUndefined();
  });
});

describe('joinPath', () => {
  it('joins plain paths as they are and normalises ., .. and empty segments', () => {
    expect(joinPath('rc/g/K', 'testdata/a.yaml')).toBe('rc/g/K/testdata/a.yaml');
    expect(joinPath('', 'testdata/a.yaml')).toBe('testdata/a.yaml');
    expect(joinPath('rc/g/K', './testdata//a.yaml')).toBe('rc/g/K/testdata/a.yaml');
    expect(joinPath('rc/g/K', '../Other/testdata/a.yaml')).toBe('rc/g/Other/testdata/a.yaml');
    expect(joinPath('rc/g/K/', 'a..b.yaml')).toBe('rc/g/K/a..b.yaml');
    expect(joinPath('rc', '../../x.yaml')).toBe('x.yaml');
  });
});

describe('rewriteConcat', () => {
  const run = async (script: string) => argoHealth(await runHealthLua({ script: rewriteConcat(script), prepared: true, obj: { n: 2, s: 'x' }, useOpenLibs: true, timeoutMs: 1000, memoryBytes: 32 << 20 }));

  it('keeps the value of nested, parenthesised and chained concatenations', async () => {
    expect((await run('return {status = "Healthy", message = (obj.s .. obj.n) .. ((obj.n/1) .. "-") .. obj.s .. (1/4)}')).message).toBe('x22-x0.25');
    expect((await run('local t = {obj.s..obj.s, (obj.s..(obj.s..obj.s))} return {status = "Healthy", message = t[1]..t[2]}')).message).toBe('xxxxx');
  });
  it('gives the same static findings when a script is analysed twice (the walk is kept per parse)', () => {
    const script = 'local hs = {}\nif obj.status.phase == "Ready" then hs.status = "Bogus" end\nhs.message = missing .. "x"\nreturn hs';
    const first = analyzeLua(script, true);
    expect(first.length).toBeGreaterThan(0);
    expect(analyzeLua(script, true)).toEqual(first);
  });
});
