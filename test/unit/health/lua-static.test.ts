/** Static checks of health scripts (src/health/lua-static.ts), each with a script that trips it and one that does not. */
import { describe, expect, it } from 'vitest';
import { analyzeLua } from '../../../src/health/lua-static.js';

const rules = (script: string, rule: string) => analyzeLua(script, true).filter((p) => p.rule === rule).map((p) => p.pos.line);

describe('lua-invalid-status-value follows what is returned', () => {
  it('flags a literal on the returned table, directly or through a variable', () => {
    expect(rules('return {status = "Ready"}', 'lua-invalid-status-value')).toEqual([1]);
    expect(rules('local hs = {}\nhs.status = "Running"\nreturn hs', 'lua-invalid-status-value')).toEqual([2]);
    expect(rules('local hs = {status = "Done"}\nif obj.x then return hs end\nhs.status = "Healthy"\nreturn hs', 'lua-invalid-status-value')).toEqual([1]);
  });

  it('ignores a literal on a helper table that is never returned', () => {
    const script = [
      'local cond = {}',
      'if obj.status ~= nil then cond.status = "False" end',
      'local hs = {status = "Progressing"}',
      'if cond.status == "True" then hs.status = "Healthy" end',
      'return hs',
    ].join('\n');
    expect(rules(script, 'lua-invalid-status-value')).toEqual([]);
  });

  it('ignores a placeholder that every path overwrites before the return', () => {
    const script = [
      'result = {}',
      'for _, item in pairs(obj.status or {}) do',
      '  result.status = "Pending"',
      'end',
      'if obj.ready then',
      '  result.status = "Healthy"',
      '  return result',
      'elseif obj.failed then',
      '  result.status = "Degraded"',
      '  return result',
      'else',
      '  result.status = "Progressing"',
      'end',
      'return result',
    ].join('\n');
    expect(rules(script, 'lua-invalid-status-value')).toEqual([]);
    // Without the else branch one path returns the placeholder.
    expect(rules(script.replace('else\n  result.status = "Progressing"\n', ''), 'lua-invalid-status-value')).toEqual([3]);
  });
});

describe('lua-global-maybe-nil', () => {
  // A global assigned only when a condition of one type is found, then concatenated.
  const script = (init: string) => [
    'hs = {status = "Progressing", message = "Waiting"}',
    init,
    'if obj.status ~= nil and obj.status.conditions ~= nil then',
    '  for _, c in ipairs(obj.status.conditions) do',
    '    if c.type == "Installed" then ready_message = c.message end',
    '  end',
    '  hs.message = "Installed: " .. ready_message',
    'end',
    'return hs',
  ].join('\n');

  it('flags a global concatenated on a path where it was never assigned', () => {
    expect(rules(script(''), 'lua-global-maybe-nil')).toEqual([7]);
  });
  it('is quiet when the global gets a value first, or the use is guarded', () => {
    expect(rules(script('ready_message = ""'), 'lua-global-maybe-nil')).toEqual([]);
    expect(rules(script('').replace('hs.message = "Installed: " .. ready_message', 'if ready_message ~= nil then hs.message = "Installed: " .. ready_message end'), 'lua-global-maybe-nil')).toEqual([]);
    expect(rules('if obj.a then x = 1 else x = 2 end\nreturn {status = "Healthy", message = "n" .. x}', 'lua-global-maybe-nil')).toEqual([]);
    expect(rules('if not obj.a then return {status = "Progressing"} end\nx = obj.a\nreturn {status = "Healthy", message = "n" .. x}', 'lua-global-maybe-nil')).toEqual([]);
  });

  // ArgoCD's spot.io/SpotDeployment check: a helper function sets the globals, and is called before they are compared.
  const helper = (call: string) => [
    'function counts(obj)',
    '  wanted = obj.spec.replicas or 1',
    '  if obj.status.replicas ~= nil then seen = obj.status.replicas end',
    'end',
    'function check(obj) counts(obj) end',
    'hs = {status = "Healthy", message = "ok"}',
    'if obj.spec.canary then',
    '  if obj.status.paused then wanted = 0 end',
    call,
    '  if wanted > 1 then hs.status = "Progressing" end',
    'end',
    'return hs',
  ].join('\n');
  it('counts a call to one of the script\'s functions as assigning the globals that function (or one it calls) assigns', () => {
    expect(rules(helper('  local r = counts(obj)'), 'lua-global-maybe-nil')).toEqual([]);
    expect(rules(helper('  check(obj)'), 'lua-global-maybe-nil')).toEqual([]);
    expect(rules(helper('  if check(obj) then end'), 'lua-global-maybe-nil')).toEqual([]);
  });
  it('still flags the global when no call to such a function comes before the use', () => {
    expect(rules(helper('  local r = tostring(obj)'), 'lua-global-maybe-nil')).toEqual([10]);
  });
});
