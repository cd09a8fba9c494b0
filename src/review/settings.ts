/**
 * Policy settings of the review area: the TypeScript shape of `review` in policies/schema.json.
 * Values are already merged with the default policy when checks see them.
 */
// eslint-disable-next-line @typescript-eslint/no-empty-object-type
export interface ReviewSettings {}
