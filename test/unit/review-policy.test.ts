/** The review policy end to end through the engine, one test per pitfall of the review-policy survey, section (c). */
import { describe, expect, it } from 'vitest';
import type { Change, Commit, Directory, Permission, Report, Review } from '../../src/core/model.js';
import { evaluate } from '../../src/composition.js';
import type { ReviewDetails } from '../../src/review/details.js';
import { TEAM_TOKEN_ERROR } from '../../src/review/gather.js';
import { renderMarkdown } from '../../src/report/markdown.js';
import { reviewSection } from '../../src/report/review-section.js';
import { renderText } from '../../src/report/text.js';
import { memoryChange } from '../helpers/change.js';
import { parseCoAuthors } from '../../src/sources/identity.js';

const HEAD = 'h'.repeat(40);
const OLD = 'o'.repeat(40);
const CM = 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c\ndata:\n  a: "1"\n';
const CM2 = CM.replace('"1"', '"2"');
/** A description the default description policy accepts, so only the review area decides. */
const BODY = '## Why\n\nThe config value must change for the new release.\n\n## Rollback\n\nRevert this pull request; nothing else changes.\n';

let nextId = 1;
function review(login: string, state: Review['state'], opts: Partial<Review> & { type?: string } = {}): Review {
  const { type, ...rest } = opts;
  const id = nextId++;
  return {
    id,
    reviewer: { login, ...(type ? { type } : {}) },
    state,
    commitId: HEAD,
    submittedAt: `2026-11-20T10:${String(id % 60).padStart(2, '0')}:00Z`,
    body: '',
    ...rest,
  };
}

function commit(author: string, extra: Partial<Commit> = {}): Commit {
  return {
    sha: 'c'.repeat(40),
    author: { login: author, email: `1+${author}@users.noreply.github.com` },
    committer: { login: author },
    coAuthors: [],
    message: 'change',
    ...extra,
  };
}

function directory(perms: Record<string, Permission>, teams: Record<string, string[] | { error: string }> = {}): Directory {
  return { permissions: new Map(Object.entries(perms)), teams: new Map(Object.entries(teams)) };
}

interface Case {
  reviews: Review[];
  perms?: Record<string, Permission>;
  teams?: Record<string, string[] | { error: string }>;
  commits?: Commit[];
  policy?: string;
  base?: Record<string, string>;
  head?: Record<string, string>;
  extra?: Partial<Change>;
  labels?: string[];
}

async function run(c: Case): Promise<{ report: Report; review: ReviewDetails; rule: (id: string) => Report['rules'][number] }> {
  const base = { 'app/cm.yaml': CM, ...(c.policy ? { 'policies/gitops-gate.yaml': c.policy } : {}), ...c.base };
  const head = { ...base, 'app/cm.yaml': CM2, ...c.head };
  const change = memoryChange(base, head, {
    pr: {
      number: 7,
      title: 't',
      body: BODY,
      author: { login: 'dana', type: 'User' },
      labels: c.labels ?? [],
      baseRef: 'main',
      headRef: 'feature',
      baseSha: 'b'.repeat(40),
      headSha: HEAD,
      draft: false,
      lastPusher: 'pusher',
      headSeenAt: '2026-11-20T11:00:00Z',
    },
    commits: c.commits ?? [commit('dana')],
    reviews: c.reviews,
    directory: directory(c.perms ?? { sam: 'write', kim: 'write', lee: 'write', dana: 'write', ops: 'write' }, c.teams),
    ...c.extra,
  });
  const report = await evaluate(change, { policyPath: 'policies', now: () => new Date('2026-11-21T00:00:00Z') });
  return { report, review: report.details.review as ReviewDetails, rule: (id) => report.rules.find((r) => r.rule === id)! };
}

const reasonsOf = (d: ReviewDetails, login: string) => d.approvals.find((a) => a.reviewer === login)?.reasons.map((r) => r.code);

describe('default policy', () => {
  it('passes with one approval on the head commit from a non-participant with write access', async () => {
    const { report, rule, review: d } = await run({ reviews: [review('sam', 'APPROVED')] });
    expect(rule('review-approvals').state).toBe('passed');
    expect(report.verdict).toBe('pass');
    expect(d.approvals).toEqual([expect.objectContaining({ reviewer: 'sam', state: 'APPROVED', counted: true, reason: 'counted for manifests', countedFor: ['manifests'], reasons: [] })]);
  });

  it('blocks with a pending requirement when nobody approved', async () => {
    const { report, rule } = await run({ reviews: [review('sam', 'COMMENTED')] });
    expect(rule('review-approvals')).toMatchObject({ state: 'pending', blocking: true });
    expect(rule('review-approvals').reason).toContain('needs 1 more approval');
    expect(report.verdict).toBe('fail');
  });

  it('does not require approval when no manifest changed', async () => {
    const { report, rule } = await run({ reviews: [], head: { 'app/cm.yaml': CM, 'README.md': 'x' } });
    expect(rule('review-approvals').state).toBe('skipped');
    expect(report.verdict).toBe('pass');
  });
});

describe('pitfall 1: the latest state per reviewer', () => {
  it('a later "changes requested" cancels an earlier approval and blocks', async () => {
    const { report, rule, review: d } = await run({ reviews: [review('sam', 'APPROVED'), review('sam', 'CHANGES_REQUESTED')] });
    expect(rule('review-approvals').state).toBe('pending');
    expect(rule('review-changes-requested')).toMatchObject({ state: 'failed', blocking: true, reason: 'changes requested by @sam' });
    expect(reasonsOf(d, 'sam')).toEqual(['changes-requested']);
    expect(report.verdict).toBe('fail');
    expect(renderMarkdown(report)).toContain('superseded by changes requested');
  });

  it('a comment after an approval does not change it', async () => {
    const { rule } = await run({ reviews: [review('sam', 'APPROVED'), review('sam', 'COMMENTED')] });
    expect(rule('review-approvals').state).toBe('passed');
  });

  it('an approval after "changes requested" lifts the block', async () => {
    const { rule, report } = await run({ reviews: [review('sam', 'CHANGES_REQUESTED'), review('sam', 'APPROVED')] });
    expect(rule('review-changes-requested').state).toBe('passed');
    expect(report.verdict).toBe('pass');
  });

  it("another reviewer's changes request blocks even with a valid approval", async () => {
    const { rule, report } = await run({ reviews: [review('sam', 'APPROVED'), review('kim', 'CHANGES_REQUESTED', { commitId: OLD })] });
    expect(rule('review-approvals').state).toBe('passed');
    expect(rule('review-changes-requested').state).toBe('failed');
    expect(report.verdict).toBe('fail');
  });

  it('orders reviews by submission time, not list order', async () => {
    const approve = review('sam', 'APPROVED', { submittedAt: '2026-11-20T09:00:00Z' });
    const change = review('sam', 'CHANGES_REQUESTED', { submittedAt: '2026-11-20T11:00:00Z' });
    const { rule } = await run({ reviews: [change, approve] });
    expect(rule('review-changes-requested').state).toBe('failed');
  });
});

describe('pitfall 2: dismissed reviews', () => {
  it('a dismissed approval counts for nothing, and an older approval does not come back', async () => {
    const { rule, review: d, report } = await run({ reviews: [review('sam', 'APPROVED', { commitId: HEAD }), review('sam', 'DISMISSED')] });
    expect(rule('review-approvals').state).toBe('pending');
    expect(reasonsOf(d, 'sam')).toEqual(['dismissed']);
    expect(report.verdict).toBe('fail');
  });
});

describe('pitfall 3: many reviews', () => {
  it('finds the one valid approval among 35 reviews', async () => {
    const reviews: Review[] = [];
    for (let i = 0; i < 34; i++) reviews.push(review(i % 2 ? 'kim' : 'lee', i % 3 ? 'COMMENTED' : 'APPROVED', { commitId: OLD }));
    reviews.splice(31, 0, review('sam', 'APPROVED'));
    const { rule, review: d } = await run({ reviews });
    expect(reviews).toHaveLength(35);
    expect(rule('review-approvals').state).toBe('passed');
    expect(d.approvals.find((a) => a.reviewer === 'sam')?.countedFor).toEqual(['manifests']);
    expect(reasonsOf(d, 'kim')).toEqual(['stale']);
  });
});

describe('pitfall 4: staleness', () => {
  it('an approval on an older commit is stale', async () => {
    const { rule, review: d, report } = await run({ reviews: [review('sam', 'APPROVED', { commitId: OLD })] });
    expect(rule('review-approvals').state).toBe('pending');
    expect(d.approvals[0]!.reasons[0]!.text).toBe('stale: given on ooooooo, the head is hhhhhhh');
    expect(report.verdict).toBe('fail');
  });
});

describe('the evaluated head', () => {
  it('counts approvals only on the evaluated head, and notes a PR event that names another head', async () => {
    const pr = { number: 7, title: 't', body: BODY, author: { login: 'dana' }, labels: [], baseRef: 'main', headRef: 'f', baseSha: 'b'.repeat(40), headSha: OLD, draft: false, lastPusher: 'pusher' };
    const { rule, report } = await run({ reviews: [review('sam', 'APPROVED', { commitId: OLD })], extra: { pr } });
    expect(rule('review-approvals').state).toBe('pending');
    expect(report.notes.join('\n')).toContain("The pull request's head is ooooooo but the evaluated head is hhhhhhh");
  });
});

describe('the summary section', () => {
  it('shows each requirement with its state and what is missing, and each approval with its reasons', async () => {
    const policy = 'version: 1\nreview:\n  rules:\n    - name: two\n      approvals: 2\n    - name: prod\n      if: { paths: ["prod/**"] }\n      approvals: 1\n';
    const { report } = await run({ reviews: [review('sam', 'APPROVED'), review('kim', 'APPROVED', { commitId: OLD })], policy });
    const md = renderMarkdown(report);
    expect(md).toContain('| two | ⏳ pending | 1/2 | @\u200bsam | anyone who took no part in the change with write access | needs 1 more approval(s)');
    expect(md).toContain('| @\u200bkim | `ooooooo` 2026-11-20T10:');
    expect(md).toContain('stale: given on ooooooo, the head is hhhhhhh');
    expect(md).toContain('Rules that do not apply: prod (no changed file matches prod/\\*\\*)');
    expect(md).toContain('**What is missing:**\n\n- `review-approvals` (pending): two: needs 1 more approval(s)');
  });
});

describe('the compact and text forms', () => {
  it('the compact section keeps the requirements and sums up the approvals', async () => {
    const { report } = await run({ reviews: [review('sam', 'APPROVED'), review('kim', 'APPROVED', { commitId: OLD })] });
    const out = reviewSection(report, '###') as { full: string; compact: string };
    expect(out.full).toContain('| Reviewer |');
    expect(out.compact).not.toContain('| Reviewer |');
    expect(out.compact).toContain('| manifests | ✅ satisfied | 1/1 |');
    expect(out.compact).toContain('1 approval(s) counted, 1 did not');
  });

  it('the terminal report names each unmet requirement and each approval that did not count', async () => {
    const { report } = await run({ reviews: [review('kim', 'APPROVED', { commitId: OLD })] });
    const text = renderText(report);
    expect(text).toContain('review: manifests: pending (0/1): needs 1 more approval(s)');
    expect(text).toContain('review: approval by @kim did not count: stale: given on ooooooo, the head is hhhhhhh');
  });
});

describe('pitfall 6: identity and separation of duties', () => {
  it('the PR author cannot approve', async () => {
    const { rule, review: d } = await run({ reviews: [review('dana', 'APPROVED')] });
    expect(rule('review-approvals').state).toBe('pending');
    expect(reasonsOf(d, 'dana')).toEqual(['author', 'committer']);
  });

  it('a commit author or committer cannot approve (matched case-insensitively)', async () => {
    const { review: d } = await run({ reviews: [review('Kim', 'APPROVED')], commits: [commit('dana'), commit('kim')] });
    expect(reasonsOf(d, 'Kim')).toEqual(['committer']);
  });

  it('a committer known only by a no-reply address cannot approve', async () => {
    const c = commit('dana', { committer: { name: 'Kim', email: '77+kim@users.noreply.github.com' } });
    const { review: d } = await run({ reviews: [review('kim', 'APPROVED')], commits: [c] });
    expect(reasonsOf(d, 'kim')).toEqual(['committer']);
  });

  it('a Co-authored-by cannot approve', async () => {
    const c = commit('dana', { coAuthors: [{ name: 'Lee', email: '1003+lee@users.noreply.github.com', login: 'lee' }] });
    const { rule, review: d, report } = await run({ reviews: [review('lee', 'APPROVED')], commits: [c] });
    expect(rule('review-approvals').state).toBe('pending');
    expect(reasonsOf(d, 'lee')).toEqual(['co-author']);
    expect(renderMarkdown(report)).toContain('is a Co-authored-by of a commit of the pull request');
  });

  it('the last pusher cannot approve', async () => {
    const { review: d } = await run({
      reviews: [review('ops', 'APPROVED')],
      extra: {
        pr: {
          number: 7, title: 't', body: BODY, author: { login: 'dana' }, labels: [], baseRef: 'main', headRef: 'f', baseSha: 'b'.repeat(40), headSha: HEAD, draft: false, lastPusher: 'ops',
        },
      },
    });
    expect(reasonsOf(d, 'ops')).toEqual(['last-pusher']);
  });

  it('reports commit identities without a login, which cannot be matched', async () => {
    const c = commit('dana', { coAuthors: [{ name: 'Pat', email: 'pat@corp.example' }] });
    const { review: d, report } = await run({ reviews: [review('sam', 'APPROVED')], commits: [c] });
    expect(d.unlinked).toEqual([{ who: 'Pat <pat@corp.example>', role: 'co-author', commit: 'c'.repeat(40) }]);
    expect(renderMarkdown(report)).toContain('cannot be matched to reviewers');
  });

  it('an exclusion switched off lets the participant approve, and the summary says so', async () => {
    const policy = 'version: 1\nreview:\n  separationOfDuties:\n    coAuthors: false\n';
    const c = commit('dana', { coAuthors: [{ email: '1003+lee@users.noreply.github.com', login: 'lee' }] });
    const { rule, review: d, report } = await run({ reviews: [review('lee', 'APPROVED')], commits: [c], policy });
    expect(rule('review-approvals').state).toBe('passed');
    expect(d.exclusionsOff).toEqual(['coAuthors']);
    expect(report.notes.join('\n')).toContain('Separation of duties is relaxed by the policy: coAuthors');
    expect(renderMarkdown(report)).toContain('Separation of duties is relaxed');
  });
});

describe('issue 13 item 6: the pusher of the head commit, across runs', () => {
  const pr = (extra: Record<string, unknown>) => ({
    pr: { number: 7, title: 't', body: BODY, author: { login: 'dana' }, labels: [], baseRef: 'main', headRef: 'f', baseSha: 'b'.repeat(40), headSha: HEAD, draft: false, ...extra },
  });

  it('fails closed, counting no approval, when who pushed the head is unknown and the policy excludes the pusher', async () => {
    const { rule, review: d, report } = await run({ reviews: [review('sam', 'APPROVED')], extra: pr({}) });
    expect(rule('review-approvals').state).toBe('failed');
    expect(rule('review-approvals').reason).toContain('who pushed the head commit hhhhhhh is unknown');
    expect(reasonsOf(d, 'sam')).toEqual(['pusher-unknown']);
    expect(report.verdict).toBe('fail');
    expect(report.notes.join('\n')).toContain('No approval counts until it is known');
  });

  it('counts the approval when the policy does not exclude the pusher', async () => {
    const policy = 'version: 1\nreview:\n  separationOfDuties:\n    lastPusher: false\n';
    const { rule } = await run({ reviews: [review('sam', 'APPROVED')], extra: pr({}), policy });
    expect(rule('review-approvals').state).toBe('passed');
  });

  it('excludes every pusher the gate recorded for the head, not only the last event\'s sender', async () => {
    const { rule, review: d } = await run({ reviews: [review('sam', 'APPROVED'), review('kim', 'APPROVED')], extra: pr({ pushers: ['sam', 'kim'] }) });
    expect(rule('review-approvals').state).toBe('pending');
    expect(reasonsOf(d, 'sam')).toEqual(['last-pusher']);
    expect(reasonsOf(d, 'kim')).toEqual(['last-pusher']);
  });
});

describe('issue 13 item 11: identities that cannot be tied to a login', () => {
  const coAuthored = (line: string) => commit('dana', { message: `change\n\n${line}\n`, coAuthors: parseCoAuthors(`change\n\n${line}\n`) });

  it('a co-author with an ordinary e-mail: no approval counts, and the requirement names the identity', async () => {
    const { rule, review: d } = await run({ reviews: [review('sam', 'APPROVED')], commits: [coAuthored('Co-authored-by: Sam <sam@corp.example>')] });
    expect(rule('review-approvals').state).toBe('failed');
    expect(rule('review-approvals').reason).toContain('no GitHub login can be tied to Sam <sam@corp.example> (co-author of ccccccc)');
    expect(reasonsOf(d, 'sam')).toEqual(['unlinked-identity']);
  });

  it('a second account that committed with an ordinary e-mail GitHub links to no login', async () => {
    const c = commit('dana', { author: { name: 'Sam', email: 'sam@home.example' }, committer: { name: 'Sam', email: 'sam@home.example' } });
    const { rule, review: d } = await run({ reviews: [review('sam', 'APPROVED')], commits: [c] });
    expect(rule('review-approvals').state).toBe('failed');
    expect(rule('review-approvals').reason).toContain('Sam <sam@home.example> (committer of ccccccc)');
    expect(reasonsOf(d, 'sam')).toEqual(['unlinked-identity']);
  });

  it('"Co-authored-by : Sam <...>" (a blank before the colon, a trailer to git) excludes Sam', async () => {
    const { rule, review: d } = await run({ reviews: [review('sam', 'APPROVED')], commits: [coAuthored('Co-authored-by : Sam <5+sam@users.noreply.github.com>')] });
    expect(rule('review-approvals').state).toBe('pending');
    expect(reasonsOf(d, 'sam')).toEqual(['co-author']);
  });

  it('a trailer ending in a zero-width space excludes its co-author', async () => {
    const { review: d } = await run({ reviews: [review('sam', 'APPROVED')], commits: [coAuthored('Co-authored-by: Sam <5+sam@users.noreply.github.com>\u200B')] });
    expect(reasonsOf(d, 'sam')).toEqual(['co-author']);
  });

  it('a commit e-mail with invisible characters still names its no-reply login', async () => {
    const c = commit('dana', { author: { name: 'Sam', email: '5+sam@users.noreply.github.com\u200B' } });
    const { review: d } = await run({ reviews: [review('sam', 'APPROVED')], commits: [c] });
    expect(reasonsOf(d, 'sam')).toEqual(['committer']);
  });

  it('noreply@github.com is exempt only as the committer (GitHub\'s web flow), not as an author', async () => {
    const web = commit('dana', { committer: { name: 'GitHub', email: 'noreply@github.com' } });
    expect((await run({ reviews: [review('sam', 'APPROVED')], commits: [web] })).rule('review-approvals').state).toBe('passed');
    const forged = commit('dana', { author: { name: 'GitHub', email: 'noreply@github.com' } });
    expect((await run({ reviews: [review('sam', 'APPROVED')], commits: [forged] })).rule('review-approvals').state).toBe('failed');
  });

  it('unlinkedIdentities: allow lists the identities and counts the approval', async () => {
    const policy = 'version: 1\nreview:\n  unlinkedIdentities: allow\n';
    const { rule, review: d } = await run({ reviews: [review('sam', 'APPROVED')], commits: [coAuthored('Co-authored-by: Pat <pat@corp.example>')], policy });
    expect(rule('review-approvals').state).toBe('passed');
    expect(d.unlinked).toEqual([{ who: 'Pat <pat@corp.example>', role: 'co-author', commit: 'c'.repeat(40) }]);
  });
});

describe('pitfall 7: bots', () => {
  it('a Bot account or [bot] login cannot approve', async () => {
    const { review: d, rule } = await run({ reviews: [review('renovate[bot]', 'APPROVED'), review('ci-machine', 'APPROVED', { type: 'Bot' })], perms: { 'renovate[bot]': 'write', 'ci-machine': 'admin' } });
    expect(reasonsOf(d, 'renovate[bot]')).toEqual(['bot']);
    expect(reasonsOf(d, 'ci-machine')).toEqual(['bot']);
    expect(rule('review-approvals').state).toBe('pending');
  });
});

describe('write access', () => {
  it('an approval from a read-only user does not count', async () => {
    const { review: d, rule, report } = await run({ reviews: [review('sam', 'APPROVED')], perms: { sam: 'read' } });
    expect(rule('review-approvals').state).toBe('pending');
    expect(d.approvals[0]!.reasons).toEqual([{ code: 'no-write-access', text: 'has read permission; write is required' }]);
    expect(report.verdict).toBe('fail');
  });

  it('fails closed when the permission could not be looked up', async () => {
    const change: Partial<Change> = { directory: { permissions: new Map([['sam', { error: 'GitHub answered 500' }]]), teams: new Map() } };
    const { rule } = await run({ reviews: [review('sam', 'APPROVED')], extra: change });
    expect(rule('review-approvals').state).toBe('failed');
    expect(rule('review-approvals').reason).toContain('write access could not be verified: GitHub answered 500');
  });

  it('fails closed without any directory (the CLI without --directory)', async () => {
    const { rule } = await run({ reviews: [review('sam', 'APPROVED')], extra: { directory: undefined } });
    expect(rule('review-approvals').state).toBe('failed');
    expect(rule('review-approvals').reason).toContain('pass --directory FILE');
  });

  it('an unknown permission does not mask the real reason an approval does not count', async () => {
    const { rule, review: d } = await run({ reviews: [review('dana', 'APPROVED')], extra: { directory: undefined } });
    expect(reasonsOf(d, 'dana')).toEqual(['author', 'committer']);
    expect(rule('review-approvals').state).toBe('pending');
  });

  it('a rule can raise the minimum permission', async () => {
    const policy = 'version: 1\nreview:\n  rules:\n    - name: maintainers\n      approvals: 1\n      permission: maintain\n';
    const write = await run({ reviews: [review('sam', 'APPROVED')], policy });
    expect(write.rule('review-approvals').state).toBe('pending');
    expect(reasonsOf(write.review, 'sam')).toEqual(['not-eligible']);
    const maintain = await run({ reviews: [review('sam', 'APPROVED')], policy, perms: { sam: 'maintain' } });
    expect(maintain.rule('review-approvals').state).toBe('passed');
  });
});

describe('pitfall 8: team membership', () => {
  const policy = 'version: 1\nreview:\n  rules:\n    - name: sre\n      approvals: 1\n      from: { teams: ["acme/sre"] }\n';

  it('counts an approval from a team member', async () => {
    const { rule } = await run({ reviews: [review('sam', 'APPROVED')], policy, teams: { 'acme/sre': ['sam', 'kim'] } });
    expect(rule('review-approvals').state).toBe('passed');
  });

  it('does not count an approval from someone outside the team', async () => {
    const { rule, review: d } = await run({ reviews: [review('lee', 'APPROVED')], policy, teams: { 'acme/sre': ['sam', 'kim'] } });
    expect(rule('review-approvals').state).toBe('pending');
    expect(reasonsOf(d, 'lee')).toEqual(['not-eligible']);
  });

  it('fails closed naming the token needed when the team cannot be read', async () => {
    const { rule, report } = await run({ reviews: [review('sam', 'APPROVED')], policy, teams: { 'acme/sre': { error: TEAM_TOKEN_ERROR } } });
    expect(rule('review-approvals').state).toBe('failed');
    expect(rule('review-approvals').reason).toContain('Members: read (GitHub App) or read:org (PAT)');
    expect(rule('review-approvals').reason).toContain('never read as "not a member"');
    expect(report.verdict).toBe('fail');
  });
});

describe('pitfall 10: rules nobody can satisfy', () => {
  it('fails with the explanation when every eligible approver is excluded', async () => {
    const policy = 'version: 1\nreview:\n  rules:\n    - name: leads\n      approvals: 1\n      from: { users: ["dana"], teams: ["acme/leads"] }\n';
    const { rule } = await run({ reviews: [], policy, teams: { 'acme/leads': ['dana'] } });
    expect(rule('review-approvals').state).toBe('failed');
    expect(rule('review-approvals').reason).toContain('cannot be satisfied: needs 1 approval(s) but only 0 eligible approver(s) remain; excluded by separation of duties: @dana (author, committer)');
  });

  it('stays pending while enough eligible approvers remain', async () => {
    const policy = 'version: 1\nreview:\n  rules:\n    - name: leads\n      approvals: 1\n      from: { users: ["dana", "kim"] }\n';
    const { rule } = await run({ reviews: [], policy });
    expect(rule('review-approvals').state).toBe('pending');
  });
});

describe('rule conditions', () => {
  const policy = [
    'version: 1',
    'review:',
    '  rules:',
    '    - name: prod',
    '      if: { paths: ["prod/**"], targetBranches: ["main"] }',
    '      approvals: 2',
    '    - name: labelled',
    '      if: { labels: ["risky"] }',
    '      approvals: 2',
    '    - name: by-dana',
    '      if: { authors: ["DANA"] }',
    '      approvals: 1',
    '',
  ].join('\n');

  it('applies rules whose conditions hold and skips the others with the reason', async () => {
    const { review: d } = await run({ reviews: [review('sam', 'APPROVED')], policy });
    expect(d.requirements.map((r) => r.name)).toEqual(['by-dana']);
    expect(d.skipped).toEqual([
      { name: 'prod', reason: 'no changed file matches prod/**' },
      { name: 'labelled', reason: 'the pull request has none of the labels risky' },
    ]);
  });

  it('rules combine: every applicable rule must be satisfied', async () => {
    const { rule, review: d } = await run({ reviews: [review('sam', 'APPROVED')], policy, labels: ['risky'], head: { 'prod/x.yaml': CM } });
    expect(d.requirements.map((r) => [r.name, r.state])).toEqual([
      ['prod', 'pending'],
      ['labelled', 'pending'],
      ['by-dana', 'passed'],
    ]);
    expect(rule('review-approvals').state).toBe('pending');
  });
});

describe('distinct approvers', () => {
  const policy = (distinct: boolean) =>
    [
      'version: 1',
      'review:',
      `  distinctApprovers: ${distinct}`,
      '  rules:',
      '    - name: sre',
      '      approvals: 1',
      '      from: { teams: ["acme/sre"] }',
      '    - name: security',
      '      approvals: 1',
      '      from: { teams: ["acme/security"] }',
      '',
    ].join('\n');
  const teams = { 'acme/sre': ['sam', 'kim'], 'acme/security': ['sam'] };

  it('one approval counts for one rule only, assigned so both rules are met when possible', async () => {
    // A greedy pass would give sam to "sre" and leave "security" empty; kim can only serve "sre".
    const { rule, review: d } = await run({ reviews: [review('sam', 'APPROVED'), review('kim', 'APPROVED')], policy: policy(true), teams });
    expect(rule('review-approvals').state).toBe('passed');
    expect(d.requirements.map((r) => [r.name, r.counted])).toEqual([
      ['sre', ['kim']],
      ['security', ['sam']],
    ]);
  });

  it('one person cannot satisfy two rules when distinct approvers are required', async () => {
    const distinct = await run({ reviews: [review('sam', 'APPROVED')], policy: policy(true), teams });
    expect(distinct.rule('review-approvals').state).toBe('pending');
    const shared = await run({ reviews: [review('sam', 'APPROVED')], policy: policy(false), teams });
    expect(shared.rule('review-approvals').state).toBe('passed');
  });
});

describe('distinct approvers: the most constrained requirement is served first', () => {
  it('the only code owner counts for the code-owner requirement, not for a rule anyone could fill', async () => {
    const policy = 'version: 1\nreview:\n  distinctApprovers: true\n  codeowners: { mode: any-owner }\n';
    const { review: d, rule } = await run({ reviews: [review('kim', 'APPROVED')], policy, base: { CODEOWNERS: 'app/ @kim\n' } });
    expect(rule('review-codeowners').state).toBe('passed');
    expect(rule('review-approvals').state).toBe('pending');
    expect(d.approvals[0]!.countedFor).toEqual(['CODEOWNERS line 1 (app/)']);
  });
});

describe('distinct approvers: a person who is the only possible approver is kept for that requirement', () => {
  it('Kim fills "code owner @kim"; the team, which has another member, stays pending', async () => {
    const policy = 'version: 1\nreview:\n  distinctApprovers: true\n  rules: []\n  codeowners: { mode: every-owning-team }\n';
    const { review: d } = await run({ reviews: [review('kim', 'APPROVED')], policy, base: { CODEOWNERS: 'app/ @acme/apps @kim\n' }, teams: { 'acme/apps': ['kim', 'zed'] } });
    expect(d.requirements.map((r) => [r.name, r.state, r.counted])).toEqual([
      ['code owner @acme/apps', 'pending', []],
      ['code owner @kim', 'passed', ['kim']],
    ]);
  });
});

describe('distinct approvers: rules nobody can satisfy together', () => {
  const policy = [
    'version: 1',
    'review:',
    '  distinctApprovers: true',
    '  rules:',
    '    - name: first',
    '      approvals: 1',
    '      from: { users: ["kim"] }',
    '    - name: second',
    '      approvals: 1',
    '      from: { users: ["kim", "dana"] }',
    '',
  ].join('\n');

  it('fails the rule that cannot get a distinct approver once the author is excluded', async () => {
    const { review: d, rule } = await run({ reviews: [review('kim', 'APPROVED')], policy });
    expect(d.requirements.map((r) => [r.name, r.state])).toEqual([
      ['first', 'passed'],
      ['second', 'failed'],
    ]);
    expect(d.requirements[1]!.reason).toBe('cannot be satisfied with distinct approvers: needs 1 approval(s) from @kim, who are needed by other requirements too');
    expect(rule('review-approvals').state).toBe('failed');
  });

  it('stays pending while a second eligible person exists', async () => {
    const { review: d } = await run({ reviews: [review('kim', 'APPROVED')], policy: policy.replace('["kim", "dana"]', '["kim", "lee"]') });
    expect(d.requirements.map((r) => [r.name, r.state])).toEqual([
      ['first', 'passed'],
      ['second', 'pending'],
    ]);
  });
});

describe('pitfall 9: CODEOWNERS', () => {
  const owners = '# owners\n* @acme/platform\napp/ @acme/apps @kim\napp/secret.yaml\n';
  const policy = (mode: string) => `version: 1\nreview:\n  codeowners:\n    mode: ${mode}\n`;

  it('any-owner: one approval from an owner of the last matching line', async () => {
    const { rule, review: d } = await run({ reviews: [review('kim', 'APPROVED')], policy: policy('any-owner'), base: { '.github/CODEOWNERS': owners }, teams: { 'acme/apps': ['lee'] } });
    expect(rule('review-codeowners').state).toBe('passed');
    expect(d.requirements.find((r) => r.rule === 'review-codeowners')).toMatchObject({ name: 'CODEOWNERS line 3 (app/)', paths: ['app/cm.yaml'] });
  });

  it('every-owning-team: each owner named for a touched path must approve', async () => {
    const { rule, review: d } = await run({ reviews: [review('kim', 'APPROVED')], policy: policy('every-owning-team'), base: { CODEOWNERS: owners }, teams: { 'acme/apps': ['lee'] } });
    expect(rule('review-codeowners').state).toBe('pending');
    expect(d.requirements.filter((r) => r.rule === 'review-codeowners').map((r) => [r.name, r.state])).toEqual([
      ['code owner @acme/apps', 'pending'],
      ['code owner @kim', 'passed'],
    ]);
    const both = await run({ reviews: [review('kim', 'APPROVED'), review('lee', 'APPROVED')], policy: policy('every-owning-team'), base: { CODEOWNERS: owners }, teams: { 'acme/apps': ['lee'] } });
    expect(both.rule('review-codeowners').state).toBe('passed');
  });

  it('an author who owns the path does not satisfy the requirement, and an owner set of only the author fails', async () => {
    const { rule } = await run({ reviews: [review('dana', 'APPROVED')], policy: policy('any-owner'), base: { 'docs/CODEOWNERS': 'app/ @dana\n' } });
    expect(rule('review-codeowners').state).toBe('failed');
    expect(rule('review-codeowners').reason).toContain('cannot be satisfied');
  });

  it('reads CODEOWNERS from the base: a PR that adds its author as owner gains nothing', async () => {
    const { rule } = await run({
      reviews: [review('kim', 'APPROVED')],
      policy: policy('any-owner'),
      base: { CODEOWNERS: 'app/ @lee\n' },
      head: { CODEOWNERS: 'app/ @kim\n' },
    });
    expect(rule('review-codeowners').state).toBe('pending');
  });

  it('uses GitHub lookup order: .github/CODEOWNERS before CODEOWNERS', async () => {
    const { review: d } = await run({ reviews: [], policy: policy('any-owner'), base: { '.github/CODEOWNERS': 'app/ @kim\n', CODEOWNERS: 'app/ @lee\n' } });
    expect(d.codeowners.path).toBe('.github/CODEOWNERS');
    expect(d.requirements.find((r) => r.rule === 'review-codeowners')?.eligible).toBe('@kim with write access');
  });

  it('a CODEOWNERS that does not parse fails closed with a finding at the line', async () => {
    const { rule, report } = await run({ reviews: [review('kim', 'APPROVED')], policy: policy('any-owner'), base: { CODEOWNERS: 'app/ @kim\n!app/x.yaml @lee\n' } });
    expect(rule('review-codeowners').state).toBe('failed');
    expect(report.findings).toEqual([expect.objectContaining({ rule: 'review-codeowners', file: 'CODEOWNERS', line: 2, column: 1 })]);
    expect(report.verdict).toBe('fail');
  });

  it('fails closed when the policy wants code owners and the base has no CODEOWNERS', async () => {
    const { rule } = await run({ reviews: [review('kim', 'APPROVED')], policy: policy('any-owner') });
    expect(rule('review-codeowners').state).toBe('failed');
  });

  it('is skipped when the mode is off', async () => {
    const { rule } = await run({ reviews: [review('kim', 'APPROVED')], base: { CODEOWNERS: 'garbage line [\n' } });
    expect(rule('review-codeowners').state).toBe('skipped');
  });
});

describe('policy changes can require named approvers', () => {
  it('a change to the policy file needs the named approver (the base policy judges it)', async () => {
    const policy = 'version: 1\nreview:\n  rules:\n    - name: manifests\n      if: { manifestsChanged: true }\n      approvals: 1\n    - name: policy\n      if: { paths: ["policies/**", "CODEOWNERS"] }\n      approvals: 1\n      from: { users: ["kim"] }\n';
    const { rule, review: d } = await run({ reviews: [review('sam', 'APPROVED')], policy, head: { 'policies/gitops-gate.yaml': policy + '# edited\n' } });
    expect(d.requirements.map((r) => [r.name, r.state])).toEqual([
      ['manifests', 'passed'],
      ['policy', 'pending'],
    ]);
    expect(rule('review-approvals').state).toBe('pending');
  });
});

describe('break-glass', () => {
  const policy = 'version: 1\nreview:\n  breakGlass:\n    users: ["ops"]\n';
  const comment = (login: string, body: string) => ({ id: 1, author: { login }, body, createdAt: '2026-11-20T12:00:00Z' });

  it('a comment from a listed user turns the failure into pass with an audited override', async () => {
    const { report } = await run({ reviews: [], policy, extra: { comments: [comment('ops', '/gitops-gate break-glass payments outage INC-42')] } });
    expect(report.verdict).toBe('pass');
    expect(report.override).toEqual({ by: 'ops', reason: 'payments outage INC-42', via: 'comment', at: '2026-11-20T12:00:00Z' });
    expect(renderMarkdown(report)).toContain('Break-glass override');
  });

  it('ignores the command from someone not listed, and without a reason', async () => {
    const { report } = await run({ reviews: [], policy, extra: { comments: [comment('dana', '/gitops-gate break-glass please'), comment('ops', '/gitops-gate break-glass')] } });
    expect(report.verdict).toBe('fail');
    expect(report.override).toBeUndefined();
    expect(report.notes.join('\n')).toMatch(/by @dana was ignored[\s\S]*gives no reason/);
  });

  it('ignores a break-glass comment edited after posting', async () => {
    const edited = { ...comment('ops', '/gitops-gate break-glass outage'), updatedAt: '2026-11-20T13:00:00Z' };
    const { report } = await run({ reviews: [], policy, extra: { comments: [edited] } });
    expect(report.verdict).toBe('fail');
    expect(report.notes.join('\n')).toContain('was edited after it was posted');
  });

  it('honours the label only when a listed user applied it', async () => {
    const ev = (login: string) => [{ action: 'labeled' as const, label: 'break-glass', actor: { login }, createdAt: '2026-11-20T12:30:00Z' }];
    const unknown = await run({ reviews: [], policy, labels: ['break-glass'] });
    expect(unknown.report.verdict).toBe('fail');
    expect(unknown.report.notes.join('\n')).toContain('who applied it is unknown');
    const byOther = await run({ reviews: [], policy, labels: ['break-glass'], extra: { labelEvents: ev('dana') } });
    expect(byOther.report.verdict).toBe('fail');
    const byOps = await run({ reviews: [], policy, labels: ['break-glass'], extra: { labelEvents: ev('ops') } });
    expect(byOps.report.verdict).toBe('pass');
    expect(byOps.report.override).toMatchObject({ by: 'ops', via: 'label' });
  });

  // Issue 13, item 10: an override applies to the head it was given for, never by the author, on the exact command.
  const prWith = (extra: Record<string, unknown>) => ({
    number: 7, title: 't', body: BODY, author: { login: 'dana' }, labels: ['break-glass'], baseRef: 'main', headRef: 'f', baseSha: 'b'.repeat(40), headSha: HEAD, draft: false, lastPusher: 'pusher', ...extra,
  });

  it('does not honour a comment from before the head commit was pushed (the gate first saw the head later)', async () => {
    const { report } = await run({ reviews: [], policy, extra: { pr: prWith({ headSeenAt: '2026-11-20T12:05:00Z' }), comments: [comment('ops', '/gitops-gate break-glass outage')] } });
    expect(report.verdict).toBe('fail');
    expect(report.override).toBeUndefined();
    expect(report.notes.join('\n')).toContain('it was given before the head commit hhhhhhh was pushed');
  });

  it('does not honour a label applied before the head commit was pushed', async () => {
    const labelEvents = [{ action: 'labeled' as const, label: 'break-glass', actor: { login: 'ops' }, createdAt: '2026-11-20T12:30:00Z' }];
    const { report } = await run({ reviews: [], policy, labels: ['break-glass'], extra: { pr: prWith({ headSeenAt: '2026-11-20T13:00:00Z' }), labelEvents } });
    expect(report.verdict).toBe('fail');
    expect(report.notes.join('\n')).toContain('an override applies only to the head it was given for');
  });

  it('does not honour an override while the time of the head\'s push is unknown', async () => {
    const { report } = await run({ reviews: [], policy, extra: { pr: prWith({}), comments: [comment('ops', '/gitops-gate break-glass outage')] } });
    expect(report.verdict).toBe('fail');
    expect(report.notes.join('\n')).toContain('the time the head commit hhhhhhh was pushed is unknown');
  });

  it('the pull request\'s author cannot break glass on it, even when listed, unless the policy allows it', async () => {
    const both = 'version: 1\nreview:\n  breakGlass:\n    users: ["ops", "dana"]\n';
    const byAuthor = { comments: [comment('dana', '/gitops-gate break-glass my own outage')] };
    const denied = await run({ reviews: [], policy: both, extra: byAuthor });
    expect(denied.report.verdict).toBe('fail');
    expect(denied.report.notes.join('\n')).toContain("the pull request's author, was ignored");
    const labelEvents = [{ action: 'labeled' as const, label: 'break-glass', actor: { login: 'Dana' }, createdAt: '2026-11-20T12:30:00Z' }];
    const label = await run({ reviews: [], policy: both, labels: ['break-glass'], extra: { labelEvents } });
    expect(label.report.verdict).toBe('fail');
    const allowed = await run({ reviews: [], policy: `${both}    allowAuthor: true\n`, extra: byAuthor });
    expect(allowed.report.verdict).toBe('pass');
    expect(allowed.report.override).toMatchObject({ by: 'dana', via: 'comment' });
  });

  it('honours only the exact command: "/gitops-gate break-glassy" is not it', async () => {
    for (const body of ['/gitops-gate break-glassy outage', '/gitops-gate break-glass\u200Boutage', '/gitops-gate break-glass-now outage']) {
      const { report } = await run({ reviews: [], policy, extra: { comments: [comment('ops', body)] } });
      expect(report.verdict, body).toBe('fail');
      expect(report.notes.join('\n'), body).toContain('which is not the break-glass command "/gitops-gate break-glass"');
    }
    const tab = await run({ reviews: [], policy, extra: { comments: [comment('ops', '/gitops-gate break-glass\toutage')] } });
    expect(tab.report.override).toMatchObject({ reason: 'outage' });
  });

  it('is disabled while no users are listed', async () => {
    const { report } = await run({ reviews: [], extra: { comments: [comment('ops', '/gitops-gate break-glass outage')] } });
    expect(report.verdict).toBe('fail');
  });
});

describe('without a pull request or reviews', () => {
  it('reports the review rules as not evaluated and leaves the verdict to the other areas', async () => {
    const change = memoryChange({ 'app/cm.yaml': CM }, { 'app/cm.yaml': CM2 });
    const report = await evaluate(change, { policyPath: 'policies' });
    expect(report.rules.filter((r) => r.area === 'review').map((r) => r.state)).toEqual(['not-evaluated', 'not-evaluated', 'not-evaluated']);
    expect(report.verdict).toBe('pass');
  });
});

describe('policy schema', () => {
  it('rejects unknown review settings naming the line', async () => {
    await expect(run({ reviews: [], policy: 'version: 1\nreview:\n  separationOfDuties:\n    authors: false\n' })).rejects.toThrow(/unknown setting "review.separationOfDuties.authors"/);
  });
  it('rejects a team that is not org/slug', async () => {
    await expect(run({ reviews: [], policy: 'version: 1\nreview:\n  rules:\n    - name: x\n      approvals: 1\n      from: { teams: ["sre"] }\n' })).rejects.toThrow(/review.rules\[0\].from.teams\[0\]/);
  });
});
