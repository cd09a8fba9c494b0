import { describe, expect, it } from 'vitest';
import { readSettings } from '../../src/action/inputs.js';
import { ConfigError } from '../../src/core/errors.js';

const ENV = { GITHUB_REPOSITORY: 'acme/gitops', GITHUB_WORKSPACE: '/ws', GITHUB_EVENT_NAME: 'pull_request', GITHUB_EVENT_PATH: '/ev.json', RUNNER_TEMP: '/rt', GITHUB_RUN_ID: '9' };
const inputs =
  (over: Record<string, string> = {}) =>
  (name: string): string =>
    ({ 'github-token': 'tok', policy: 'policies', 'fail-on': 'error', comment: 'always', 'report-file': '', ...over })[name] ?? '';

describe('readSettings', () => {
  it('reads the defaults into typed settings', () => {
    expect(readSettings(inputs(), ENV)).toMatchObject({
      token: 'tok',
      policy: 'policies',
      failOn: 'error',
      comment: 'always',
      owner: 'acme',
      repo: 'gitops',
      reportFile: '/rt/gitops-gate-report-9-1.json',
      apiUrl: 'https://api.github.com',
      retryDelayMs: 1000,
    });
  });

  it('reads api-request-budget as a whole number, 200 when empty', () => {
    expect(readSettings(inputs(), ENV).apiRequestBudget).toBe(200);
    expect(readSettings(inputs({ 'api-request-budget': ' 30 ' }), ENV).apiRequestBudget).toBe(30);
    for (const bad of ['-1', '1.5', 'lots', '100001']) expect(() => readSettings(inputs({ 'api-request-budget': bad }), ENV)).toThrow(/input "api-request-budget"/);
  });

  it('resolves a relative report-file against the workspace', () => {
    expect(readSettings(inputs({ 'report-file': 'out/r.json' }), ENV).reportFile).toBe('/ws/out/r.json');
  });

  it('reads the checkout from the path input, under the workspace; report-file stays relative to the workspace', () => {
    const s = readSettings(inputs({ path: 'gitops', 'report-file': 'r.json' }), ENV);
    expect([s.workspace, s.reportFile]).toEqual(['/ws/gitops', '/ws/r.json']);
    expect(readSettings(inputs(), ENV).workspace).toBe('/ws');
  });

  it.each([
    ['github-token', '  ', /input "github-token" is empty.*pull-requests: read/],
    ['fail-on', 'errors', /Invalid value "errors" for input "fail-on"\. Expected one of: error, warning, never\./],
    ['comment', 'sometimes', /Invalid value "sometimes" for input "comment"\. Expected one of: always, on-failure, never\./],
    ['policy', '../other', /input "policy": it must be a path inside the repository/],
    ['policy', '/etc/policy.yaml', /input "policy": it must be a path inside the repository/],
    ['path', '../elsewhere', /input "path": it must be a directory inside the workspace/],
    ['path', '/abs', /input "path": it must be a directory inside the workspace/],
  ])('rejects %s=%j with a precise error', (name, value, message) => {
    expect(() => readSettings(inputs({ [name]: value }), ENV)).toThrow(ConfigError);
    expect(() => readSettings(inputs({ [name]: value }), ENV)).toThrow(message);
  });

  it('accepts every documented fail-on and comment value', () => {
    for (const v of ['error', 'warning', 'never']) expect(readSettings(inputs({ 'fail-on': v }), ENV).failOn).toBe(v);
    for (const v of ['always', 'on-failure', 'never']) expect(readSettings(inputs({ comment: v }), ENV).comment).toBe(v);
  });

  it('rejects a malformed GITHUB_REPOSITORY and a missing runner variable', () => {
    expect(() => readSettings(inputs(), { ...ENV, GITHUB_REPOSITORY: 'acme' })).toThrow('Invalid GITHUB_REPOSITORY "acme". Expected format {owner}/{repo}.');
    expect(() => readSettings(inputs(), { ...ENV, GITHUB_EVENT_PATH: '' })).toThrow('GITHUB_EVENT_PATH is not set');
  });

  it('validates the test-only retry delay', () => {
    expect(readSettings(inputs(), { ...ENV, GITOPS_GATE_RETRY_DELAY_MS: '5' }).retryDelayMs).toBe(5);
    expect(() => readSettings(inputs(), { ...ENV, GITOPS_GATE_RETRY_DELAY_MS: 'soon' })).toThrow('GITOPS_GATE_RETRY_DELAY_MS');
  });

  it('keeps a second between writes unless the test-only GITOPS_GATE_WRITE_INTERVAL_MS says otherwise', () => {
    expect(readSettings(inputs(), ENV).writeIntervalMs).toBe(1000);
    expect(readSettings(inputs(), { ...ENV, GITOPS_GATE_WRITE_INTERVAL_MS: '0' }).writeIntervalMs).toBe(0);
    expect(() => readSettings(inputs(), { ...ENV, GITOPS_GATE_WRITE_INTERVAL_MS: '-1' })).toThrow('Invalid GITOPS_GATE_WRITE_INTERVAL_MS "-1"');
  });

  it('reads check-name, comment-author and sarif-file, resolving the SARIF path in the workspace', () => {
    const s = readSettings(inputs({ 'check-name': 'Prod gate', 'comment-author': 'my-app[bot]', 'sarif-file': 'out/gate.sarif' }), ENV);
    expect(s).toMatchObject({ checkName: 'Prod gate', commentAuthor: 'my-app[bot]', sarifFile: '/ws/out/gate.sarif' });
  });
});
