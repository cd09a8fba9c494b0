/**
 * Turns the gathered facts of each change into the report's entries and exceptions. Pure: everything it
 * reads was fetched before (src/audit/run.ts), so the rules below are tested without git or GitHub.
 *
 * The rules reuse the gate's own readings: the latest review per reviewer and separation of duties
 * (src/review/reviewers.ts), break-glass (src/review/break-glass.ts), the PR body's sections, real
 * content and revert detection (src/description/), and `Co-authored-by` trailers (src/sources/identity.ts).
 */
import type { Change, Commit, Identity, IssueComment, LabelEvent, Permission, PrTemplate, Review } from '../core/model.js';
import { placeholderMatchers, realContent, templateText, type TemplateText } from '../description/content.js';
import { normaliseHeading, parseBody, type ParsedBody } from '../description/markdown.js';
import { policyRegExp } from '../description/requirements.js';
import { detectRevert } from '../description/revert.js';
import { resolveSection } from '../description/settings.js';
import type { Policy } from '../policy/types.js';
import { findBreakGlass } from '../review/break-glass.js';
import { isBot, latestByReviewer, loginKey, participants } from '../review/reviewers.js';
import type { MinimumPermission } from '../review/settings.js';
import type { MergedPull } from './github.js';
import type { BranchCommit, CommitScope } from './history.js';
import { EXCEPTION_KINDS, type Approver, type AuditChange, type AuditException, type AuditOverride, type GateVerdict, type ListedException, type MergeMethod } from './model.js';

/** Everything known about one change before it is judged. */
export interface ChangeFacts {
  commit: BranchCommit;
  scope: CommitScope;
  method: MergeMethod;
  /** The PR that brought the commit; absent for a direct push. */
  pr?: MergedPull;
  reviews: Review[];
  /** The PR's commits; absent when they could not be read. */
  prCommits?: Commit[];
  gate: GateVerdict;
  /** The policy on the branch before the change (the one the gate applied). */
  policy: Policy;
  /** The repository's PR templates before the change (template text is not content). */
  templates: PrTemplate[];
  /** The PR's comments; absent when not read (break-glass by comment then cannot be seen). */
  comments?: IssueComment[];
  labelEvents?: LabelEvent[];
  /** Approvers' repository permissions, by lower-case login. */
  permissions: Map<string, Permission | { error: string }>;
  /** Facts that could not be read, in words (each becomes an `unverified` exception). */
  unverified: string[];
  /** For a direct push: merged PRs GitHub associates with the commit although their merge did not bring it. */
  associatedPulls?: number[];
}

const PERMISSION_RANK: Record<Permission, number> = { none: 0, read: 1, triage: 2, write: 3, maintain: 4, admin: 5 };

/** A person as the report names them: the GitHub login, else `Name <email>`. */
export function personOf(id: Identity): string {
  if (id.login) return id.login;
  if (id.email) return id.name ? `${id.name} <${id.email}>` : `<${id.email}>`;
  return id.name ?? 'unknown';
}

/** GitHub's web-flow committer (merges and squashes made in the UI): not a person. */
function isWebFlow(id: Identity): boolean {
  return id.email === 'noreply@github.com';
}

/**
 * The text of the first section of the body headed as the policy's section `id` says, as real content
 * (comments, placeholders and template text removed); `null` when there is no such section or it is empty.
 */
export function sectionText(parsed: ParsedBody, policy: Policy, id: string | undefined, template: TemplateText): string | null {
  if (!id) return null;
  const sec = resolveSection(id, policy.description.sections[id]);
  const wanted = new Set(sec.headings.map(normaliseHeading));
  const placeholders = placeholderMatchers(policy.description.placeholders);
  for (const s of parsed.sections) {
    if (!wanted.has(normaliseHeading(s.heading.text))) continue;
    const c = realContent(s.blocks, template, placeholders);
    if (c.text.trim()) return c.text;
  }
  return null;
}

/** The policy's section keys for the reason and the rollback plan: `why` and `rollback`, else a key that reads so. */
export function sectionIds(policy: Policy): { reason?: string; rollback?: string } {
  const keys = Object.keys(policy.description.sections);
  const pick = (exact: string, re: RegExp) => (keys.includes(exact) ? exact : keys.find((k) => re.test(k)));
  const reason = pick('why', /why|reason|motivation/i);
  const rollback = pick('rollback', /roll/i);
  return { ...(reason ? { reason } : {}), ...(rollback ? { rollback } : {}) };
}

/** The ticket reference the policy's pattern finds in the title, the body's real content or the branch name. */
export function ticketOf(pr: MergedPull, parsed: ParsedBody, policy: Policy, template: TemplateText): string | null {
  const t = policy.description.ticket;
  if (!t.pattern) return null;
  const re = policyRegExp(t.pattern);
  const body = realContent(parsed.blocks, template, placeholderMatchers(policy.description.placeholders)).text;
  const places: Record<string, string> = { title: pr.title, body: [...parsed.headings.map((h) => h.text), body].join('\n'), branch: pr.headRef };
  for (const where of t.in) {
    const m = re.exec(places[where] ?? '');
    if (m) return m[0];
  }
  return null;
}

/** The change as the review module sees one (for separation of duties and break-glass). */
function reviewView(f: ChangeFacts): Change {
  const pr = f.pr!;
  return {
    pr: {
      number: pr.number,
      title: pr.title,
      body: pr.body,
      author: { ...(pr.author ? { login: pr.author } : {}), ...(pr.authorType ? { type: pr.authorType } : {}) },
      labels: pr.labels,
      baseRef: pr.baseRef,
      headRef: pr.headRef,
      baseSha: f.commit.parents[0] ?? '',
      headSha: pr.headSha,
      draft: false,
      url: pr.url,
      // The gate ties an override to the head it was given for (it must come after the head was pushed). The audit
      // looks back: every override invoked on the PR is reported as an exception, whenever it was given, since an
      // exception reported too often is the safe side of an audit.
      headSeenAt: '1970-01-01T00:00:00Z',
    },
    headSha: pr.headSha,
    files: f.scope.files,
    commits: f.prCommits ?? [],
    reviews: f.reviews,
    head: { label: pr.headSha, readFile: () => Promise.resolve(undefined), readFiles: () => Promise.resolve(new Map()), listFiles: () => Promise.resolve([]) },
    caps: { filesTruncated: false, commitsTruncated: false },
    mode: 'diff',
    ...(f.comments ? { comments: f.comments } : {}),
    ...(f.labelEvents ? { labelEvents: f.labelEvents } : {}),
  };
}

function approvers(f: ChangeFacts, view: Change): { list: Approver[]; self: string[]; stale: string[] } {
  const sod = f.policy.review.separationOfDuties;
  // Who pushed last is not kept once a PR is merged: that role cannot be checked after the fact.
  const roles = participants(view, { ...sod, author: true, committers: true, coAuthors: true, lastPusher: false }).roles;
  const min: MinimumPermission = f.policy.review.minimumPermission;
  const list: Approver[] = [];
  const self: string[] = [];
  const stale: string[] = [];
  for (const st of latestByReviewer(f.reviews)) {
    const r = st.latest;
    if (r?.state !== 'APPROVED') continue;
    const perm = f.permissions.get(loginKey(st.login));
    const permission = perm === undefined || typeof perm === 'object' ? 'unknown' : perm;
    const why: string[] = [];
    const onHead = r.commitId === f.pr!.headSha;
    if (!onHead) {
      why.push(`approved ${r.commitId ? r.commitId.slice(0, 12) : 'an unknown commit'}, not the merged head ${f.pr!.headSha.slice(0, 12)}`);
      stale.push(st.login);
    }
    const took = roles.get(loginKey(st.login));
    if (took) {
      why.push(`took part in the change (${[...took].join(', ')})`);
      self.push(st.login);
    }
    if (sod.bots && isBot(st.reviewer)) why.push('is a bot');
    if (permission === 'unknown') why.push(typeof perm === 'object' ? perm.error : 'permission not looked up');
    else if (PERMISSION_RANK[permission] < PERMISSION_RANK[min]) why.push(`has ${permission} permission, below the policy's ${min}`);
    list.push({ login: st.login, permission, commit: r.commitId, submittedAt: r.submittedAt ?? null, valid: why.length === 0, ...(why.length ? { why: why.join('; ') } : {}) });
  }
  return { list, self, stale };
}

function gateExceptions(g: GateVerdict): AuditException[] {
  const on = `"${g.checkName}" on the merged head ${g.headSha.slice(0, 12)}`;
  if (g.conclusion === 'success' || g.conclusion === 'neutral') return [];
  if (g.conclusion === 'none') return [{ kind: 'gate-missing', detail: `no check run ${on}: the gate never ran on what was merged` }];
  if (g.conclusion === 'in_progress' || g.conclusion === 'queued' || g.conclusion === 'pending' || g.conclusion === 'waiting' || g.conclusion === 'requested') {
    return [{ kind: 'gate-missing', detail: `the check run ${on} never completed (status ${g.conclusion})` }];
  }
  return [{ kind: 'gate-failed', detail: `merged while the check run ${on} concluded "${g.conclusion}"` }];
}

const REVERT_COMMIT = /This reverts commit ([0-9a-f]{7,40})/i;

/**
 * Judges one change.
 * @param repository `owner/name`, for revert links
 */
export function auditChange(f: ChangeFacts, repository: string): AuditChange {
  const c = f.commit;
  const exceptions: AuditException[] = [];
  let out: AuditChange;
  if (!f.pr) {
    const committers = [...new Set([c.author, c.committer].filter((i) => !isWebFlow(i)).map(personOf))];
    const also = f.associatedPulls?.length ? ` (GitHub associates it with ${f.associatedPulls.map((n) => `#${n}`).join(', ')}, whose merge did not bring it)` : '';
    exceptions.push({ kind: 'direct-push', detail: `${c.sha.slice(0, 12)} was pushed to the branch by ${personOf(c.committer)} without a pull request: no review, no gate${also}` });
    out = {
      commit: c.sha,
      mergedAt: c.committedAt,
      method: 'direct-push',
      pr: null,
      subject: c.subject,
      author: personOf(c.author),
      committers,
      coAuthors: c.coAuthors.map(personOf),
      approvers: [],
      reason: null,
      rollback: null,
      ticket: null,
      gate: f.gate,
      override: null,
      labels: [],
      manifests: f.scope.manifests,
      applications: f.scope.applications,
      reverts: null,
      exceptions,
    };
  } else {
    const pr = f.pr;
    const view = reviewView(f);
    const template = templateText(f.policy.description.template.enabled ? f.templates : []);
    const parsed = parseBody(pr.body);
    const ids = sectionIds(f.policy);
    const people = f.prCommits ?? [];
    const committers = [...new Set(people.flatMap((p) => [p.author, p.committer]).filter((i) => !isWebFlow(i)).map(personOf))];
    const coAuthors = [...new Set([...people.flatMap((p) => p.coAuthors), ...c.coAuthors].map(personOf))];
    const a = approvers(f, view);

    exceptions.push(...gateExceptions(f.gate));
    const valid = a.list.filter((x) => x.valid);
    if (!valid.length) {
      if (a.stale.length) exceptions.push({ kind: 'approval-stale', detail: `no approval on the merged head ${pr.headSha.slice(0, 12)}; approved earlier commits only: ${a.stale.map((l) => `@${l}`).join(', ')}` });
      else exceptions.push({ kind: 'approval-missing', detail: a.list.length ? `no approval counts: ${a.list.map((x) => `@${x.login} ${x.why}`).join('; ')}` : 'merged without any approval' });
    }
    if (a.self.length) exceptions.push({ kind: 'self-approval', detail: `approved by ${a.self.map((l) => `@${l}`).join(', ')}, who took part in the change` });

    let override: AuditOverride | null = null;
    const bg = findBreakGlass(view, f.policy.review.breakGlass);
    if (bg.override) override = { by: bg.override.by, reason: bg.override.reason, via: bg.override.via, at: bg.override.at ?? null };
    else if (f.gate.conclusion === 'neutral') override = { by: null, reason: 'the gate concluded "neutral": passed by a break-glass override (who and why are in its audit record)', via: 'check-run', at: null };
    if (override) exceptions.push({ kind: 'break-glass', detail: `break-glass override${override.by ? ` by @${override.by}` : ''} (${override.via}): ${override.reason}` });

    out = {
      commit: c.sha,
      mergedAt: pr.mergedAt,
      method: f.method,
      pr: { number: pr.number, url: pr.url, title: pr.title, headSha: pr.headSha, baseRef: pr.baseRef },
      subject: c.subject,
      author: pr.author ?? 'unknown',
      committers,
      coAuthors,
      approvers: a.list,
      reason: sectionText(parsed, f.policy, ids.reason, template),
      rollback: sectionText(parsed, f.policy, ids.rollback, template),
      ticket: ticketOf(pr, parsed, f.policy, template),
      gate: f.gate,
      override,
      labels: pr.labels,
      manifests: f.scope.manifests,
      applications: f.scope.applications,
      reverts: null,
      exceptions,
    };
    const rev = detectRevert(view.pr!, repository);
    if (rev) out.reverts = { pr: rev.number ?? null, commit: null, inPeriod: false };
  }
  const m = REVERT_COMMIT.exec(c.message);
  if (m) out.reverts = { pr: out.reverts?.pr ?? null, commit: m[1]!, inPeriod: false };
  for (const u of f.unverified) exceptions.push({ kind: 'unverified', detail: u });
  return out;
}

/**
 * Links each revert to the change it reverts (by PR number, or by the commit `git revert` names) and adds
 * its `revert` exception. A revert is a change like any other: its own approvals and gate are judged too.
 */
export function linkReverts(changes: AuditChange[]): void {
  const byPr = new Map(changes.filter((c) => c.pr).map((c) => [c.pr!.number, c]));
  for (const c of changes) {
    if (!c.reverts) continue;
    const target =
      (c.reverts.pr !== null ? byPr.get(c.reverts.pr) : undefined) ??
      (c.reverts.commit ? changes.find((x) => x !== c && (x.commit.startsWith(c.reverts!.commit!) || x.pr?.headSha.startsWith(c.reverts!.commit!))) : undefined);
    if (target) {
      c.reverts = { pr: target.pr?.number ?? c.reverts.pr, commit: target.commit, inPeriod: true };
    }
    const what = c.reverts.pr !== null ? `#${c.reverts.pr}` : c.reverts.commit ? c.reverts.commit.slice(0, 12) : 'an unnamed change';
    c.exceptions.push({
      kind: 'revert',
      detail: `reverts ${what}${target ? ` (${target.commit.slice(0, 12)}, merged ${target.mergedAt})` : ' (not in this period)'}`,
    });
  }
}

/** Every exception of every change, grouped by kind in {@link EXCEPTION_KINDS} order, oldest first within a kind. */
export function listExceptions(changes: readonly AuditChange[]): ListedException[] {
  const out: ListedException[] = [];
  for (const kind of EXCEPTION_KINDS) {
    for (const c of changes) {
      for (const e of c.exceptions) if (e.kind === kind) out.push({ ...e, commit: c.commit, pr: c.pr?.number ?? null, mergedAt: c.mergedAt });
    }
  }
  return out;
}
