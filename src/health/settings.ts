/**
 * Policy settings of the health area: the TypeScript shape of `health` in policies/schema.json.
 * Values are already merged with the default policy when checks see them.
 */
// eslint-disable-next-line @typescript-eslint/no-empty-object-type
export interface HealthSettings {}
