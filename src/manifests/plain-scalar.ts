/**
 * The YAML 1.2.2 core schema's resolution of plain scalars, shared by the manifests' fast reader
 * (yaml-fast.ts) and the health inputs' line reader (health/input-yaml.ts, which the Lua worker bundles too:
 * this module imports nothing).
 */

// Spec section 10.3.2, in the order the `yaml` package tries them; quoted and block scalars are always strings.
const NULL = /^(?:~|[Nn]ull|NULL)?$/;
const BOOL = /^(?:[Tt]rue|TRUE|[Ff]alse|FALSE)$/;
const INT_OCT = /^0o[0-7]+$/;
const INT = /^[-+]?[0-9]+$/;
const INT_HEX = /^0x[0-9a-fA-F]+$/;
const FLOAT_SPECIAL = /^(?:[-+]?\.(?:inf|Inf|INF)|\.nan|\.NaN|\.NAN)$/;
const FLOAT_EXP = /^[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)[eE][-+]?[0-9]+$/;
const FLOAT = /^[-+]?(?:\.[0-9]+|[0-9]+\.[0-9]*)$/;

/** First characters a non-string plain scalar can start with (anything else is a string). */
const MAYBE_TYPED = new Set('~nNtTfF0123456789+-.'.split('').map((c) => c.charCodeAt(0)));

/**
 * The value of a plain (unquoted) scalar under the YAML 1.2 core schema, as the `yaml` package
 * resolves it: null, boolean, integer (decimal, `0o` octal, `0x` hex), float (`.inf`, `.nan`, exponent
 * and decimal forms) or else the string itself.
 */
export function resolvePlainScalar(s: string): unknown {
  if (s === '') return null;
  if (!MAYBE_TYPED.has(s.charCodeAt(0))) return s;
  if (NULL.test(s)) return null;
  if (BOOL.test(s)) return s[0] === 't' || s[0] === 'T';
  if (INT_OCT.test(s)) return parseInt(s.slice(2), 8);
  if (INT.test(s)) return parseInt(s, 10);
  if (INT_HEX.test(s)) return parseInt(s.slice(2), 16);
  if (FLOAT_SPECIAL.test(s)) return s.slice(-3).toLowerCase() === 'nan' ? NaN : s[0] === '-' ? -Infinity : Infinity;
  if (FLOAT_EXP.test(s) || FLOAT.test(s)) return parseFloat(s);
  return s;
}
