/** Renders docs/rules.md from the rule catalogue, so the documentation cannot drift from the code. */
import type { Area } from '../core/model.js';
import type { Check } from './contract.js';

const AREA_ORDER: Area[] = ['manifests', 'sync', 'applications', 'health', 'review', 'description'];

/** The Markdown of docs/rules.md for the given checks. */
export function renderRulesDoc(checks: readonly Check[]): string {
  const out = [
    '# Rules',
    '',
    'Generated from the rule catalogue (`src/rules/catalog.ts`); `npm test` fails when this file is stale',
    '(regenerate with `UPDATE_DOCS=1 npx vitest run test/unit/rules-doc.test.ts`).',
    'Change a rule\'s severity, or switch it off, in the policy\'s `rules` section.',
    '',
  ];
  for (const area of AREA_ORDER) {
    const rules = checks.flatMap((c) => c.rules).filter((r) => r.area === area);
    if (!rules.length) continue;
    out.push(`## ${area}`, '', '| Rule | Default severity | Requires | Behaviour behind it |', '| --- | --- | --- | --- |');
    for (const r of rules) out.push(`| \`${r.id}\` | ${r.defaultSeverity} | ${r.title.replace(/\|/g, '\\|')} | ${r.reference.replace(/\|/g, '\\|')} |`);
    out.push('');
  }
  return out.join('\n');
}
