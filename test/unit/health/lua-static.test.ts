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
