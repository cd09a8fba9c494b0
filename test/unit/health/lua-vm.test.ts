/** The Lua VM reproduces ArgoCD's environment and result rules, and stops hostile scripts. */
import { existsSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { argoHealth, type LuaRunRequest } from '../../../src/health/lua-vm.js';
import { runHealthLua } from '../../../src/health/lua-run.js';

const run = (script: string, obj: unknown = {}, o: Partial<LuaRunRequest> = {}) =>
  runHealthLua({ script, obj, useOpenLibs: false, timeoutMs: 1000, memoryBytes: 32 * 1024 * 1024, ...o });

describe('ArgoCD result rules (util/lua/lua.go ExecuteHealthLua)', () => {
  it('passes a valid status and message through', async () => {
    const r = await run('return {status = "Degraded", message = "broken"}');
    expect(r).toEqual({ kind: 'ok', status: 'Degraded', message: 'broken' });
    expect(argoHealth(r)).toEqual({ status: 'Degraded', message: 'broken' });
  });
  it('turns an unknown or missing status into Unknown "Lua returned an invalid health status"', async () => {
    for (const s of ['return {status = "Ready"}', 'return {status = "healthy"}', 'return {message = "x"}']) {
      const r = await run(s);
      expect(r.kind).toBe('invalid');
      expect(argoHealth(r)).toEqual({ status: 'Unknown', message: 'Lua returned an invalid health status' });
    }
  });
  it('gives the empty status for nil, no return, an empty table, an array and non-string fields', async () => {
    expect((await run('return nil')).kind).toBe('nil');
    expect((await run('x = 1')).kind).toBe('nil');
    for (const s of ['return {}', 'return {"Healthy"}', 'return {status = 1}', 'return {status = "Healthy", message = 2}']) {
      const r = await run(s);
      expect(r.kind, s).toBe('empty');
      expect(argoHealth(r)).toEqual({ status: '', message: '' });
    }
  });
  it('is an error when the result is not a table', async () => {
    expect(await run('return "Healthy"')).toEqual({ kind: 'error', error: 'expect table output from Lua script, not string' });
    expect(await run('return 1')).toEqual({ kind: 'error', error: 'expect table output from Lua script, not number' });
  });
  it('reports Lua errors with the script line', async () => {
    const r = await run('local x = 1\nreturn {status = obj.status.phase}');
    expect(r.kind).toBe('error');
    expect(argoHealth(r).status).toBe('Unknown');
    expect(r.kind === 'error' && r.error).toMatch(/^health\.lua:2:/);
  });
});

describe('environment', () => {
  it('passes whole numbers as integers and drops null map entries', async () => {
    const r = await run('return {status = "Healthy", message = obj.ready .. "/" .. obj.total .. " " .. tostring(obj.gone) .. " " .. #obj.list}', { ready: 2, total: 3, gone: null, list: [1, 2] });
    expect(r).toMatchObject({ message: '2/3 nil 2' });
  });
  it('offers the Lua 5.1 compatibility functions ArgoCD scripts use', async () => {
    const r = await run('return {status = "Healthy", message = table.getn({1,2,3}) .. table.maxn({[7]=1}) .. unpack({"u"}) .. loadstring("return 4")()}');
    expect(r).toMatchObject({ message: '37u4' });
    const o = await run('local n = 0 for w in string.gfind("a b", "%a") do n = n + 1 end return {status = "Healthy", message = math.pow(2, 3) .. "," .. math.mod(7, 3) .. "," .. n}', {}, { useOpenLibs: true });
    expect(o).toMatchObject({ status: 'Healthy' });
    expect(o.kind === 'ok' && o.message).toMatch(/^8(\.0)?,1(\.0)?,2$/);
  });
  it('without useOpenLibs: no string, math or os globals, no string methods, require("os") gives time and date', async () => {
    for (const s of ['return {status = string.upper("x")}', 'return {status = math.floor(1)}', 'return {status = os.time()}', 'return {status = ("x"):upper()}']) {
      expect((await run(s)).kind, s).toBe('error');
    }
    const r = await run('local os = require("os") return {status = "Healthy", message = type(os.time) .. type(os.date) .. type(os.execute)}');
    expect(r).toMatchObject({ message: 'functionfunctionnil' });
    expect((await run('return require("string")')).kind).toBe('error');
  });
  it('with useOpenLibs: string and math work, but io, os.execute, debug and string.dump stay out of reach', async () => {
    expect(await run('return {status = string.upper("x") == "X" and "Healthy" or "Degraded", message = ("a"):rep(2)}', {}, { useOpenLibs: true })).toMatchObject({ status: 'Healthy', message: 'aa' });
    const r = await run('return {status = "Healthy", message = type(io) .. type(os.execute) .. type(os.getenv) .. type(os.remove) .. type(os.exit) .. type(debug) .. type(string.dump)}', {}, { useOpenLibs: true });
    expect(r).toMatchObject({ message: 'nilnilnilnilnilnilnil' });
  });
});

describe('hostile scripts are stopped with an error, within the limit', () => {
  const limited = async (script: string, useOpenLibs = false) => {
    const t = Date.now();
    const r = await run(script, {}, { useOpenLibs, timeoutMs: 300 });
    return { r, ms: Date.now() - t };
  };
  it('endless loops, also inside pcall and coroutines', async () => {
    for (const [s, open] of [
      ['while true do end', false],
      ['while true do pcall(function() while true do end end) end', false],
      ['while true do xpcall(function() while true do end end, function(e) return "swallowed" end) end', false],
      ['local co = coroutine.create(function() while true do end end) while true do coroutine.resume(co) end', true],
      ['local function f() return f() end return f()', false],
      ['setmetatable({}, {__gc = function() while true do end end}) while true do end', false],
    ] as const) {
      const { r, ms } = await limited(s, open);
      expect(r, s).toMatchObject({ kind: 'error', limit: 'time' });
      expect(ms, s).toBeLessThan(300 + 1000);
    }
  });
  it('deep recursion, huge strings and unbounded tables hit the memory limit', async () => {
    for (const [s, open] of [
      ['local function f() return 1 + f() end return f()', false],
      ['local s = "x" for i = 1, 40 do s = s .. s end', false],
      ['return {status = string.rep("x", 1e9)}', true],
      ['local t = {} for i = 1, 1e9 do t[i] = i end', false],
    ] as const) {
      const { r } = await limited(s, open);
      expect(r.kind, s).toBe('error');
      expect(r.kind === 'error' && r.limit, s).toBeTruthy();
    }
  });
  it('cannot read files, run commands, load modules or bytecode', async () => {
    for (const [s, open] of [
      ['return dofile("/etc/hostname")', false],
      ['return loadfile("/etc/hostname")', false],
      ['return require("io")', true],
      ['return os.execute("touch /tmp/gitops-gate-pwned")', true],
      ['return io.open("/etc/hostname")', true],
      ['return debug.getinfo(1)', true],
      ['return require("./evil")', false],
    ] as const) {
      const r = await run(s, {}, { useOpenLibs: open });
      expect(r.kind, s).toBe('error');
    }
    expect(existsSync('/tmp/gitops-gate-pwned')).toBe(false);
    const bin = await run('local done = false local f, err = load(function() if done then return nil end done = true return "\\27Lua" end) local g, err2 = loadstring("\\27Lua") return {status = "Healthy", message = tostring(f) .. " " .. tostring(err) .. " | " .. tostring(g) .. " " .. tostring(err2)}');
    expect(bin).toMatchObject({ kind: 'ok' });
    expect(bin.kind === 'ok' && bin.message).toMatch(/^nil .*binary.* \| nil .*binary/);
  });
});

describe('fail closed: a limit, once hit, ends the run (issue 13 item 9)', () => {
  const small = { timeoutMs: 300, memoryBytes: 8 * 1024 * 1024 };
  it('a time limit hit inside a load() reader is not swallowed as nil, msg', async () => {
    const r = await run('local f, e = load(function() while true do end end) return {status = "Healthy", message = tostring(e)}', {}, small);
    expect(r).toMatchObject({ kind: 'error', limit: 'time' });
  });
  it('a memory limit hit inside a load() reader is not swallowed as nil, msg', async () => {
    const r = await run('local f, e = load(function() local t = {} for i = 1, 1e8 do t[i] = i end end) return {status = "Healthy", message = tostring(e)}', {}, small);
    expect(r).toMatchObject({ kind: 'error', limit: 'memory' });
  });
  // A to-be-closed variable whose __close raises replaces the limit error before pcall sees it.
  const REPLACE = 'local guard <close> = setmetatable({}, {__close = function() error("replaced", 0) end})';
  it('a time limit replaced by another error before pcall sees it is still a limit', async () => {
    const r = await run(`local ok, e = pcall(function() ${REPLACE} while true do end end) return {status = "Healthy", message = tostring(e)}`, {}, small);
    expect(r).toMatchObject({ kind: 'error', limit: 'time' });
  });
  it('a memory limit replaced by another error before pcall sees it is still a limit', async () => {
    const r = await run(`local ok, e = pcall(function() ${REPLACE} local t = {} for i = 1, 1e8 do t[i] = i end end) return {status = "Healthy", message = tostring(e)}`, {}, small);
    expect(r).toMatchObject({ kind: 'error', limit: 'memory' });
  });
  it('after a memory limit, every further instruction fails: a loop in pcall or an error handler ends at once', async () => {
    const long = { timeoutMs: 5000, memoryBytes: 8 * 1024 * 1024 };
    for (const s of [
      `pcall(function() ${REPLACE} local t = {} for i = 1, 1e8 do t[i] = i end end) while true do end`,
      `xpcall(function() ${REPLACE} local t = {} for i = 1, 1e8 do t[i] = i end end, function() while true do end end)`,
    ]) {
      const t = Date.now();
      const r = await run(s, {}, long);
      expect(r, s).toMatchObject({ kind: 'error', limit: 'memory' });
      expect(Date.now() - t, s).toBeLessThan(2000);
    }
  });
  it('the error object\'s __tostring is not run outside the limits (host-side conversion, no metamethods)', async () => {
    const r = await run('error(setmetatable({}, {__tostring = function() return string.rep("x", 40 * 1024 * 1024) end}))', {}, { ...small, useOpenLibs: true });
    expect(r.kind).toBe('error');
    const e = r.kind === 'error' ? r.error : '';
    expect(e).toBe('(error object is a table value)');
  });
  it('caps a 30 MB message or error at 4 KiB and says how much was cut', async () => {
    const big = 30 * 1024 * 1024;
    const ok = await run(`return {status = "Healthy", message = string.rep("x", ${big})}`, {}, { useOpenLibs: true, memoryBytes: 128 * 1024 * 1024 });
    expect(ok.kind).toBe('ok');
    const m = ok.kind === 'ok' ? ok.message : '';
    expect(m.length).toBeLessThan(4200);
    expect(m.endsWith(`… (${big - 4096} bytes cut)`)).toBe(true);
    const err = await run(`error(string.rep("y", ${big}), 0)`, {}, { useOpenLibs: true, memoryBytes: 128 * 1024 * 1024 });
    const e = err.kind === 'error' ? err.error : '';
    expect(e.length).toBeLessThan(4200);
    expect(e).toMatch(/^y{4096}… \(\d+ bytes cut\)$/);
  });
  it('load(reader)() sees the globals, as gopher-lua\'s load (nil env means the global env)', async () => {
    const r = await run('x = 7 local parts, i = {"return ", "x"}, 0 local f = load(function() i = i + 1 return parts[i] end) return {status = "Healthy", message = tostring(f())}');
    expect(r).toEqual({ kind: 'ok', status: 'Healthy', message: '7' });
    const s = await run('x = 8 return {status = "Healthy", message = tostring(loadstring("return x")())}');
    expect(s).toEqual({ kind: 'ok', status: 'Healthy', message: '8' });
  });
  it('load with a string is an error, as in gopher-lua (Lua 5.1 load takes a reader function; loadstring takes text)', async () => {
    const r = await run('x = 7 return {status = "Healthy", message = tostring(load("return x")())}');
    expect(r.kind).toBe('error');
    expect(r.kind === 'error' && r.error).toMatch(/bad argument #1 to 'load' \(function expected, got string\)/);
  });
});

describe('numbers as gopher-lua prints them (value.go LNumber.String)', () => {
  const msg = async (expr: string, open = false) => {
    const r = await run(`return {status = "Healthy", message = ${expr}}`, {}, { useOpenLibs: open });
    return r.kind === 'ok' ? r.message : JSON.stringify(r);
  };
  it('a whole float prints without .0, in concatenation, tostring, table.concat and %s', async () => {
    expect(await msg(`(4/2)..''`)).toBe('2');
    expect(await msg('tostring(2^53)')).toBe('9007199254740992');
    expect(await msg('table.concat({10/2, 1/4}, ",")')).toBe('5,0.25');
    expect(await msg('string.format("%s/%d", 6/3, 2.7)', true)).toBe('2/2');
  });
  it('table.concat of nil fails as gopher-lua\'s does, naming the script\'s line and not the gate\'s prelude', async () => {
    // A real case: ArgoCD's PerconaXtraDBCluster check concatenating obj.status.message where the input has `messages:`.
    const r = await run('local t = nil\nreturn {status = "Degraded", message = table.concat(t, ", ")}', {});
    expect(r.kind).toBe('error');
    const error = r.kind === 'error' ? r.error : '';
    expect(error).toMatch(/bad argument #1 to 'concat' \(table expected, got nil\)/);
    expect(error).not.toMatch(/prelude/);
  });
  it('other floats print as Go\'s fmt.Sprint: shortest round-trip text, exponent below -4 and from 6', async () => {
    expect(await msg(`1/3 .. ''`)).toBe('0.3333333333333333');
    expect(await msg(`0.1 + 0.2 .. ''`)).toBe('0.30000000000000004');
    expect(await msg(`1234567.5 .. ''`)).toBe('1.2345675e+06');
    expect(await msg(`0.00001 .. ''`)).toBe('1e-05');
    expect(await msg(`tostring(1/0) .. tostring(-1/0)`)).toBe('+Inf-Inf');
  });
  it('concatenating nil fails with gopher-lua\'s message and the script line', async () => {
    const r = await run('local hs = {}\nhs.message = "x" .. missing\nreturn hs');
    expect(r).toEqual({ kind: 'error', error: 'health.lua:2: cannot perform concat operation between string and nil' });
  });
});

describe('one Lua state for many runs', () => {
  it('each run starts with clean globals and libraries', async () => {
    await run('string.upper = nil; table.insert = nil; leaked = 1; getmetatable("").__index = {}; return {status = "Healthy"}', {}, { useOpenLibs: true });
    const r = await run('return {status = "Healthy", message = ("x"):upper() .. tostring(leaked) .. type(table.insert)}', {}, { useOpenLibs: true });
    expect(r).toEqual({ kind: 'ok', status: 'Healthy', message: 'Xnilfunction' });
    // Without useOpenLibs after a run with them: strings have no methods again.
    const closed = await run('return {status = "Healthy", message = ("x"):upper()}');
    expect(closed.kind).toBe('error');
  });
  it('the memory limit counts the script\'s own allocations on every run, whatever earlier runs left behind', async () => {
    const mib = 1024 * 1024;
    // Each run leaves about 1.5 MiB of garbage behind; none of them is charged for the others' garbage.
    for (let i = 0; i < 12; i++) {
      const r = await run(`local t = {} for i = 1, 1500 do t[i] = string.rep("x", 1000) .. i end return {status = "Healthy"}`, {}, { useOpenLibs: true, memoryBytes: 4 * mib });
      expect(r, `run ${i}`).toEqual({ kind: 'ok', status: 'Healthy', message: '' });
    }
    // A big input object is not charged to the script either; the script's own 8 MiB is.
    const big = { items: Array.from({ length: 3000 }, (_, i) => ({ name: `item-${i}`, value: 'v'.repeat(1000) })) };
    expect(await run('return {status = "Healthy", message = tostring(#obj.items)}', big, { memoryBytes: 2 * mib })).toEqual({ kind: 'ok', status: 'Healthy', message: '3000' });
    expect(await run('local s = string.rep("x", 8 * 1024 * 1024) return {status = "Healthy"}', big, { useOpenLibs: true, memoryBytes: 2 * mib })).toMatchObject({ kind: 'error', limit: 'memory' });
  });
});

describe('objects pushed into Lua', () => {
  it('keep every character of their strings, numbers and nesting', async () => {
    const obj = { s: 'a"b\\c\nd\te\u0001\u007f 9é€😀', n: 3, f: 0.1, neg: -2, t: true, gone: null, list: [1, 'x', { k: 'v' }], nested: { deep: { x: 1.5 } }, long: 'x'.repeat(10000) };
    const script = `local parts = {}
for _, k in ipairs({"s", "n", "f", "neg", "t", "gone"}) do parts[#parts + 1] = k .. "=" .. tostring(obj[k]) end
parts[#parts + 1] = #obj.list .. obj.list[2] .. obj.list[3].k .. obj.nested.deep.x .. string.len(obj.s) .. "," .. string.len(obj.long)
return {status = "Healthy", message = table.concat(parts, ";")}`;
    expect(await run(script, obj, { useOpenLibs: true })).toEqual({ kind: 'ok', status: 'Healthy', message: 's=a"b\\c\nd\te\u0001\u007f 9é€😀;n=3;f=0.1;neg=-2;t=true;gone=nil;3xv1.522,10000' });
  });
});
