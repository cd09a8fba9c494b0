/** Renders docs/rules.md from the areas' rules, so the documentation cannot drift from the code. */
import type { AreaModule } from './contract.js';

/**
 * The Markdown of docs/rules.md: per area (in the given order), each rule with its default severity, what it
 * requires and the behaviour behind it.
 */
export function renderRulesDoc(areas: readonly AreaModule[]): string {
  const out = [
    '# Rules',
    '',
    'Generated from the areas\' rules (listed in `src/composition.ts`); `npm test` fails when this file is stale',
    '(regenerate with `UPDATE_DOCS=1 npx vitest run test/unit/rules-doc.test.ts`).',
    'Change a rule\'s severity, or switch it off, in the policy\'s `rules` section.',
    '',
  ];
  for (const area of areas) {
    const rules = area.checks.flatMap((c) => c.rules);
    if (!rules.length) continue;
    out.push(`## ${area.id}`, '', `${area.title}: rules in \`src/${area.id === 'manifests' ? 'files' : area.id}/\`.`, '', '| Rule | Default severity | Requires | Behaviour behind it |', '| --- | --- | --- | --- |');
    for (const r of rules) out.push(`| \`${r.id}\` | ${r.defaultSeverity} | ${r.title.replace(/\|/g, '\\|')} | ${r.reference.replace(/\|/g, '\\|')} |`);
    out.push('');
  }
  return out.join('\n');
}
