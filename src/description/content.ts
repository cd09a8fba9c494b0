/**
 * Judging whether text in a PR body is real content: what is left once HTML comments, whitespace,
 * checkbox stubs, placeholder text and text copied unchanged from the repository's PR template are removed.
 */
import type { PrTemplate } from '../core/model.js';
import { parseBodySafe, type Block } from './markdown.js';

/** Why a block did not count as content. */
export type DropReason = 'comment' | 'stub' | 'placeholder' | 'template' | 'empty';

/** The real content of a list of blocks, and what was dropped. */
export interface Content {
  /** Real text, one block per line. */
  text: string;
  /** Characters of real text (code points, newlines between blocks not counted). */
  length: number;
  /** The real blocks' texts. */
  lines: string[];
  /** How many blocks were dropped, by reason. */
  dropped: Record<DropReason, number>;
}

/** Text the repository's PR templates hold, for recognising copied blocks. */
export interface TemplateText {
  /** Paths of the templates read. */
  paths: string[];
  /** Normalised texts of every block of every template. */
  blocks: Set<string>;
  /** Normalised texts of every heading of every template. */
  headings: Set<string>;
}

/** Builds {@link TemplateText} from the template files (empty when there are none). */
export function templateText(templates: readonly PrTemplate[]): TemplateText {
  const blocks = new Set<string>();
  const headings = new Set<string>();
  for (const t of templates) {
    // Templates come from the base branch; one the parser cannot read within the limits contributes nothing.
    const read = parseBodySafe(t.text);
    if (!read.ok) continue;
    const parsed = read.body;
    for (const b of parsed.blocks) if (b.text) blocks.add(b.text);
    for (const h of parsed.headings) headings.add(h.text);
  }
  return { paths: templates.map((t) => t.path), blocks, headings };
}

/**
 * Compiles placeholder patterns: each must match a whole block (case-insensitive).
 * @throws {SyntaxError} on an invalid pattern (the policy schema validates them first)
 */
export function placeholderMatchers(patterns: readonly string[]): RegExp[] {
  return patterns.map((p) => new RegExp(`^(?:${p})$`, 'iu'));
}

/**
 * The real content of `blocks`. A ticked task-list item counts even when its text comes from the
 * template: the tick is the author's own statement.
 */
export function realContent(blocks: readonly Block[], template: TemplateText, placeholders: readonly RegExp[]): Content {
  const dropped: Record<DropReason, number> = { comment: 0, stub: 0, placeholder: 0, template: 0, empty: 0 };
  const lines: string[] = [];
  for (const b of blocks) {
    if (b.stub) dropped.stub++;
    else if (!b.text) dropped[b.hadComment ? 'comment' : 'empty']++;
    else if (placeholders.some((p) => p.test(b.text))) dropped.placeholder++;
    else if (template.blocks.has(b.text) && b.checked !== true) dropped.template++;
    else lines.push(b.checked === true ? `[x] ${b.text}` : b.text);
  }
  const length = lines.reduce((n, l) => n + [...l].length, 0);
  return { text: lines.join('\n'), length, lines, dropped };
}

/**
 * Describes what an empty content held instead of text, for failure messages:
 * for example `only an HTML comment`, `only text copied from the PR template`.
 */
export function describeEmpty(c: Content, template: TemplateText): string {
  const parts: string[] = [];
  if (c.dropped.comment) parts.push(c.dropped.comment === 1 ? 'an HTML comment' : 'HTML comments');
  if (c.dropped.stub) parts.push(c.dropped.stub === 1 ? 'an empty checkbox' : 'empty checkboxes');
  if (c.dropped.placeholder) parts.push('placeholder text');
  if (c.dropped.template) parts.push(`text copied unchanged from the PR template (${template.paths.join(', ')})`);
  if (!parts.length) return 'nothing';
  return `only ${parts.length > 1 ? `${parts.slice(0, -1).join(', ')} and ${parts[parts.length - 1]}` : parts[0]}`;
}

const NA = /^(?:n\/?a|not applicable|none)[.!]?$/i;

/** True when the whole content is `N/A` (or `n/a`, `NA`, `none`, `not applicable`). */
export function isNotApplicable(c: Content): boolean {
  return c.lines.length === 1 && NA.test(c.lines[0]!.replace(/[*_~`]/g, '').trim());
}
