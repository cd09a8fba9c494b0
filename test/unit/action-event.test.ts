import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readEventTarget } from '../../src/action/event.js';

function payloadFile(payload: unknown): string {
  const p = join(mkdtempSync(join(tmpdir(), 'gg-ev-')), 'event.json');
  writeFileSync(p, typeof payload === 'string' ? payload : JSON.stringify(payload));
  return p;
}

describe('readEventTarget', () => {
  it.each([
    ['pull_request', 'opened'],
    ['pull_request', 'ready_for_review'],
    ['pull_request_target', 'synchronize'],
    ['pull_request_review', 'dismissed'],
  ])('evaluates %s (%s)', async (event, action) => {
    expect(await readEventTarget(event, payloadFile({ action, pull_request: { number: 12 } }))).toEqual({ kind: 'pull-request', number: 12, action });
  });

  it('names the supported events for another event, without reading the payload', async () => {
    const t = await readEventTarget('push', '/does/not/exist');
    expect(t.kind).toBe('unsupported-event');
    expect('message' in t && t.message).toContain('Trigger the workflow on pull_request, pull_request_target, pull_request_review');
  });

  it('skips a closed pull request', async () => {
    const t = await readEventTarget('pull_request', payloadFile({ action: 'closed', pull_request: { number: 1 } }));
    expect(t).toMatchObject({ kind: 'unsupported-action', message: expect.stringContaining('closed') });
  });

  it('evaluates other actions of the pull request events, with a note (a no-op success could turn a required check green)', async () => {
    const t = await readEventTarget('pull_request', payloadFile({ action: 'labeled', pull_request: { number: 4 } }));
    expect(t).toMatchObject({ kind: 'pull-request', number: 4, action: 'labeled', note: expect.stringContaining('evaluated anyway') });
    const ok = await readEventTarget('pull_request', payloadFile({ action: 'opened', pull_request: { number: 4 } }));
    expect(ok).not.toHaveProperty('note');
  });

  it('fails on an unreadable payload or one without a PR number', async () => {
    await expect(readEventTarget('pull_request', payloadFile('{'))).rejects.toThrow('Cannot read the pull_request event payload');
    await expect(readEventTarget('pull_request', payloadFile({ action: 'opened', pull_request: {} }))).rejects.toThrow('has no pull_request.number');
  });

  it('knows the pusher only from opened and synchronize pull_request events, with the head they pushed', async () => {
    const payload = (action: string) => ({ action, sender: { login: 'Mallory' }, pull_request: { number: 3, head: { sha: 'abc' } } });
    expect(await readEventTarget('pull_request', payloadFile(payload('synchronize')))).toMatchObject({ pusher: { login: 'Mallory', headSha: 'abc' } });
    expect(await readEventTarget('pull_request_target', payloadFile(payload('opened')))).toMatchObject({ pusher: { login: 'Mallory', headSha: 'abc' } });
    // An edit or a review is sent by someone who did not push.
    expect(await readEventTarget('pull_request', payloadFile(payload('edited')))).not.toHaveProperty('pusher');
    expect(await readEventTarget('pull_request_review', payloadFile({ ...payload('submitted') }))).not.toHaveProperty('pusher');
  });
});
