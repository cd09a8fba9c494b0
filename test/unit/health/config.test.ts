/** Health-check configuration: every source format and every validation rule, at the right line. */
import { describe, expect, it } from 'vitest';
import { evaluateFiles as evaluateAll } from '../../helpers/change.js';
import { HEALTH_RULES } from '../../../src/health/check.js';

const HEALTH = new Set(HEALTH_RULES.map((r) => r.id));

/** Evaluates and keeps only the health area's findings (other areas' rules also see these manifests). */
async function evaluateFiles(...args: Parameters<typeof evaluateAll>) {
  const r = await evaluateAll(...args);
  return { ...r, findings: r.findings.filter((f) => HEALTH.has(f.rule)) };
}

const cm = (data: string) => `apiVersion: v1
kind: ConfigMap
metadata:
  name: argocd-cm
  namespace: argocd
data:
${data}`;

const OK = `    hs = {status = "Progressing"}
    if obj.status ~= nil then hs.status = "Healthy" end
    return hs
`;

async function findings(files: Record<string, string>) {
  const r = await evaluateFiles(files);
  return r.findings.filter((f) => f.reference && f.rule !== 'yaml-syntax').map((f) => ({ rule: f.rule, file: f.file, line: f.line, severity: f.severity, message: f.message }));
}

function checks(r: Awaited<ReturnType<typeof evaluateFiles>>) {
  return ((r.details.health as { checks: { key: string; origin: string; line: number; useOpenLibs: boolean }[] } | undefined)?.checks ?? []);
}

describe('split keys in argocd-cm', () => {
  it('accepts a valid check and reads useOpenLibs', async () => {
    const r = await evaluateFiles({ 'cm.yaml': cm(`  resource.customizations.health.example.com_Widget: |\n${OK}  resource.customizations.useOpenLibs.example.com_Widget: "true"\n  resource.customizations.health.ConfigMap: |\n${OK}`) });
    expect(r.findings.filter((f) => f.rule.startsWith('health') || f.rule.startsWith('lua'))).toEqual([]);
    expect(checks(r)).toEqual([
      expect.objectContaining({ key: 'example.com/Widget', origin: 'argocd-cm', line: 7, useOpenLibs: true }),
      expect.objectContaining({ key: 'ConfigMap', useOpenLibs: false }),
    ]);
  });
  it.each([
    ['resource.customizations.health.example.com/Widget', 'health-key-invalid-configmap-key'],
    ['resource.customizations.health.example.com-Widget', 'health-key-bad-separator'],
    ['resource.customizations.health._PersistentVolumeClaim', 'health-key-core-group-prefix'],
    ['resource.customizations.health.example.com_*', 'health-key-wildcard'],
    ['resource.customizations.health.a_b_C', 'health-key-format'],
    ['resource.customizations.healthcheck.example.com_Widget', 'health-customization-unknown-type'],
  ])('%s -> %s at the key line', async (key, rule) => {
    const f = await findings({ 'cm.yaml': cm(`  timeout.reconciliation: "180s"\n  ${JSON.stringify(key)}: |\n${OK}`) });
    expect(f).toEqual([expect.objectContaining({ rule, file: 'cm.yaml', line: 8, severity: 'error' })]);
  });
  it('flags non-string values and useOpenLibs values ParseBool rejects', async () => {
    const f = await findings({ 'cm.yaml': cm(`  resource.customizations.useOpenLibs.a.io_B: true\n  resource.customizations.useOpenLibs.a.io_C: "yes"\n  timeout.reconciliation: 180\n`) });
    expect(f.map((x) => [x.rule, x.line])).toEqual([
      ['configmap-value-not-string', 7],
      ['health-useopenlibs-invalid', 8],
      ['configmap-value-not-string', 9],
    ]);
  });
  it('ignores ConfigMaps that are not argocd-cm', async () => {
    const f = await findings({ 'cm.yaml': cm(`  resource.customizations.health.a/B: |\n${OK}`).replace('name: argocd-cm', 'name: other') });
    expect(f).toEqual([]);
  });
});

describe('Lua inside argocd-cm', () => {
  it('maps a syntax error to its line in the YAML file', async () => {
    const f = await findings({ 'cm.yaml': cm(`  resource.customizations.health.a.io_B: |\n    hs = {status = "Healthy"}\n    x = 7 // 2\n    return hs\n`) });
    expect(f).toEqual([expect.objectContaining({ rule: 'lua-syntax-error', line: 9 })]);
  });
  it('accepts goto and ";;" as gopher-lua does', async () => {
    const f = await findings({ 'cm.yaml': cm(`  resource.customizations.health.a.io_B: |\n    local hs = {status = "Healthy"};;\n    goto done\n    ::done::\n    return hs\n`) });
    expect(f).toEqual([]);
  });
  it('flags library use without useOpenLibs, but not require("os")', async () => {
    const script = `    local os = require("os")\n    local t = os.time()\n    if obj.status ~= nil and obj.status.m ~= nil and string.find(obj.status.m, "x") then return {status = "Healthy"} end\n    local s = obj.kind:lower()\n    return {status = "Progressing"}\n`;
    const f = await findings({ 'cm.yaml': cm(`  resource.customizations.health.a.io_B: |\n${script}`) });
    // The string method also fails when the script runs on a fresh object.
    expect(f.map((x) => [x.rule, x.line])).toEqual([
      ['lua-stdlib-disabled', 10],
      ['lua-fails-on-fresh-object', 11],
      ['lua-stdlib-disabled', 11],
    ]);
    const open = await findings({ 'cm.yaml': cm(`  resource.customizations.health.a.io_B: |\n${script}  resource.customizations.useOpenLibs.a.io_B: "true"\n`) });
    expect(open).toEqual([]);
  });
  it('warns about Lua 5.3+ functions and escapes', async () => {
    const f = await findings({ 'cm.yaml': cm(`  resource.customizations.health.a.io_B: |\n    local a = table.unpack({1})\n    local s = "\\x41"\n    return {status = "Healthy"}\n`) });
    expect(f.map((x) => [x.rule, x.line, x.severity])).toEqual([
      ['lua-dialect-difference', 8, 'warning'],
      ['lua-dialect-difference', 9, 'warning'],
    ]);
  });
  it('flags invalid literal statuses and scripts without return', async () => {
    const f = await findings({ 'cm.yaml': cm(`  resource.customizations.health.a.io_B: |\n    hs = {status = "healthy"}\n  resource.customizations.health.a.io_C: |\n    return {status = "Ready"}\n`) });
    expect(f.map((x) => [x.rule, x.line])).toEqual([
      ['lua-no-status-return', 7], // run on a fresh object: nil result, at the key
      ['lua-no-status-return', 8], // static: no return statement
      // "healthy" on line 8 is never returned (the script has no return): not a status ArgoCD reads
      ['lua-invalid-status-value', 9], // run on a fresh object: "Ready", at the key
      ['lua-invalid-status-value', 10], // static: "Ready"
    ]);
  });
  it('runs each script on a fresh object: unguarded status access fails there', async () => {
    const f = await findings({ 'cm.yaml': cm(`  resource.customizations.health.a.io_B: |\n    hs = {status = "Healthy"}\n    if obj.status.phase == "Failed" then hs.status = "Degraded" end\n    return hs\n`) });
    expect(f).toEqual([expect.objectContaining({ rule: 'lua-fails-on-fresh-object', line: 9, severity: 'error' })]);
    expect(f[0]!.message).toMatch(/attempt to index/);
  });
  it('stops a hostile script with a finding and goes on', async () => {
    const f = await findings({
      'cm.yaml': cm(`  resource.customizations.health.a.io_B: |\n    while true do end\n  resource.customizations.health.a.io_C: |\n    return {status = "Ready"}\n`),
    });
    expect(f.map((x) => x.rule)).toEqual(['lua-resource-limit', 'lua-no-status-return', 'lua-invalid-status-value', 'lua-invalid-status-value']);
  });
});

describe('the legacy resource.customizations block', () => {
  const legacy = `  resource.customizations: |
    "*.crossplane.io/*":
      health.lua: |
        return {status = "Healthy"}
    "pkg.crossplane.io/*":
      health.lua: |
        return {status = "Healthy"}
    apps.example.com/Thing:
      health.lua.useOpenLibs: true
      healthcheck: x
      health.lua: |
        return {status = "Oops"}
  resource.customizations.health.apps.example.com_Thing: |
${OK}`;
  it('reads wildcard checks, finds overlaps, unknown fields and shadowed checks at their lines', async () => {
    const r = await evaluateFiles({ 'cm.yaml': cm(legacy) });
    const f = r.findings.map((x) => [x.rule, x.line]);
    expect(f).toEqual([
      ['health-wildcard-overlap', 11],
      ['health-customization-unknown-type', 16],
      ['health-check-shadowed', 19], // the block's script (status "Oops") is never used, so it is not analysed

    ]);
    expect(checks(r).map((c) => [c.key, c.origin])).toEqual([
      ['*.crossplane.io/*', 'argocd-cm-legacy'],
      ['pkg.crossplane.io/*', 'argocd-cm-legacy'],
      ['apps.example.com/Thing', 'argocd-cm'],
    ]);
    expect(checks(r)[2]!.useOpenLibs).toBe(true);
  });
});

describe('Helm values, the ArgoCD CR and kustomize patches', () => {
  it('reads configs.cm of the argo-cd chart values', async () => {
    const r = await evaluateFiles({ 'argocd/values.yaml': `configs:\n  cm:\n    resource.customizations.health.a.io-B: |\n      return {status = "Healthy"}\n    resource.customizations.health.a.io_C: |\n      return {status = "Healthy"}\n` });
    expect(r.findings.map((x) => [x.rule, x.line])).toEqual([['health-key-bad-separator', 3]]);
    expect(checks(r).map((c) => [c.key, c.origin])).toEqual([['a.io/C', 'helm-values']]);
  });
  it('reads argo-cd.configs.cm of an umbrella chart', async () => {
    const r = await evaluateFiles({ 'platform/values-prod.yaml': `argo-cd:\n  configs:\n    cm:\n      resource.customizations.health.a.io/B: |\n        return {status = "Healthy"}\n` });
    expect(r.findings.map((x) => [x.rule, x.line])).toEqual([['health-key-invalid-configmap-key', 4]]);
  });
  const cr = (spec: string) => `apiVersion: argoproj.io/v1beta1\nkind: ArgoCD\nmetadata:\n  name: gitops\nspec:\n${spec}`;
  it('reads spec.resourceHealthChecks and rejects wildcards there', async () => {
    const r = await evaluateFiles({ 'cr.yaml': cr(`  resourceHealthChecks:\n    - group: a.io\n      kind: B\n      check: |\n        return {status = "Healthy"}\n    - group: "*.io"\n      kind: C\n      check: |\n        return {status = "Healthy"}\n`) });
    expect(r.findings.map((x) => [x.rule, x.line])).toEqual([['health-key-wildcard', 11]]);
    expect(checks(r).map((c) => [c.key, c.origin])).toEqual([['a.io/B', 'argocd-cr']]);
  });
  it('warns about argocd-cm health keys when an ArgoCD CR manages the instance', async () => {
    const r = await evaluateFiles({ 'cr.yaml': cr('  server: {}\n'), 'cm.yaml': cm(`  resource.customizations.health.a.io_B: |\n${OK}`) });
    expect(r.findings.map((x) => [x.rule, x.file, x.line])).toEqual([['argocd-cm-managed-by-operator', 'cm.yaml', 7]]);
  });
  it('reads inline kustomize patches and flags a target that matches nothing', async () => {
    const k = `resources:\n  - ../base\npatches:\n  - target:\n      kind: Configmap\n      name: argocd-cm\n    patch: |\n      apiVersion: v1\n      kind: ConfigMap\n      metadata:\n        name: argocd-cm\n      data:\n        resource.customizations.health.a.io/B: |\n          return {status = "Healthy"}\n`;
    const r = await evaluateFiles({ 'overlay/kustomization.yaml': k });
    expect(r.findings.map((x) => [x.rule, x.line])).toEqual([
      ['patch-target-matches-nothing', 5],
      ['health-key-invalid-configmap-key', 13],
    ]);
  });
});
