/**
 * The `regex` format of policies/schema.json: settings holding regular expressions compile as the checks
 * compile them (flag `u`). Shared by the runtime validator (./schema-validator.ts) and the standalone one the
 * build generates (scripts/policy-validator.mjs).
 * @returns whether `pattern` compiles with `new RegExp(pattern, 'u')`; never throws
 */
export function isRegExp(pattern: string): boolean {
  try {
    new RegExp(pattern, 'u');
    return true;
  } catch {
    return false;
  }
}
