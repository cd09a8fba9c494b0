/**
 * The one condition language of the policy: `review.rules[].if` and `description.conditional[].when` share
 * its shape (policies/schema.json `$defs/condition`) and its meaning. Every condition given must hold.
 *
 * - Change conditions, decided here from the changed paths and the pull request: `paths`,
 *   `manifestsChanged`, `labels`, `authors`, `targetBranches`. Both places accept them.
 * - Resource conditions, decided from the parsed manifests of base and head: `kinds`, `changes`. They look
 *   only at resources in files matching `paths` (when given); src/description/conditions.ts decides them.
 *   Only `when` accepts them: an approval rule's `if` is decided before the manifests are read (it says
 *   which reviewers' permissions and teams to look up), so the schema refuses them there.
 *
 * A condition on the pull request (`labels`, `authors`, `targetBranches`) does not hold when there is no
 * pull request (the CLI without `--pr`).
 */
import { minimatch } from 'minimatch';
import { touchedPaths, type Change } from '../core/model.js';
import { manifestMatcher, pathMatcher, type ManifestSelector } from '../manifests/manifest-file.js';

/** Kinds of sync-order change a resource condition can react to. */
export type SyncChangeKind = 'sync-waves' | 'hooks';

/** A condition: the shape of `if` and `when`. Every condition given must hold; none given: it always holds. */
export interface Condition {
  /** At least one changed file (path or previous path of a rename) matches one of these minimatch globs. */
  paths?: string[];
  /** `true`: at least one changed file is a manifest (per the policy's `manifests` section). */
  manifestsChanged?: boolean;
  /** The pull request carries at least one of these labels. */
  labels?: string[];
  /** The pull request's author is one of these logins (case-insensitive). */
  authors?: string[];
  /** The target branch matches one of these minimatch globs. */
  targetBranches?: string[];
  /** Resource kinds (`Kind` or `group/Kind`); at least one resource of these kinds is changed, at base or head. */
  kinds?: string[];
  /** The change modifies sync waves or hooks of at least one resource. */
  changes?: SyncChangeKind[];
}

/** The conditions decided from the change alone (all an approval rule's `if` accepts). */
export type ChangeCondition = Omit<Condition, 'kinds' | 'changes'>;

/** What {@link changeConditions} decided. */
export type ConditionResult =
  | {
      holds: true;
      /** Plain-language reasons, one per condition given, for example `labelled hotfix`. */
      because: string[];
      /** The files `paths` selects, when given (resource conditions look only at these). */
      inScope?: (file: string) => boolean;
    }
  | {
      holds: false;
      /** Why not, for example `no changed file matches apps/**`. */
      reason: string;
    };

/**
 * Decides the change conditions of `c` (`kinds` and `changes` are left to the caller, see the module doc).
 * @param manifests the policy's `manifests` section, for `manifestsChanged`
 */
export function changeConditions(c: Condition, change: Change, manifests: ManifestSelector): ConditionResult {
  const because: string[] = [];
  let inScope: ((file: string) => boolean) | undefined;
  const paths = touchedPaths(change);
  if (c.paths?.length) {
    const match = pathMatcher(c.paths);
    const hits = paths.filter(match);
    if (!hits.length) return { holds: false, reason: `no changed file matches ${c.paths.join(', ')}` };
    because.push(`changed paths match ${c.paths.join(', ')} (${hits.slice(0, 3).join(', ')}${hits.length > 3 ? ', …' : ''})`);
    inScope = match;
  }
  if (c.manifestsChanged) {
    const manifest = paths.find(manifestMatcher(manifests));
    if (manifest === undefined) return { holds: false, reason: 'no manifest changed' };
    because.push(`a manifest changed (${manifest})`);
  }
  const pr = change.pr;
  if (c.labels?.length) {
    const label = c.labels.find((l) => pr?.labels.includes(l));
    if (label === undefined) return { holds: false, reason: `the pull request has none of the labels ${c.labels.join(', ')}` };
    because.push(`labelled ${label}`);
  }
  if (c.authors?.length) {
    const author = pr?.author.login;
    if (!author || !c.authors.some((a) => a.toLowerCase() === author.toLowerCase())) return { holds: false, reason: `the author is not one of ${c.authors.join(', ')}` };
    because.push(`authored by @${author}`);
  }
  if (c.targetBranches?.length) {
    const glob = pr ? c.targetBranches.find((g) => new minimatch.Minimatch(g).match(pr.baseRef)) : undefined;
    if (glob === undefined) return { holds: false, reason: `the target branch is not one of ${c.targetBranches.join(', ')}` };
    because.push(`targets ${pr!.baseRef}`);
  }
  return { holds: true, because, ...(inScope ? { inScope } : {}) };
}
