/**
 * The sync plan in the report: for each sync group the change touches, the order ArgoCD applies its resources
 * in, before and after the change, with the resources the change moves marked. Stored as
 * `report.details.syncPlans` ({@link SyncPlansDetail}) and rendered by src/report/sections.ts.
 */
import { groupKind } from '../manifests/resource.js';
import type { Snapshot, SyncGroup } from '../area/contract.js';
import { groupNamespace, groupResources } from './context.js';
import { syncPlan, type PlanTask } from './plan.js';
import type { OrderPhase } from './settings.js';

/** One step of a plan, as stored in the report (JSON: waves are strings because they are 64-bit). */
export interface PlanRow {
  phase: OrderPhase;
  wave: string;
  /** `group/Kind` (`Kind` for the core group). */
  kind: string;
  namespace?: string;
  /** metadata.name, or `generateName*` for hooks named at sync time. */
  name: string;
  hook: boolean;
  file: string;
  line: number;
  /** Set when ArgoCD moved this Namespace or CRD before a dependent: the step it was annotated with. */
  dependencyMove?: { before: string; phase: OrderPhase; wave: string };
  /** How the change affects this row: `added`, `moved` (another phase or wave than at base), or absent. */
  change?: 'added' | 'moved';
  /** For `moved` rows, the step at base. */
  was?: { phase: OrderPhase; wave: string };
}

/** The plan of one group. */
export interface GroupPlan {
  name: string;
  grouping: SyncGroup['grouping'];
  dir: string;
  application?: string;
  head: PlanRow[];
  /** Absent in `--all` mode and when the group does not exist at base. */
  base?: PlanRow[];
  /** Resources at base that the change removes. */
  removed: PlanRow[];
  /** True when the order or the steps differ between base and head. */
  changed: boolean;
}

/** `report.details.syncPlans`. */
export interface SyncPlansDetail {
  groups: GroupPlan[];
}

function rows(tasks: PlanTask[]): PlanRow[] {
  return tasks.map((t) => {
    const r = t.resource;
    return {
      phase: t.phase,
      wave: String(t.wave),
      kind: groupKind(r),
      ...(t.namespace ? { namespace: t.namespace } : {}),
      name: r.name ?? `${r.generateName ?? ''}*`,
      hook: t.model.isHook,
      file: r.file,
      line: r.pos([]).line,
      ...(t.movedBefore ? { dependencyMove: { before: t.movedBefore.dependent, phase: t.movedBefore.phase, wave: String(t.movedBefore.wave) } } : {}),
    };
  });
}

const rowKey = (r: PlanRow) => `${r.kind}|${r.namespace ?? ''}|${r.name}|${r.phase === 'Sync' || !r.hook ? '' : r.phase}`;
const identity = (r: PlanRow) => `${r.kind}|${r.namespace ?? ''}|${r.name}`;

function groupKey(g: SyncGroup): string {
  return `${g.grouping}:${g.application ? `${g.application.file}#${g.application.name}` : g.dir}`;
}

function plansOf(snap: Snapshot): Map<string, { g: SyncGroup; rows: PlanRow[] }> {
  const out = new Map<string, { g: SyncGroup; rows: PlanRow[] }>();
  for (const g of snap.groups) out.set(groupKey(g), { g, rows: rows(syncPlan(groupResources(g), groupNamespace(g))) });
  return out;
}

/** Compares base and head plans of the groups in scope; pure. */
export function comparePlans(head: Snapshot, base?: Snapshot): SyncPlansDetail {
  const h = plansOf(head);
  const b = base ? plansOf(base) : new Map<string, { g: SyncGroup; rows: PlanRow[] }>();
  const groups: GroupPlan[] = [];
  for (const [key, { g, rows: headRows }] of h) {
    const baseRows = b.get(key)?.rows;
    const byKey = new Map((baseRows ?? []).map((r) => [rowKey(r), r]));
    const headIds = new Set(headRows.map(identity));
    for (const r of headRows) {
      const was = byKey.get(rowKey(r)) ?? (baseRows ?? []).find((x) => identity(x) === identity(r));
      if (!baseRows) continue;
      if (!was) r.change = 'added';
      else if (was.phase !== r.phase || was.wave !== r.wave) {
        r.change = 'moved';
        r.was = { phase: was.phase, wave: was.wave };
      }
    }
    const removed = (baseRows ?? []).filter((r) => !headIds.has(identity(r)));
    const order = (rs: PlanRow[]) => rs.map(identity).join('\n');
    const changed = baseRows !== undefined && (removed.length > 0 || headRows.some((r) => r.change) || order(baseRows) !== order(headRows));
    groups.push({
      name: g.name,
      grouping: g.grouping,
      dir: g.dir,
      ...(g.application ? { application: g.application.file } : {}),
      head: headRows,
      ...(baseRows ? { base: baseRows } : {}),
      removed,
      changed,
    });
  }
  for (const [key, { g, rows: baseRows }] of b) {
    if (h.has(key)) continue;
    groups.push({ name: g.name, grouping: g.grouping, dir: g.dir, ...(g.application ? { application: g.application.file } : {}), head: [], base: baseRows, removed: baseRows, changed: true });
  }
  return { groups };
}
