/**
 * YAML as ArgoCD reads it where ArgoCD reads it: health-test inputs (`util/lua/health_test.go`) and argocd-cm
 * values go through `sigs.k8s.io/yaml`, that is go-yaml v2, which accepts two things the strict parser of the
 * gate rejects:
 * - quoted scalars over several lines whose continuation lines are not indented past their key (go-yaml does
 *   not check the indentation inside a quoted scalar; the line break folds into a space either way);
 * - a mapping with the same key twice (the last value wins).
 * Manifests keep the strict checks (they are findings there). Every reader here tries the strict parse first
 * and falls back to go-yaml's reading only for syntax errors, so limits still apply and the real parse error
 * is kept for the message when the fallback fails too.
 */
import { parseAllDocuments } from 'yaml';
import { parseYamlText, type YamlLimits } from '../manifests/yaml-doc.js';
import { nestingExcess, SAFE_PARSE_DEPTH } from '../manifests/yaml-guard.js';
import { isRecord } from '../core/values.js';

/**
 * Re-indents the continuation lines of multi-line quoted scalars so that they sit past the column of the line
 * that opened the scalar, which changes neither the value (leading blanks of continuation lines fold away) nor
 * any line number.
 * @returns the new text, or undefined when no line needed it
 */
export function reindentQuotedContinuations(text: string): string | undefined {
  const lines = text.split('\n');
  let quote: '"' | "'" | undefined;
  let minIndent = 0;
  let blockIndent = -1; // inside a block scalar: lines indented more than this belong to it
  let changed = false;
  for (let li = 0; li < lines.length; li++) {
    let line = lines[li]!;
    const indent = line.length - line.trimStart().length;
    if (quote) {
      if (line.trim() !== '' && indent < minIndent && !/^(---|\.\.\.)(\s|$)/.test(line)) {
        line = ' '.repeat(minIndent) + line.trimStart();
        lines[li] = line;
        changed = true;
      }
    } else if (blockIndent >= 0) {
      if (line.trim() === '' || indent > blockIndent) continue;
      blockIndent = -1;
    }
    let i = quote ? 0 : indent;
    // Where a quoted scalar may start: the start of the line's content, or after ": ", "- ", "[", "{", ",".
    let valueStart = !quote;
    while (i < line.length) {
      const ch = line[i]!;
      if (quote) {
        if (quote === "'" && ch === "'") {
          if (line[i + 1] === "'") i += 2;
          else {
            quote = undefined;
            i++;
          }
          continue;
        }
        if (quote === '"' && ch === '\\') {
          i += 2;
          continue;
        }
        if (quote === '"' && ch === '"') quote = undefined;
        i++;
        continue;
      }
      if (ch === '#' && (i === 0 || /\s/.test(line[i - 1]!))) break;
      if (valueStart && (ch === "'" || ch === '"')) {
        quote = ch;
        minIndent = indent + 1;
        i++;
        continue;
      }
      if (valueStart && (ch === '|' || ch === '>') && /^[|>][-+0-9]*\s*(#.*)?$/.test(line.slice(i))) {
        blockIndent = indent;
        break;
      }
      if (ch === ' ' || ch === '\t') {
        i++;
        continue;
      }
      valueStart = ch === '[' || ch === '{' || ch === ',' || ((ch === ':' || ch === '-' || ch === '?') && (i + 1 >= line.length || /\s/.test(line[i + 1]!)));
      i++;
    }
  }
  return changed ? lines.join('\n') : undefined;
}

/** An object read from YAML text, or why it could not be read. */
export type ArgoYamlObject = { value: Record<string, unknown>; lenient: boolean } | { error: string };

/**
 * Reads the first document of `text` as an object the way ArgoCD's test reads a health-test input
 * (sigs.k8s.io/yaml: go-yaml v2, first document only). The strict parse comes first; on a syntax error or a
 * duplicate key, go-yaml's reading is tried; when that fails too, the strict parser's error is returned.
 * @returns the object (with `lenient` when only go-yaml's reading accepts it), or the error with its line
 */
export function readArgoYamlObject(text: string, limits: YamlLimits): ArgoYamlObject {
  const strict = parseYamlText(text, limits);
  const first = strict.docs[0];
  const problem = strict.problems.find((p) => first === undefined || p.line >= first.startLine) ?? strict.problems[0];
  if (first && !first.broken) return isRecord(first.value) ? { value: first.value, lenient: false } : { error: `its first document is not a YAML object` };
  const error = problem ? `not valid YAML: ${problem.message} (line ${problem.line})` : 'no YAML document';
  if (!problem || (problem.kind !== 'yaml-syntax' && problem.kind !== 'yaml-duplicate-key') || nestingExcess(text, SAFE_PARSE_DEPTH)) return { error };
  try {
    const docs = parseAllDocuments(reindentQuotedContinuations(text) ?? text, { uniqueKeys: false, strict: false, merge: true, prettyErrors: false });
    const doc = Array.isArray(docs) ? docs[0] : docs;
    if (!doc || doc.errors.length) return { error };
    const value: unknown = doc.toJS({ maxAliasCount: limits.maxAliasCount });
    return isRecord(value) ? { value, lenient: true } : { error };
  } catch {
    return { error };
  }
}
