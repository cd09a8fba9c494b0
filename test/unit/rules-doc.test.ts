import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { AREAS, CHECKS, RULES } from '../../src/composition.js';
import { renderRulesDoc } from '../../src/area/rules-doc.js';

const DOC = join(import.meta.dirname, '..', '..', 'docs', 'rules.md');

describe('rule catalogue', () => {
  it('has unique rule ids, each with a reference and a title', () => {
    const ids = CHECKS.flatMap((c) => c.rules.map((r) => r.id));
    expect(new Set(ids).size).toBe(ids.length);
    for (const a of AREAS) for (const c of a.checks) for (const r of c.rules) expect(r.area, `${r.id} is listed in the ${a.id} area`).toBe(a.id);
    for (const r of RULES.values()) {
      expect(r.id).toMatch(/^[a-z0-9]+(-[a-z0-9]+)*$/);
      expect(r.reference.length).toBeGreaterThan(10);
      expect(r.title.length).toBeGreaterThan(5);
    }
  });

  it('docs/rules.md is generated from the catalogue', () => {
    const doc = renderRulesDoc(AREAS);
    if (process.env.UPDATE_DOCS) writeFileSync(DOC, doc);
    expect(readFileSync(DOC, 'utf8')).toBe(doc);
  });
});
