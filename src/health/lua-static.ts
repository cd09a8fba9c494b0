/**
 * Static checks of a health script: it must parse as the Lua ArgoCD runs (gopher-lua: Lua 5.1 plus
 * `goto` and `;` empty statements), must not use libraries that are off without useOpenLibs, and its
 * literal statuses must be valid. Parsing uses luaparse in LuaJIT mode (Lua 5.1 with `goto`), which also
 * rejects what gopher-lua rejects: `//`, bitwise operators, `<const>` (argocd-semantics.md 1.4 C4, 2.2).
 */
import luaparse from 'luaparse';
import type { Position } from '../core/model.js';

/** ArgoCD's valid health statuses (`util/lua/lua.go` isValidHealthStatusCode). */
export const VALID_STATUSES = ['Healthy', 'Progressing', 'Degraded', 'Suspended', 'Missing', 'Unknown'] as const;

/** Libraries that are nil in ArgoCD when useOpenLibs is false (argocd-semantics.md 2.2, verified). */
const CLOSED_LIBS = new Set(['string', 'math', 'os', 'io', 'debug', 'coroutine', 'channel']);
/** Functions of Lua's string library, used as methods (`s:find(...)`). */
const STRING_METHODS = new Set(['byte', 'char', 'find', 'format', 'gmatch', 'gsub', 'len', 'lower', 'match', 'rep', 'reverse', 'sub', 'upper', 'gfind']);
/** Functions that exist in Lua 5.3/5.4 but not in gopher-lua. */
const NEWER_FUNCTIONS: Record<string, string> = {
  'table.unpack': 'use unpack (Lua 5.1)',
  'table.move': 'copy the elements in a loop',
  'math.type': 'use type() and math.floor',
  'math.tointeger': 'use math.floor',
  'utf8': 'gopher-lua has no utf8 library',
};

/** One static problem, with its line inside the script (1-based). */
export interface LuaProblem {
  rule: 'lua-syntax-error' | 'lua-stdlib-disabled' | 'lua-dialect-difference' | 'lua-invalid-status-value' | 'lua-no-status-return' | 'lua-global-maybe-nil';
  /** Position inside the script. */
  pos: Position;
  message: string;
  fix: string;
  /** Fingerprint discriminator. */
  key: string;
}

type AnyNode = { type: string; loc?: { start: { line: number; column: number } }; [k: string]: unknown };

function posOf(n: AnyNode): Position {
  return n.loc ? { line: n.loc.start.line, column: n.loc.start.column + 1 } : { line: 1, column: 1 };
}

/**
 * Parses as gopher-lua does. luaparse rejects the empty statement `;` that gopher-lua accepts, so a
 * `;` the parser trips on is blanked and parsing is retried.
 */
export function parseGopherLua(script: string): { ast?: AnyNode; error?: { pos: Position; message: string } } {
  let r = parsed.get(script);
  if (!r) {
    if (parsed.size >= PARSED_MAX) parsed.clear();
    parsed.set(script, (r = parseUncached(script)));
  }
  return r;
}

/** Parses by script text: the static checks and {@link rewriteConcat} read the same parse (treat it as read-only). */
const parsed = new Map<string, { ast?: AnyNode; error?: { pos: Position; message: string } }>();
const PARSED_MAX = 2000;

function parseUncached(script: string): { ast?: AnyNode; error?: { pos: Position; message: string } } {
  const ranges = true;
  let text = script;
  for (let attempt = 0; attempt < 50; attempt++) {
    try {
      return { ast: luaparse.parse(text, { luaVersion: 'LuaJIT', locations: true, scope: true, comments: false, ranges }) as unknown as AnyNode };
    } catch (e) {
      const err = e as { index?: number; line?: number; column?: number; message?: string };
      if (typeof err.index === 'number' && text[err.index] === ';') {
        text = `${text.slice(0, err.index)} ${text.slice(err.index + 1)}`;
        continue;
      }
      const message = String(err.message ?? e).replace(/^\[\d+:\d+\]\s*/, '');
      return { error: { pos: { line: err.line ?? 1, column: (err.column ?? 0) + 1 }, message } };
    }
  }
  return { error: { pos: { line: 1, column: 1 }, message: 'too many empty statements' } };
}

/**
 * Visits every node under `n` (a node or a list of them) in pre-order, with its parent. The static checks
 * and {@link rewriteConcat} walk each parse several times, so the order of a tree walked from its top is
 * kept (by the tree's root object, which callers treat as read-only).
 */
function walk(n: unknown, visit: (n: AnyNode, parent?: AnyNode) => void, parent?: AnyNode): void {
  if (!n || typeof n !== 'object') return;
  let flat = parent === undefined ? walked.get(n) : undefined;
  if (!flat) {
    flat = [];
    collect(n, flat, undefined);
    if (parent === undefined) walked.set(n, flat);
  }
  for (let i = 0; i < flat.length; i += 2) visit(flat[i]!, (flat[i + 1] as AnyNode | undefined) ?? parent);
}

/** Pre-order walks by the object walked from (node, parent, node, parent, ...). */
const walked = new WeakMap<object, (AnyNode | undefined)[]>();

function collect(n: unknown, out: (AnyNode | undefined)[], parent: AnyNode | undefined): void {
  if (Array.isArray(n)) {
    for (const x of n) if (x && typeof x === 'object') collect(x, out, parent);
    return;
  }
  if (!n || typeof n !== 'object' || typeof (n as AnyNode).type !== 'string') return;
  const node = n as AnyNode;
  out.push(node, parent);
  eachChild(node, (v) => collect(v, out, node));
}

/** Calls `f` with each child of a node (nodes and lists of them; positions left out). */
function eachChild(node: AnyNode, f: (child: object) => void): void {
  for (const k in node) {
    if (k === 'loc' || k === 'range') continue;
    const v = node[k];
    if (v && typeof v === 'object') f(v);
  }
}

/** The globals a statement assigns: the names of an assignment's global targets, or of a global function it declares. */
function assignedGlobals(n: AnyNode): string[] {
  if (n.type === 'AssignmentStatement') return (n.variables as AnyNode[]).filter((v) => v.type === 'Identifier' && !v.isLocal).map((v) => v.name as string);
  if (n.type === 'FunctionDeclaration' && !n.isLocal && (n.identifier as AnyNode | null)?.type === 'Identifier') return [(n.identifier as AnyNode).name as string];
  return [];
}

/** The name a call calls when it calls a function by its plain name (`f(x)`, `f "x"`, `f {x}`). */
function calledName(n: AnyNode): string | undefined {
  if (n.type !== 'CallExpression' && n.type !== 'StringCallExpression' && n.type !== 'TableCallExpression') return undefined;
  const base = n.base as AnyNode | undefined;
  return base?.type === 'Identifier' ? (base.name as string) : undefined;
}

/** Runs every static check on a script. `useOpenLibs` is ArgoCD's setting for the script's kind. */
export function analyzeLua(script: string, useOpenLibs: boolean): LuaProblem[] {
  const parsed = parseGopherLua(script);
  if (parsed.error) {
    return [{ rule: 'lua-syntax-error', pos: parsed.error.pos, key: 'syntax', message: `the script does not compile as ArgoCD's Lua (gopher-lua, Lua 5.1 with goto): ${parsed.error.message}`, fix: 'Fix the syntax; Lua 5.3+ constructs such as //, bitwise operators and <const> do not exist in ArgoCD\'s Lua.' }];
  }
  const out: LuaProblem[] = [];
  let returns = 0;
  walk(parsed.ast, (n) => {
    if (n.type === 'ReturnStatement') returns++;
    if (n.type === 'MemberExpression') {
      const base = n.base as AnyNode;
      const id = (n.identifier as AnyNode).name as string;
      if (base.type === 'Identifier' && !base.isLocal) {
        const lib = base.name as string;
        const full = `${lib}.${id}`;
        if (NEWER_FUNCTIONS[full] || NEWER_FUNCTIONS[lib]) {
          out.push({ rule: 'lua-dialect-difference', pos: posOf(n), key: full, message: `${full} exists in newer Lua but not in ArgoCD's gopher-lua (Lua 5.1): the script fails in ArgoCD.`, fix: NEWER_FUNCTIONS[full] ?? NEWER_FUNCTIONS[lib]! });
        } else if (!useOpenLibs && CLOSED_LIBS.has(lib) && n.indexer === '.') {
          const osHint = lib === 'os' ? ' (or use local os = require("os"), which gives os.time and os.date)' : '';
          out.push({ rule: 'lua-stdlib-disabled', pos: posOf(n), key: full, message: `${full}: the global "${lib}" is nil in ArgoCD when useOpenLibs is off for this kind, so the call fails at runtime and the resource's health becomes Unknown.`, fix: `Set resource.customizations.useOpenLibs.<group>_<Kind>: "true" for this kind${osHint}, or avoid the ${lib} library.` });
        }
      }
      if (!useOpenLibs && n.indexer === ':' && STRING_METHODS.has(id)) {
        out.push({ rule: 'lua-stdlib-disabled', pos: posOf(n), key: `:${id}`, message: `:${id}(...) is a string method; strings have no methods in ArgoCD when useOpenLibs is off ("attempt to index a non-table object(string)").`, fix: 'Set useOpenLibs to "true" for this kind, or avoid string methods.' });
      }
    }
    if (n.type === 'StringLiteral') {
      const raw = String(n.raw ?? '');
      if (/\\x[0-9a-fA-F]{2}|\\u\{/.test(raw) && !/^\[=*\[/.test(raw)) {
        out.push({ rule: 'lua-dialect-difference', pos: posOf(n), key: `escape:${raw}`, message: `the string ${raw.slice(0, 40)} uses a \\x or \\u{} escape, which Lua 5.1 (ArgoCD) does not decode: it stays literal text there.`, fix: 'Use decimal escapes (\\65) or plain text.' });
      }
    }
  });
  for (const status of returnedStatusLiterals(parsed.ast!)) {
    if ((VALID_STATUSES as readonly string[]).includes(status.value)) continue;
    out.push({ rule: 'lua-invalid-status-value', pos: status.pos, key: `status:${status.value}`, message: `status "${status.value}" is not one of ${VALID_STATUSES.join(', ')} (case-sensitive), and the table holding it is returned: ArgoCD reports Unknown "Lua returned an invalid health status", and waves holding the resource stall.`, fix: `Use one of ${VALID_STATUSES.join(', ')}${closestStatus(status.value)}.` });
  }
  for (const g of globalsMaybeNil(parsed.ast!)) {
    out.push({ rule: 'lua-global-maybe-nil', pos: g.pos, key: `global:${g.name}`, message: `the global "${g.name}" is ${g.use} here, but it is assigned only on some paths before this point: where it was not, it is nil and the script fails ("${g.use === 'concatenated' ? 'cannot perform concat operation between string and nil' : 'attempt to use a nil value'}"), and the resource's health becomes Unknown.`, fix: `Give ${g.name} a value before the branches (local ${g.name} = "" or a default), or guard the use with if ${g.name} ~= nil.` });
  }
  if (returns === 0) {
    out.push({ rule: 'lua-no-status-return', pos: { line: 1, column: 1 }, key: 'no-return', message: 'the script never returns: ArgoCD gets no result and sets the empty health status, which never lets a sync wave complete.', fix: 'End every path with return hs, where hs holds a valid status.' });
  }
  return out;
}

/** How a path through statements ends for a table held in a variable. */
type Flow = 'returned' | 'overwritten' | 'falls';

/** A statement list and the index to continue at, once a nested block falls through its end. */
interface Frame {
  body: AnyNode[];
  next: number;
}

const isName = (n: AnyNode | undefined, name: string) => n?.type === 'Identifier' && n.name === name;

/** What one statement does to the table held in `name` whose `.status` was just set. */
function statementFlow(st: AnyNode, name: string): Flow {
  switch (st.type) {
    case 'AssignmentStatement':
    case 'LocalStatement': {
      const vars = (st.variables as AnyNode[]) ?? [];
      const rebinds = vars.some((v) => isName(v, name) || (v.type === 'MemberExpression' && isName(v.base as AnyNode, name) && (v.identifier as AnyNode).name === 'status'));
      return rebinds ? 'overwritten' : 'falls';
    }
    case 'ReturnStatement':
      // A return of another value ends the path without this table: as safe as an overwrite.
      return ((st.arguments as AnyNode[]) ?? []).some((a) => isName(a, name)) ? 'returned' : 'overwritten';
    case 'IfStatement': {
      const clauses = st.clauses as AnyNode[];
      const flows = clauses.map((c) => blockFlow(c.body as AnyNode[], 0, name));
      if (flows.includes('returned')) return 'returned';
      const hasElse = clauses.some((c) => c.type === 'ElseClause');
      return hasElse && flows.every((f) => f === 'overwritten') ? 'overwritten' : 'falls';
    }
    case 'DoStatement':
    case 'RepeatStatement':
      return blockFlow(st.body as AnyNode[], 0, name);
    case 'WhileStatement':
    case 'ForNumericStatement':
    case 'ForGenericStatement':
      // The body may not run: only a return inside it counts.
      return blockFlow(st.body as AnyNode[], 0, name) === 'returned' ? 'returned' : 'falls';
    default:
      return 'falls';
  }
}

function blockFlow(body: AnyNode[], from: number, name: string): Flow {
  for (let i = from; i < body.length; i++) {
    const f = statementFlow(body[i]!, name);
    if (f !== 'falls') return f;
  }
  return 'falls';
}

/**
 * True when, after the statement at `index` of `body`, some path returns the table in `name` before its
 * `.status` (or the variable) is set again; the enclosing blocks (`outer`) continue a path that falls through.
 */
function reachesReturn(body: AnyNode[], index: number, outer: readonly Frame[], name: string): boolean {
  let f = blockFlow(body, index + 1, name);
  for (let k = outer.length - 1; f === 'falls' && k >= 0; k--) f = blockFlow(outer[k]!.body, outer[k]!.next, name);
  return f === 'returned';
}

function statusField(t: AnyNode | undefined): AnyNode | undefined {
  if (t?.type !== 'TableConstructorExpression') return undefined;
  const f = (t.fields as AnyNode[]).find((x) => x.type === 'TableKeyString' && (x.key as AnyNode).name === 'status' && (x.value as AnyNode).type === 'StringLiteral');
  return f?.value as AnyNode | undefined;
}

/**
 * The literal statuses a script can return: `{status = "..."}` in a return statement, and a literal set on a
 * table (`t.status = "..."`, `local t = {status = "..."}`) that some path then returns before setting it again.
 * Literals on helper tables that are never returned, or overwritten before the return, are left out, as ArgoCD
 * only reads the returned table (util/lua/lua.go ExecuteHealthLua).
 */
export function returnedStatusLiterals(ast: AnyNode): { value: string; pos: Position }[] {
  const out: { value: string; pos: Position }[] = [];
  const seen = new Set<AnyNode>();
  const lit = (n: AnyNode) => {
    if (!seen.has(n)) out.push({ value: literalValue(n), pos: posOf(n) });
    seen.add(n);
  };
  const functions: AnyNode[] = [];
  const visitBody = (body: AnyNode[], outer: Frame[]) => {
    body.forEach((st, i) => {
      if (st.type === 'ReturnStatement') {
        for (const a of st.arguments as AnyNode[]) {
          const f = statusField(a);
          if (f) lit(f);
        }
      }
      if (st.type === 'AssignmentStatement' || st.type === 'LocalStatement') {
        const vars = st.variables as AnyNode[];
        const inits = (st.init as AnyNode[]) ?? [];
        vars.forEach((v, j) => {
          const init = inits[j];
          if (v.type === 'MemberExpression' && (v.identifier as AnyNode).name === 'status' && init?.type === 'StringLiteral' && (v.base as AnyNode).type === 'Identifier') {
            if (reachesReturn(body, i, outer, (v.base as AnyNode).name as string)) lit(init);
          }
          const f = statusField(init);
          if (f && v.type === 'Identifier' && reachesReturn(body, i, outer, v.name as string)) lit(f);
        });
      }
      const inner = [...outer, { body, next: i + 1 }];
      // Nested blocks continue into the rest of this one.
      if (st.type === 'IfStatement') for (const c of st.clauses as AnyNode[]) visitBody(c.body as AnyNode[], inner);
      if (['DoStatement', 'WhileStatement', 'RepeatStatement', 'ForNumericStatement', 'ForGenericStatement'].includes(st.type)) visitBody(st.body as AnyNode[], inner);
    });
  };
  visitBody(ast.body as AnyNode[], []);
  // Function bodies start a path of their own.
  walk(ast, (n) => {
    if (n.type === 'FunctionDeclaration') functions.push(n);
  });
  for (const f of functions) visitBody(f.body as AnyNode[], []);
  return out;
}

function literalValue(n: AnyNode): string {
  if (typeof n.value === 'string' && n.value !== '') return n.value;
  const raw = String(n.raw ?? '');
  return raw.replace(/^(["'])(.*)\1$/s, '$2').replace(/^\[=*\[(.*)\]=*\]$/s, '$1');
}

function closestStatus(s: string): string {
  const hit = VALID_STATUSES.find((v) => v.toLowerCase() === s.toLowerCase());
  if (hit) return ` (write "${hit}")`;
  const map: Record<string, string> = { Ready: 'Healthy', Running: 'Healthy', Pending: 'Progressing', Failed: 'Degraded', Error: 'Degraded' };
  return map[s] ? ` (probably "${map[s]}")` : '';
}

/** The name of the concatenation function the rewritten chunk receives (lua-prelude.lua `cat`). */
const CAT = '__gg_cat';

/** Index of the `..` operator in `text` from `from`, skipping blanks, closing parentheses and comments. */
function concatToken(text: string, from: number, to: number): number {
  let i = from;
  while (i < to) {
    if (text.startsWith('..', i)) return i;
    if (text.startsWith('--', i)) {
      const long = /^--\[(=*)\[/.exec(text.slice(i, i + 64));
      if (long) {
        const end = text.indexOf(`]${long[1]}]`, i);
        i = end < 0 ? to : end + long[1]!.length + 2;
      } else {
        const nl = text.indexOf('\n', i);
        i = nl < 0 ? to : nl + 1;
      }
      continue;
    }
    i++;
  }
  return -1;
}

/**
 * Rewrites every `a .. b` of a script into `__gg_cat(a, b)`, and binds `__gg_cat` to the chunk's first
 * argument, so the prelude's concatenation (numbers as gopher-lua prints them, gopher-lua's error for a nil
 * operand) replaces Lua 5.4's. Only text on a line is inserted: line numbers of errors do not change.
 * A script luaparse cannot read is left as it is (the syntax check reports it).
 * @returns the source to compile, taking its concatenation function as the chunk's first argument (`...`)
 */
export function rewriteConcat(script: string): string {
  const prefix = `local ${CAT} = ...; `;
  if (!script.includes('..')) return prefix + script;
  const parsed = parseGopherLua(script);
  if (!parsed.ast) return prefix + script;
  const edits: { at: number; remove: number; text: string }[] = [];
  let ok = true;
  walk(parsed.ast, (n) => {
    if (n.type !== 'BinaryExpression' || n.operator !== '..') return;
    const range = n.range as [number, number];
    const left = (n.left as AnyNode).range as [number, number];
    const right = (n.right as AnyNode).range as [number, number];
    const op = concatToken(script, left[1], right[0]);
    if (op < 0) {
      ok = false;
      return;
    }
    edits.push({ at: range[0], remove: 0, text: `${CAT}(` }, { at: op, remove: 2, text: ',' }, { at: range[1], remove: 0, text: ')' });
  });
  if (!ok) return prefix + script;
  // Applied in one pass from the start. At one position, insertions come before the operator they precede,
  // the last made first (the order of applying the edits one by one from the end of the text).
  const order = new Map(edits.map((e, i) => [e, i]));
  edits.sort((a, b) => a.at - b.at || a.remove - b.remove || order.get(b)! - order.get(a)!);
  const parts = [prefix];
  let from = 0;
  for (const e of edits) {
    parts.push(script.slice(from, e.at), e.text);
    from = e.at + e.remove;
  }
  parts.push(script.slice(from));
  return parts.join('');
}

/** Globals a flow may leave unassigned: `undefined` stands for an unreachable point (after return, break, goto). */
type Defined = Set<string> | undefined;

const union = (a: Defined, b: Iterable<string>): Defined => (a === undefined ? undefined : new Set([...a, ...b]));
function meet(states: Defined[]): Defined {
  const live = states.filter((x): x is Set<string> => x !== undefined);
  if (live.length === 0) return undefined;
  return new Set([...live[0]!].filter((g) => live.every((x) => x.has(g))));
}

/** Names a condition proves non-nil when it is true (`truthy`) or false. */
function narrowed(c: AnyNode | undefined, truthy: boolean): string[] {
  if (!c) return [];
  const global = (n: AnyNode | undefined): string | undefined => {
    if (n?.type === 'Identifier' && !n.isLocal) return n.name as string;
    if (n?.type === 'MemberExpression' || n?.type === 'IndexExpression') return global(n.base as AnyNode);
    return undefined;
  };
  if (c.type === 'UnaryExpression' && c.operator === 'not') return narrowed(c.argument as AnyNode, !truthy);
  if (c.type === 'LogicalExpression') {
    if (c.operator === 'and' && truthy) return [...narrowed(c.left as AnyNode, true), ...narrowed(c.right as AnyNode, true)];
    if (c.operator === 'or' && !truthy) return [...narrowed(c.left as AnyNode, false), ...narrowed(c.right as AnyNode, false)];
    return [];
  }
  if (c.type === 'BinaryExpression' && (c.operator === '~=' || c.operator === '==')) {
    const [l, r] = [c.left as AnyNode, c.right as AnyNode];
    const other = l.type === 'NilLiteral' ? r : r.type === 'NilLiteral' ? l : undefined;
    if (other && (c.operator === '~=') === truthy) {
      const g = global(other);
      return g ? [g] : [];
    }
    if (!other && truthy && c.operator === '==') return [global(l), global(r)].filter((x): x is string => x !== undefined);
    return [];
  }
  if (truthy) {
    const g = global(c);
    return g ? [g] : [];
  }
  return [];
}

const ARITH = new Set(['+', '-', '*', '/', '%', '^', '<', '<=', '>', '>=']);

/** Visits the nodes of an expression, not entering function bodies (they run when called). */
function walkExpression(n: unknown, visit: (n: AnyNode) => void): void {
  if (Array.isArray(n)) {
    for (const x of n) walkExpression(x, visit);
    return;
  }
  if (!n || typeof n !== 'object' || typeof (n as AnyNode).type !== 'string') return;
  const node = n as AnyNode;
  if (node.type === 'FunctionDeclaration') return;
  visit(node);
  eachChild(node, (v) => walkExpression(v, visit));
}

/**
 * The globals each named function of the script may assign when called: those its body assigns anywhere,
 * and those of the script's functions it calls (to any depth). A call is then taken to assign them all, so a
 * global set by a helper such as `checkReplicasStatus(obj)` before its use is not reported (ArgoCD's
 * spot.io/SpotDeployment check does this).
 */
function functionAssignments(ast: AnyNode): Map<string, Set<string>> {
  const own = new Map<string, { assigns: Set<string>; calls: Set<string> }>();
  walk(ast, (n) => {
    if (n.type !== 'FunctionDeclaration' || (n.identifier as AnyNode | null)?.type !== 'Identifier') return;
    const fx = { assigns: new Set<string>(), calls: new Set<string>() };
    walk(n.body, (m) => {
      for (const g of assignedGlobals(m)) fx.assigns.add(g);
      const called = calledName(m);
      if (called !== undefined) fx.calls.add(called);
    });
    own.set((n.identifier as AnyNode).name as string, fx);
  });
  const out = new Map<string, Set<string>>();
  for (const name of own.keys()) {
    const all = new Set<string>();
    const seen = new Set<string>();
    const visit = (f: string): void => {
      if (seen.has(f)) return;
      seen.add(f);
      const fx = own.get(f);
      if (!fx) return;
      for (const g of fx.assigns) all.add(g);
      for (const c of fx.calls) visit(c);
    };
    visit(name);
    if (all.size) out.set(name, all);
  }
  return out;
}

/**
 * Globals the script assigns only on some paths and then uses where nil fails (concatenation, arithmetic,
 * comparison by order, indexing, calling, `#`) on a path where no assignment happened. Flow-sensitive over
 * if/elseif/else, loops (a body may not run), returns, and conditions that test the global (`x ~= nil`, `x and`).
 * A call to one of the script's own functions counts as assigning every global that function may assign (see
 * {@link functionAssignments}): a finding must hold on every reading. Reads inside function bodies are not
 * judged (they run when called). One finding per global.
 */
export function globalsMaybeNil(ast: AnyNode): { name: string; pos: Position; use: string }[] {
  const assigned = new Set<string>();
  walk(ast, (n) => {
    for (const g of assignedGlobals(n)) assigned.add(g);
  });
  const out: { name: string; pos: Position; use: string }[] = [];
  const reported = new Set<string>();
  if (assigned.size === 0) return out;
  const callEffects = functionAssignments(ast);
  /** `state` with what the script's own functions called in `e` may assign (a call counts as assigning them). */
  const afterCalls = (e: AnyNode | undefined | null, state: Defined): Defined => {
    if (!e || state === undefined || callEffects.size === 0) return state;
    const names: string[] = [];
    walkExpression(e, (n) => {
      const called = calledName(n);
      if (called !== undefined) names.push(...(callEffects.get(called) ?? []));
    });
    return names.length ? union(state, names) : state;
  };

  /** Judges the reads of an expression under `state`; `use` says how the value is used when it is a bare name. */
  const expr = (n: AnyNode | undefined | null, state: Defined, use?: string): void => {
    if (!n || state === undefined) return;
    switch (n.type) {
      case 'Identifier':
        if (use && !n.isLocal && assigned.has(n.name as string) && !state.has(n.name as string) && !reported.has(n.name as string)) {
          reported.add(n.name as string);
          out.push({ name: n.name as string, pos: posOf(n), use });
        }
        return;
      case 'FunctionDeclaration':
        return; // runs when called
      case 'BinaryExpression': {
        const op = n.operator as string;
        const u = op === '..' ? 'concatenated' : ARITH.has(op) ? 'used in arithmetic or an order comparison' : undefined;
        expr(n.left as AnyNode, state, u);
        expr(n.right as AnyNode, state, u);
        return;
      }
      case 'LogicalExpression':
        expr(n.left as AnyNode, state);
        expr(n.right as AnyNode, union(state, narrowed(n.left as AnyNode, n.operator === 'and')));
        return;
      case 'UnaryExpression':
        expr(n.argument as AnyNode, state, n.operator === 'not' ? undefined : n.operator === '#' ? 'measured with #' : 'used in arithmetic or an order comparison');
        return;
      case 'MemberExpression':
      case 'IndexExpression':
        expr(n.base as AnyNode, state, 'indexed');
        if (n.type === 'IndexExpression') expr(n.index as AnyNode, state);
        return;
      case 'CallExpression':
      case 'StringCallExpression':
      case 'TableCallExpression':
        expr(n.base as AnyNode, state, 'called');
        for (const a of (n.arguments as AnyNode[] | AnyNode | undefined) ? ([] as AnyNode[]).concat(n.arguments as AnyNode) : []) expr(a, state);
        return;
      case 'TableConstructorExpression':
        for (const f of n.fields as AnyNode[]) {
          if (f.type === 'TableKey') expr(f.key as AnyNode, state);
          expr(f.value as AnyNode, state);
        }
        return;
      default:
        return;
    }
  };

  const block = (body: AnyNode[], state: Defined): Defined => {
    const start = state;
    for (const st of body) state = statement(st, state, start);
    return state;
  };
  const statement = (st: AnyNode, state: Defined, blockStart: Defined): Defined => {
    if (st.type === 'LabelStatement') return state === undefined ? blockStart : meet([state, blockStart]);
    if (state === undefined) return undefined;
    switch (st.type) {
      case 'LocalStatement':
        for (const e of (st.init as AnyNode[]) ?? []) {
          expr(e, state);
          state = afterCalls(e, state);
        }
        return state;
      case 'AssignmentStatement': {
        for (const e of st.init as AnyNode[]) {
          expr(e, state);
          state = afterCalls(e, state);
        }
        // A target that is not a plain name (t.x, t[k]) reads its table first.
        for (const v of st.variables as AnyNode[]) if (v.type !== 'Identifier') expr(v, state);
        return union(state, assignedGlobals(st));
      }
      case 'CallStatement':
        expr(st.expression as AnyNode, state);
        return afterCalls(st.expression as AnyNode, state);
      case 'FunctionDeclaration':
        return union(state, assignedGlobals(st));
      case 'ReturnStatement':
        for (const e of st.arguments as AnyNode[]) expr(e, state);
        return undefined;
      case 'BreakStatement':
      case 'GotoStatement':
        return undefined;
      case 'DoStatement':
        return block(st.body as AnyNode[], state);
      case 'IfStatement': {
        const outs: Defined[] = [];
        let rest: Defined = state;
        let hasElse = false;
        for (const c of st.clauses as AnyNode[]) {
          if (c.type === 'ElseClause') {
            hasElse = true;
            outs.push(block(c.body as AnyNode[], rest));
            continue;
          }
          expr(c.condition as AnyNode, rest);
          rest = afterCalls(c.condition as AnyNode, rest);
          outs.push(block(c.body as AnyNode[], union(rest, narrowed(c.condition as AnyNode, true))));
          rest = union(rest, narrowed(c.condition as AnyNode, false));
        }
        if (!hasElse) outs.push(rest);
        return meet(outs);
      }
      case 'WhileStatement':
        expr(st.condition as AnyNode, state);
        block(st.body as AnyNode[], union(state, narrowed(st.condition as AnyNode, true)));
        return union(state, narrowed(st.condition as AnyNode, false));
      case 'RepeatStatement': {
        const after = block(st.body as AnyNode[], state);
        expr(st.condition as AnyNode, after);
        // A break inside leaves with the state at its point: keep only what held before the loop then.
        return after === undefined ? state : after;
      }
      case 'ForNumericStatement':
        expr(st.start as AnyNode, state);
        expr(st.end as AnyNode, state);
        expr(st.step as AnyNode, state);
        block(st.body as AnyNode[], state);
        return state;
      case 'ForGenericStatement':
        for (const e of st.iterators as AnyNode[]) expr(e, state);
        block(st.body as AnyNode[], state);
        return state;
      default:
        return state;
    }
  };
  block(ast.body as AnyNode[], new Set());
  return out;
}
