/**
 * Distinct approvers: assigns each approver to at most one requirement so that as many required approvals
 * as possible are filled. A greedy choice can strand a requirement (someone in two teams used for the wrong
 * one); a maximum bipartite matching cannot. Kuhn's augmenting paths run from the requirement "slots", in
 * order: a slot once filled stays filled, so earlier requirements have priority when not all can be met.
 */

/**
 * @param needs approvals required per requirement (index = requirement)
 * @param eligible approver ids eligible for each requirement (same indexes as `needs`)
 * @returns for each requirement, the approvers assigned to it (at most `needs[i]`; each approver used once)
 */
export function assignDistinct(needs: readonly number[], eligible: readonly (readonly string[])[]): string[][] {
  const slots: number[] = needs.flatMap((n, req) => Array.from({ length: n }, () => req));
  const slotOf = new Map<string, number>();
  const fill = (s: number, seen: Set<string>): boolean => {
    for (const a of eligible[slots[s]!] ?? []) {
      if (seen.has(a)) continue;
      seen.add(a);
      const current = slotOf.get(a);
      if (current === undefined || fill(current, seen)) {
        slotOf.set(a, s);
        return true;
      }
    }
    return false;
  };
  slots.forEach((_, s) => fill(s, new Set()));
  const out: string[][] = needs.map(() => []);
  for (const [a, s] of slotOf) out[slots[s]!]!.push(a);
  return out;
}
