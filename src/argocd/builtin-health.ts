/**
 * ArgoCD's built-in health checks (v3.6.0), and the lookup that tells whether a group/Kind has a health
 * check at all. Used by the health checks and meant for the sync rules (waves only wait for resources
 * that have a health check: gitops-engine `sync_context.go:575-577`).
 */
import { parse } from 'yaml';
import text from './builtin-health-checks.yaml';

/** The data file's shape. */
interface BuiltinData {
  argocdVersion: string;
  go: string[];
  lua: string[];
}

/**
 * The data file and its lookups, parsed on first use: most runs never ask (a run whose kinds are all core
 * kinds), and parsing it at start-up was a noticeable part of a small run.
 */
let lookups: { go: readonly string[]; luaExact: ReadonlySet<string>; luaWild: readonly string[] } | undefined;
function builtin(): NonNullable<typeof lookups> {
  if (!lookups) {
    const data = parse(text) as BuiltinData;
    // `go`: group/Kinds with a built-in Go check (`Kind` alone for the core group); `lua`: with a built-in Lua
    // check, `_` in a group or Kind segment standing for `*`.
    lookups = { go: data.go, luaExact: new Set(data.lua.filter((k) => !k.includes('_'))), luaWild: data.lua.filter((k) => k.includes('_')).map((k) => k.replace(/_/g, '*')) };
  }
  return lookups;
}

/** The ArgoCD version the built-in list comes from (the data file's `argocdVersion` line). */
export const BUILTIN_ARGOCD_VERSION: string = /^argocdVersion:\s*(\S+)\s*$/m.exec(text)?.[1] ?? (parse(text) as BuiltinData).argocdVersion;

/** `group/Kind`, or `Kind` for the core group. */
export function overrideKey(group: string, kind: string): string {
  return group ? `${group}/${kind}` : kind;
}

/** Matches a glob where `*` matches any run of characters, as ArgoCD's gobwas glob without separators does. */
export function globMatch(pattern: string, value: string, crossSlash = true): boolean {
  const any = crossSlash ? '.*' : '[^/]*';
  const re = new RegExp(`^${pattern.split('*').map((s) => s.replace(/[.+?^${}()|[\]\\]/g, '\\$&')).join(any)}$`);
  return re.test(value);
}


/** A custom check's key as {@link knownHealthCheck} needs it. */
export interface CustomCheckKey {
  /** `group/Kind`, `Kind`, or a glob (legacy resource.customizations keys may hold `*`). */
  key: string;
}

/**
 * Which health check ArgoCD uses for a group/Kind, in ArgoCD's lookup order (`util/lua/lua.go`
 * GetHealthScript): a custom check (exact key, then wildcard), a built-in Lua check, then the Go check.
 * @param group API group (`''` for the core group)
 * @param kind the Kind
 * @param customChecks the custom checks configured in the repository (argocd-cm, ArgoCD CR, ...)
 * @returns `custom`, `builtin-lua`, `builtin-go`, or `undefined` when the kind has no health check
 *   (ArgoCD then treats it as healthy at once, so later sync waves do not wait for it)
 */
export function knownHealthCheck(group: string, kind: string, customChecks: readonly CustomCheckKey[]): 'builtin-go' | 'builtin-lua' | 'custom' | undefined {
  const key = overrideKey(group, kind);
  if (customChecks.some((c) => c.key === key || (c.key.includes('*') && globMatch(c.key, key)))) return 'custom';
  const { go, luaExact, luaWild } = builtin();
  if (luaExact.has(key) || luaWild.some((w) => globMatch(w, key, false))) return 'builtin-lua';
  if (go.includes(key)) return 'builtin-go';
  return undefined;
}

/**
 * Whether a custom health check configured in the repository applies to a group/Kind: an exact key, or a glob
 * of the legacy block, as ArgoCD's lookup matches them (`util/lua/lua.go` GetHealthScript).
 * @param keys override keys from `configuredHealthKeys` (./sources.ts): `group/Kind`, `Kind` for the core group
 */
export function hasCustomHealth(keys: ReadonlySet<string>, group: string, kind: string): boolean {
  const key = overrideKey(group, kind);
  if (keys.has(key)) return true;
  for (const k of keys) if (k.includes('*') && globMatch(k, key)) return true;
  return false;
}
