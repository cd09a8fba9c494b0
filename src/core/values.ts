/** Type guards for plain values read from YAML or JSON. */

/** True for a mapping (a plain object): not null, not an array. */
export function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
