import { describe, expect, it } from 'vitest';
import { diffRendered } from '../../src/render/diff.js';
import { renderedObject } from '../../src/render/output.js';
import type { RenderedObject } from '../../src/render/model.js';

const obj = (o: Record<string, unknown>, file = 'a.yaml'): RenderedObject => renderedObject(o, { file, line: 1, via: 'file' });
const secret = (data: Record<string, string>, stringData?: Record<string, string>) => obj({ apiVersion: 'v1', kind: 'Secret', metadata: { name: 'db', namespace: 'pay' }, data, ...(stringData ? { stringData } : {}) });
const cm = (name: string, wave: string) => obj({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, annotations: { 'argocd.argoproj.io/sync-wave': wave } } });

describe('diffRendered', () => {
  it('pairs objects by identity: added, removed, changed with a unified diff', () => {
    const d = diffRendered({ objects: [cm('a', '1'), cm('gone', '0'), cm('same', '0')] }, { objects: [cm('a', '-5'), cm('new', '2'), cm('same', '0')] });
    expect(d.added.map((o) => o.key)).toEqual(['ConfigMap /new']);
    expect(d.removed.map((o) => o.key)).toEqual(['ConfigMap /gone']);
    expect(d.changed.map((c) => c.key)).toEqual(['ConfigMap /a']);
    expect(d.changed[0]!.patch).toContain('-    argocd.argoproj.io/sync-wave: "1"');
    expect(d.changed[0]!.patch).toContain('+    argocd.argoproj.io/sync-wave: "-5"');
    expect(diffRendered(undefined, { objects: [cm('x', '0')] }).added).toHaveLength(1);
  });

  it('redacts Secret data and stringData values: a changed value shows as changed, never its text', () => {
    const d = diffRendered({ objects: [secret({ password: 'b2xk', user: 'dXNlcg==' }, { token: 'old-token' })] }, { objects: [secret({ password: 'bmV3', user: 'dXNlcg==' }, { token: 'new-token' })] });
    expect(d.changed).toHaveLength(1);
    const text = JSON.stringify(d);
    for (const v of ['b2xk', 'bmV3', 'dXNlcg==', 'old-token', 'new-token']) expect(text).not.toContain(v);
    const patch = d.changed[0]!.patch;
    expect(patch).toContain('-  password: <redacted>');
    expect(patch).toContain('+  password: "<redacted: changed>"');
    expect(patch).not.toMatch(/^[-+]\s+user:/m); // unchanged value: no diff line
    const added = diffRendered(undefined, { objects: [secret({ k: 'c2VjcmV0' })] }).added[0]!;
    expect(added.yaml).toContain('k: <redacted>');
    expect(added.yaml).not.toContain('c2VjcmV0');
  });
});
