/**
 * Reads `health_test.yaml` suites in ArgoCD's layout. Keys match case-insensitively, as ArgoCD's
 * `util/lua/health_test.go` decodes them through encoding/json (apps.kruise.io/CloneSet writes `inputpath`).
 * A case without `message` expects "".
 */
import type { Position } from '../core/model.js';
import { parseYamlText } from '../manifests/yaml-doc.js';
import type { ConfigProblem, HealthTestCase } from './model.js';
import { isRecord } from '../core/values.js';
import { readPlainYaml } from './input-yaml.js';
import { SAFE_PARSE_DEPTH } from '../manifests/yaml-guard.js';


/** Looks a key up case-insensitively (encoding/json matching). */
export function field(o: Record<string, unknown>, name: string): unknown {
  if (name in o) return o[name];
  const k = Object.keys(o).find((x) => x.toLowerCase() === name.toLowerCase());
  return k === undefined ? undefined : o[k];
}

/** A path with an empty, `.` or `..` segment (or a leading or trailing slash). */
const SPECIAL_SEGMENT = /(^|\/)\.{0,2}(\/|$)/;

/** Joins a relative path onto a directory and normalises `.` and `..`. */
export function joinPath(dir: string, rel: string): string {
  // The common case (testdata/x.yaml under a clean directory) needs no normalising.
  if (!SPECIAL_SEGMENT.test(rel) && !SPECIAL_SEGMENT.test(dir)) return dir && rel ? `${dir}/${rel}` : dir || rel;
  const out: string[] = [];
  for (const seg of [...(dir ? dir.split('/') : []), ...rel.split('/')]) {
    if (seg === '' || seg === '.') continue;
    if (seg === '..') out.pop();
    else out.push(seg);
  }
  return out.join('/');
}

/**
 * Parses a suite. Inputs are read by the caller: cases come back with `input` set to an error until then.
 * @returns the cases and the problems of the suite file (each with its line)
 */
export function parseSuite(file: string, text: string): { cases: HealthTestCase[]; problems: ConfigProblem[] } {
  const bad = (pos: Position, message: string): ConfigProblem => ({ rule: 'health-test-invalid', file, pos, subject: file, key: `${pos.line}`, message, fix: 'Write tests: [{healthStatus: {status, message}, inputPath}] as in ArgoCD\'s resource_customizations.' });
  // Plain suites (nearly all) are read by the line reader, their item lines found by scanning the text; any
  // other suite, or one whose items the scan cannot place, is parsed in full.
  const plain = readPlainYaml(text, SAFE_PARSE_DEPTH - 2);
  if (plain) {
    const tests = field(plain, 'tests');
    const testsKey = Object.keys(plain).find((k) => k.toLowerCase() === 'tests');
    const lines = Array.isArray(tests) && testsKey !== undefined ? itemLines(text, testsKey) : [];
    if (Array.isArray(tests) && lines.length === tests.length) return suiteCases(file, tests, (i) => ({ line: lines[i]!, column: 1 }), bad);
  }
  const parsed = parseYamlText(text);
  const first = parsed.problems[0];
  if (first) return { cases: [], problems: [bad({ line: first.line, column: first.column }, `${file} is not valid YAML: ${first.message}`)] };
  const doc = parsed.docs[0];
  if (!doc || !isRecord(doc.value)) return { cases: [], problems: [bad({ line: 1, column: 1 }, `${file} holds no tests mapping`)] };
  const tests = field(doc.value, 'tests');
  if (!Array.isArray(tests)) return { cases: [], problems: [bad({ line: 1, column: 1 }, `${file} has no "tests" list`)] };
  const testsKey = Object.keys(doc.value).find((k) => k.toLowerCase() === 'tests')!;
  // Item lines from the text when it is plain block YAML (cheap); else from the parser's positions.
  const lines = itemLines(text, testsKey);
  const scanned = lines.length === tests.length;
  return suiteCases(file, tests, (index) => (scanned ? { line: lines[index]!, column: 1 } : doc.pos([testsKey, index])), bad);
}

/** The cases of a suite's `tests` list (`pos`: where item `i` starts). */
function suiteCases(file: string, tests: unknown[], pos: (i: number) => Position, bad: (pos: Position, message: string) => ConfigProblem): { cases: HealthTestCase[]; problems: ConfigProblem[] } {
  const cases: HealthTestCase[] = [];
  const problems: ConfigProblem[] = [];
  tests.forEach((t, index) => {
    const at = pos(index);
    const hs = isRecord(t) ? field(t, 'healthStatus') : undefined;
    const inputPath = isRecord(t) ? field(t, 'inputPath') : undefined;
    const status = isRecord(hs) ? field(hs, 'status') : undefined;
    const message = isRecord(hs) ? field(hs, 'message') : undefined;
    if (typeof inputPath !== 'string' || typeof status !== 'string' || (message !== undefined && message !== null && typeof message !== 'string')) {
      problems.push(bad(at, `${file}: test ${index + 1} needs inputPath and healthStatus.status as strings (and message, when given, as a string)`));
      return;
    }
    cases.push({ file, line: at.line, index, inputPath, expected: { status, message: typeof message === 'string' ? message : '' }, input: { error: 'not read' } });
  });
  return { cases, problems };
}

/**
 * The lines of the items of the top-level block sequence under `key` (`- ` at one indentation), found by
 * scanning the text; a count that does not match the parsed list means the scan does not apply.
 */
function itemLines(text: string, key: string): number[] {
  const lines = text.split('\n');
  const start = lines.findIndex((l) => l.startsWith(`${key}:`) && /^[^:]+:\s*(#.*)?$/.test(l));
  if (start < 0) return [];
  const out: number[] = [];
  let indent: number | undefined;
  for (let i = start + 1; i < lines.length; i++) {
    const l = lines[i]!;
    const body = l.trimStart();
    if (body === '' || body.startsWith('#')) continue;
    const at = l.length - body.length;
    if (indent === undefined) {
      if (!body.startsWith('-')) return [];
      indent = at;
    }
    if (at < indent || (at === indent && !body.startsWith('-'))) break;
    if (at === indent && /^-(\s|$)/.test(body)) out.push(i + 1);
  }
  return out;
}
