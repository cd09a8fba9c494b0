/**
 * The Action on symbolic links and file names that are not UTF-8: the head is the workspace (read from disk),
 * the base git or the contents API. The gate judges what ArgoCD applies and loses no file.
 */
import { beforeEach, describe, expect, it } from 'vitest';
import { deployment, APPROVED } from './fixtures.js';
import { e2eSuite, runAction } from './harness.js';

const suite = e2eSuite();
let fake = suite.fake;
beforeEach(() => {
  fake = suite.fake;
});

const findings = (r: { record?: { findings: { rule: string; file: string; line: number; status: string }[] } }) =>
  (r.record?.findings ?? []).filter((f) => f.status === 'new' && !f.rule.startsWith('review-')).map((f) => [f.file, f.rule, f.line]).sort();

describe('the Action on symbolic links', () => {
  for (const shallow of [false, true]) {
    it(`judges a linked manifest by its target under the link path, and refuses a link out of the repository${shallow ? ' (base from the contents API)' : ''}`, async () => {
      const s = await suite.make({
        base: { 'apps/api/deploy.yaml': deployment('api', '"1"'), 'apps/api/old.yaml': { symlink: '/etc/hostname' } },
        head: {
          '.github/payload/evil.yaml': deployment('evil', '5'),
          'apps/api/evil.yaml': { symlink: '../../.github/payload/evil.yaml' },
          'apps/api/passwd.yaml': { symlink: '../../../../etc/passwd' },
        },
        shallow,
        ...APPROVED,
      });
      const r = await runAction({ fake, workspace: s.workspace, eventName: 'pull_request', payload: s.payload() });
      expect(r.stderr).toBe('');
      expect(r.code).toBe(1);
      // The link already at base is pre-existing: only the new ones count.
      expect(findings(r)).toEqual([
        ['apps/api/evil.yaml', 'wave-not-string', 6],
        ['apps/api/passwd.yaml', 'symlink-outside-repo', 1],
      ]);
      expect(r.record?.findings.find((f) => f.file === 'apps/api/old.yaml')).toMatchObject({ rule: 'symlink-outside-repo', status: 'pre-existing' });
      expect(r.stdout).not.toContain('root:');
    });
  }

  it('re-judges a link whose target alone changes', async () => {
    const s = await suite.make({
      base: { '.github/payload/evil.yaml': deployment('evil', '"1"'), 'apps/api/evil.yaml': { symlink: '../../.github/payload/evil.yaml' } },
      head: { '.github/payload/evil.yaml': deployment('evil', '5') },
      ...APPROVED,
    });
    const r = await runAction({ fake, workspace: s.workspace, eventName: 'pull_request', payload: s.payload() });
    expect(r.code).toBe(1);
    expect(findings(r)).toEqual([['apps/api/evil.yaml', 'wave-not-string', 6]]);
  });
});

describe('the Action on file names that are not UTF-8', () => {
  it('reads every such file from the workspace and reports it under an escaped name', async () => {
    const s = await suite.make({
      base: { 'apps/api/deploy.yaml': deployment('api', '"1"') },
      head: { 'apps/api/\\xfe.yaml': deployment('fe', '5'), 'apps/api/\\xff.yaml': deployment('ff', '6') },
      ...APPROVED,
    });
    const r = await runAction({ fake, workspace: s.workspace, eventName: 'pull_request', payload: s.payload() });
    expect(r.stderr).toBe('');
    expect(r.code).toBe(1);
    expect(findings(r)).toEqual([
      ['apps/api/\\xfe.yaml', 'wave-not-string', 6],
      ['apps/api/\\xff.yaml', 'wave-not-string', 6],
    ]);
  });

  it('fails closed when GitHub lists a changed manifest the workspace does not hold under that name', async () => {
    const s = await suite.make({
      base: { 'apps/api/deploy.yaml': deployment('api', '"1"') },
      head: { 'apps/other/\\xfe.yaml': deployment('fe', '5') },
      ...APPROVED,
    });
    // GitHub's list is JSON text: a name that is not UTF-8 arrives changed (here as a replacement character).
    for (const f of fake.pulls.get(1)!.files) (f as { filename: string }).filename = 'apps/other/\ufffd.yaml';
    const r = await runAction({ fake, workspace: s.workspace, eventName: 'pull_request', payload: s.payload() });
    expect(r.code).toBe(1);
    expect(findings(r)).toEqual([['apps/other/\ufffd.yaml', 'changed-file-unread', 1]]);
  });
});
