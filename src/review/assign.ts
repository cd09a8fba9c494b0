/**
 * Distinct approvers: assigns each approver to at most one requirement so that as many required approvals
 * as possible are filled. A greedy choice can strand a requirement (someone in two teams used for the wrong
 * one); a maximum bipartite matching (Kuhn's augmenting paths over requirement "slots") cannot.
 */

/**
 * @param needs approvals required per requirement (index = requirement)
 * @param eligible approver ids eligible for each requirement (same indexes as `needs`)
 * @returns for each requirement, the approvers assigned to it (at most `needs[i]`; each approver used once)
 */
export function assignDistinct(needs: readonly number[], eligible: readonly (readonly string[])[]): string[][] {
  const slots: number[] = needs.flatMap((n, req) => Array.from({ length: n }, () => req));
  const slotOwner: (string | undefined)[] = slots.map(() => undefined);
  const slotsOf = new Map<string, number[]>();
  slots.forEach((req, s) => {
    for (const a of eligible[req] ?? []) slotsOf.set(a, [...(slotsOf.get(a) ?? []), s]);
  });
  const tryAssign = (approver: string, seen: Set<number>): boolean => {
    for (const s of slotsOf.get(approver) ?? []) {
      if (seen.has(s)) continue;
      seen.add(s);
      const current = slotOwner[s];
      if (current === undefined || tryAssign(current, seen)) {
        slotOwner[s] = approver;
        return true;
      }
    }
    return false;
  };
  for (const approver of slotsOf.keys()) tryAssign(approver, new Set());
  const out: string[][] = needs.map(() => []);
  slotOwner.forEach((a, s) => {
    if (a !== undefined) out[slots[s]!]!.push(a);
  });
  return out;
}
