/**
 * The description requirements as pure functions of the PR, its parsed body and the policy: each returns
 * what was found and, on failure, exactly what is missing, quoting the headings the gate looked for.
 */
import type { PullRequest } from '../core/model.js';
import { describeEmpty, isNotApplicable, realContent, type Content, type TemplateText } from './content.js';
import type { WaveChange } from './conditions.js';
import { normaliseHeading, type ParsedBody, type Section } from './markdown.js';
import type { DescriptionSettings, ResolvedSection } from './settings.js';

/** Rule ids of the description area. */
export type DescriptionRule =
  | 'description-body'
  | 'description-sections'
  | 'description-ticket'
  | 'description-title'
  | 'description-labels'
  | 'description-conditional'
  | 'description-unparseable';

/** State of one requirement. */
export type RequirementState = 'passed' | 'failed' | 'skipped';

/** One requirement's result, as the summary shows it. Texts quote the PR verbatim: escape before rendering. */
export interface RequirementResult {
  rule: DescriptionRule;
  /** What is required, for example `Section "Why"`. */
  name: string;
  state: RequirementState;
  /** What the gate found (a heading and its line, a ticket, the labels). */
  found?: string;
  /** On failure: what exactly is missing. On skip: why it does not apply. */
  missing?: string;
}

/** Everything the requirements read, prepared once per evaluation. */
export interface BodyFacts {
  pr: PullRequest;
  parsed: ParsedBody;
  template: TemplateText;
  placeholders: RegExp[];
}

/** `“text”`: quotes PR or policy text in messages. */
export function q(text: string): string {
  return `“${text}”`;
}

/** `“a”, “b” or “c”`. */
export function quoteList(items: readonly string[], joiner = 'or'): string {
  const qs = items.map(q);
  return qs.length > 1 ? `${qs.slice(0, -1).join(', ')} ${joiner} ${qs[qs.length - 1]}` : (qs[0] ?? '');
}

/** Compiles a policy pattern (validated by the schema's `regex` format, so it compiles). */
export function policyRegExp(pattern: string, flags = ''): RegExp {
  return new RegExp(pattern, `u${flags}`);
}

function sectionContent(s: Section, facts: BodyFacts): Content {
  return realContent(s.blocks, facts.template, facts.placeholders);
}

/** Extra checks on a section's content beyond presence and length. */
export interface SectionExtras {
  /** Patterns (case-insensitive) the content must match. */
  mention?: readonly string[];
  /** Resources whose wave changed: the content must name each one's previous wave. */
  waves?: readonly WaveChange[];
}

/**
 * True when `line` names the resource and, as the number nearest to that name, its previous wave
 * (`api: wave 1`, `| api | 1 |`, `wave 1 for api`). A line naming the resource next to another number does not count.
 */
export function namesPreviousWave(line: string, w: Pick<WaveChange, 'name' | 'before'>): boolean {
  const name = w.name.toLowerCase();
  if (!name) return false;
  const l = line.toLowerCase();
  const numbers = [...l.matchAll(/(?<![\w.])[+-]?\d+(?!\d|\.\d)/g)].map((m) => ({ at: m.index, end: m.index + m[0].length, value: Number(m[0]) }));
  const previous = Number(w.before);
  for (let at = l.indexOf(name); at >= 0; at = l.indexOf(name, at + 1)) {
    const end = at + name.length;
    if (/[\w-]/.test(l[at - 1] ?? '') || /[\w-]/.test(l[end] ?? '')) continue; // part of a longer name
    const outside = numbers.filter((n) => n.end <= at || n.at >= end);
    const distance = (n: { at: number; end: number }) => (n.end <= at ? at - n.end : n.at - end);
    const nearest = outside.sort((a, b) => distance(a) - distance(b))[0];
    if (nearest && Number.isFinite(previous) && nearest.value === previous) return true;
  }
  return false;
}

/** Problems with a present section's content; empty when it satisfies the requirement. */
function contentProblems(sec: ResolvedSection, c: Content, extras: SectionExtras, facts: BodyFacts): string[] {
  if (c.length === 0) return [`holds ${describeEmpty(c, facts.template)}`];
  if (isNotApplicable(c)) return sec.allowNA ? [] : ['says N/A, which the policy does not accept for this section'];
  const out: string[] = [];
  if (c.length < sec.minLength) out.push(`holds only ${c.length} character(s) of real content; at least ${sec.minLength} are required`);
  for (const p of [...sec.mention, ...(extras.mention ?? [])]) {
    if (!policyRegExp(p, 'i').test(c.text)) out.push(`does not mention /${p}/`);
  }
  for (const w of extras.waves ?? []) {
    if (!c.lines.some((l) => namesPreviousWave(l, w))) {
      out.push(`does not name the previous wave of ${w.subject} (was ${w.before}, now ${w.after}): write a line such as ${q(`${w.name}: wave ${w.before}`)}`);
    }
  }
  return out;
}

/** A hint for a missing section: bold text used as a heading, or the headings that are there. */
function missingHint(sec: ResolvedSection, facts: BodyFacts): string {
  const wanted = new Set(sec.headings.map(normaliseHeading));
  const bold = facts.parsed.blocks.find((b) => wanted.has(normaliseHeading(b.text.split(/[:\n]/)[0] ?? '')) && /^\s*(\*\*|__)/.test(facts.pr.body.split(/\r?\n/)[b.line - 1] ?? ''));
  if (bold) return ` (line ${bold.line} has ${q(bold.text.length > 40 ? `${bold.text.slice(0, 39)}…` : bold.text)} in bold: make it a Markdown heading, such as ${q(`## ${sec.headings[0]}`)})`;
  const hs = facts.parsed.headings.map((h) => h.source);
  return hs.length ? ` (headings found: ${quoteList(hs.slice(0, 6), 'and')}${hs.length > 6 ? ', …' : ''})` : ' (the body has no headings)';
}

/**
 * Evaluates one section requirement: a heading among `sec.headings`, and real content under it.
 * When several headings match, the first one that satisfies the requirement counts.
 */
export function evaluateSection(sec: ResolvedSection, facts: BodyFacts, rule: DescriptionRule, extras: SectionExtras = {}, name?: string): RequirementResult {
  const label = name ?? `Section ${q(sec.headings[0]!)}`;
  const wanted = new Set(sec.headings.map(normaliseHeading));
  const matches = facts.parsed.sections.filter((s) => wanted.has(normaliseHeading(s.heading.text)));
  if (!matches.length) {
    return { rule, name: label, state: 'failed', missing: `no section headed ${quoteList(sec.headings)}${missingHint(sec, facts)}` };
  }
  let first: { s: Section; problems: string[] } | undefined;
  for (const s of matches) {
    const c = sectionContent(s, facts);
    const problems = contentProblems(sec, c, extras, facts);
    if (!problems.length) {
      const what = isNotApplicable(c) ? 'N/A (accepted for this section)' : `${c.length} character(s) of real content`;
      return { rule, name: label, state: 'passed', found: `${q(s.heading.source)} at line ${s.heading.line}: ${what}` };
    }
    first ??= { s, problems };
  }
  const { s, problems } = first!;
  return {
    rule,
    name: label,
    state: 'failed',
    found: `${q(s.heading.source)} at line ${s.heading.line}`,
    missing: `section ${q(s.heading.source)} (line ${s.heading.line}) ${problems.join('; ')}`,
  };
}

/** The body's real content: every block, outside sections too, with headings that are not the template's. */
export function bodyContent(facts: BodyFacts): Content {
  return realContent(facts.parsed.blocks, facts.template, facts.placeholders);
}

/** The body must hold real content: not empty, not the untouched template, not only comments or stubs. */
export function evaluateBody(facts: BodyFacts): RequirementResult {
  const rule = 'description-body';
  const name = 'Body with real content';
  if (!facts.pr.body.trim()) return { rule, name, state: 'failed', missing: 'the PR body is empty' };
  const c = bodyContent(facts);
  if (c.length > 0) return { rule, name, state: 'passed', found: `${c.length} character(s) of real content` };
  const onlyTemplateHeadings = facts.parsed.headings.every((h) => facts.template.headings.has(h.text));
  if (c.dropped.template > 0 && onlyTemplateHeadings) {
    return { rule, name, state: 'failed', missing: `the body is the PR template (${facts.template.paths.join(', ')}) left as written: nothing was filled in` };
  }
  const held = describeEmpty(c, facts.template);
  return { rule, name, state: 'failed', missing: `the body holds ${held === 'nothing' ? 'only headings, no text' : held}` };
}

/** A ticket reference matching the policy's pattern in the title, the body or the branch name. */
export function evaluateTicket(settings: DescriptionSettings['ticket'], facts: BodyFacts): RequirementResult {
  const rule = 'description-ticket';
  const name = 'Ticket reference';
  if (!settings.pattern) return { rule, name, state: 'skipped', missing: 'the policy requires no ticket (description.ticket.pattern is not set)' };
  const re = policyRegExp(settings.pattern);
  const headingText = facts.parsed.headings.filter((h) => !facts.template.headings.has(h.text)).map((h) => h.text);
  const places: Record<string, { label: string; text: string }> = {
    title: { label: 'the title', text: facts.pr.title },
    body: { label: 'the body', text: [...headingText, bodyContent(facts).text].join('\n') },
    branch: { label: `the branch name ${q(facts.pr.headRef)}`, text: facts.pr.headRef },
  };
  for (const where of settings.in) {
    const m = re.exec(places[where]!.text);
    if (m) return { rule, name, state: 'passed', found: `${q(m[0])} in ${places[where]!.label}` };
  }
  return { rule, name, state: 'failed', missing: `no ticket reference matching /${settings.pattern}/ in ${settings.in.map((w) => places[w]!.label).join(', ').replace(/, ([^,]*)$/, ' or $1')}` };
}

/** The title must match the policy's pattern. */
export function evaluateTitle(settings: DescriptionSettings['title'], pr: PullRequest): RequirementResult {
  const rule = 'description-title';
  const name = 'Title format';
  if (!settings.pattern) return { rule, name, state: 'skipped', missing: 'the policy sets no title pattern (description.title.pattern is not set)' };
  if (policyRegExp(settings.pattern).test(pr.title)) return { rule, name, state: 'passed', found: `${q(pr.title)} matches /${settings.pattern}/` };
  return { rule, name, state: 'failed', found: q(pr.title), missing: `the title does not match /${settings.pattern}/${settings.hint ? ` (${settings.hint})` : ''}` };
}

/** Required labels present and forbidden labels absent (GitHub label names compare case-insensitively). */
export function evaluateLabels(settings: DescriptionSettings['labels'], pr: PullRequest): RequirementResult {
  const rule = 'description-labels';
  const name = 'Labels';
  if (!settings.required.length && !settings.forbidden.length) return { rule, name, state: 'skipped', missing: 'the policy requires and forbids no labels' };
  const have = new Set(pr.labels.map((l) => l.toLowerCase()));
  const lacking = settings.required.filter((l) => !have.has(l.toLowerCase()));
  const banned = pr.labels.filter((l) => settings.forbidden.some((f) => f.toLowerCase() === l.toLowerCase()));
  const found = pr.labels.length ? `labels ${quoteList(pr.labels, 'and')}` : 'no labels';
  const problems: string[] = [];
  if (lacking.length) problems.push(`missing required label(s) ${quoteList(lacking, 'and')}`);
  if (banned.length) problems.push(`carries forbidden label(s) ${quoteList(banned, 'and')}`);
  return problems.length ? { rule, name, state: 'failed', found, missing: problems.join('; ') } : { rule, name, state: 'passed', found };
}
