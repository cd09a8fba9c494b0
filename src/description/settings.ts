/**
 * Policy settings of the description area: the TypeScript shape of `description` in policies/schema.json.
 * Values are already merged with the default policy when checks see them.
 */
// eslint-disable-next-line @typescript-eslint/no-empty-object-type
export interface DescriptionSettings {}
