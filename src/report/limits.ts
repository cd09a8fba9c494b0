/**
 * GitHub's size limits on what the gate publishes, and the shortening that keeps content within them.
 *
 * Content is built as a list of {@link Block}s, each with variants from full to smallest. When the whole
 * does not fit, the least important block is stepped down to its next variant, again and again, so
 * pre-existing findings collapse first, then long tables, and the verdict and new findings stay longest.
 * Sources of the limits: GitHub REST API, "Create a check run" (`output.summary` maxLength 65535,
 * `annotations` maxItems 50, annotation `title` 255 characters, `message` 64 KB); "Create an issue
 * comment" (body too long above 65536 characters, 422); job summaries ("Adding a job summary": 1 MiB per step).
 */

/** Limits, as GitHub documents them. */
export const LIMITS = {
  /** Issue/PR comment body, in characters. */
  commentChars: 65_536,
  /** Check run `output.summary` (and `output.text`), in characters. */
  checkRunSummaryChars: 65_535,
  /** Check run `output.title`, in characters (not documented as a hard limit; kept short on purpose). */
  checkRunTitleChars: 255,
  /** Job summary of one step, in bytes (UTF-8). */
  jobSummaryBytes: 1024 * 1024,
  /** Annotations per create/update request of a check run. */
  annotationsPerRequest: 50,
  /** Annotation `message` and `raw_details`, in bytes (UTF-8). */
  annotationMessageBytes: 64 * 1024,
  /** Annotation `title`, in characters. */
  annotationTitleChars: 255,
} as const;

/** A maximum size and the unit it is counted in. */
export interface Budget {
  max: number;
  /** `chars` counts UTF-16 code units (never fewer than GitHub's characters); `bytes` counts UTF-8 bytes. */
  unit: 'chars' | 'bytes';
}

const encoder = new TextEncoder();

/** Size of `text` in the budget's unit. */
export function measure(text: string, unit: Budget['unit']): number {
  return unit === 'bytes' ? encoder.encode(text).length : text.length;
}

/** True when `text` fits `budget`. */
export function fits(text: string, budget: Budget): boolean {
  return measure(text, budget.unit) <= budget.max;
}

/** How far back (code points) a cut may move to end at a word boundary; past it, the "word" is a long token (a path, a URL) and is cut. */
export const WORD_BACKOFF = 80;

/**
 * Cuts `text` to at most `max` units without splitting a surrogate pair or a UTF-8 sequence, appending
 * `ellipsis` (counted in the budget) when it cut. The cut ends at a word boundary (before the last
 * whitespace that fits, trailing whitespace and `,;:` dropped), never mid-word, unless no whitespace is
 * within {@link WORD_BACKOFF} code points of the limit.
 */
export function truncate(text: string, budget: Budget, ellipsis = '…'): string {
  if (fits(text, budget)) return text;
  const room = budget.max - measure(ellipsis, budget.unit);
  if (room <= 0) return '';
  // Binary search on code points: correct for both units, and fast for megabyte texts.
  const cps = Array.from(text);
  let lo = 0;
  let hi = cps.length;
  while (lo < hi) {
    const mid = Math.ceil((lo + hi) / 2);
    if (measure(cps.slice(0, mid).join(''), budget.unit) <= room) lo = mid;
    else hi = mid - 1;
  }
  return atWordBoundary(cps, lo) + ellipsis;
}

/** The first `n` code points of `cps`, moved back to the last word boundary (see {@link truncate}). */
function atWordBoundary(cps: string[], n: number): string {
  const kept = cps.slice(0, n);
  // The cut already falls between words.
  if (n === 0 || /\s/.test(cps[n] ?? ' ') || /\s/.test(kept[n - 1]!)) return kept.join('').replace(/[\s,;:]+$/u, '');
  for (let i = n - 1; i > 0 && i >= n - WORD_BACKOFF; i--) {
    if (/\s/.test(kept[i]!)) {
      const head = kept.slice(0, i).join('').replace(/[\s,;:]+$/u, '');
      if (head) return head;
    }
  }
  return kept.join('');
}

/**
 * A variant built when it is tried. Given the budget of the whole document, it may return `undefined` instead
 * of its text when it knows the text would be longer than `budget.max` on its own (such a variant can never
 * be part of a text that fits), so a big table is not built only to be thrown away.
 */
export type LazyVariant = (budget: Budget) => string | undefined;

/** One part of a document, with ever smaller variants. */
export interface Block {
  /** For messages and tests, for example `pre-existing-findings`. */
  id: string;
  /**
   * How long the block is kept: the block with the lowest priority is shortened first. The verdict
   * has the highest; pre-existing findings the lowest.
   */
  priority: number;
  /**
   * Variants from full to smallest; the last may be a one-line pointer to the full report, or ''. A variant
   * may be a {@link LazyVariant}: it is called (once) only when that variant is tried, so large shortened
   * forms cost nothing when the full form fits. The last variant must be text (a function there must not
   * return `undefined`).
   */
  variants: (string | LazyVariant)[];
}

/** The result of fitting blocks into a budget. */
export interface Fitted {
  text: string;
  /** Ids of the blocks that were shortened or left out. */
  shortened: string[];
  /** True when even the smallest variants did not fit and the text was cut hard. */
  cut: boolean;
}

/** Size of the blank line between blocks (`\n\n`), in either unit. */
const GAP = 2;

/**
 * Joins the blocks (separated by a blank line), shortening the least important ones until the result
 * fits `budget`. When even that is too long, the text is cut at a line boundary and `cutNotice` is
 * appended (it always fits: it is accounted for before cutting).
 *
 * Sizes are counted per variant and added up (UTF-8 bytes and UTF-16 units of a concatenation are the
 * sums of its parts'), so each variant is built and measured once and the document is joined once.
 */
export function fitBlocks(blocks: readonly Block[], budget: Budget, cutNotice: string): Fitted {
  const level = blocks.map(() => 0);
  // Per block and level: the text (undefined when the variant said it is bigger than the budget) and its size.
  const made = blocks.map(() => new Map<number, { text: string | undefined; size: number }>());
  const variant = (i: number, l = level[i]!): { text: string | undefined; size: number } => {
    let t = made[i]!.get(l);
    if (t === undefined) {
      const v = blocks[i]!.variants[l] ?? '';
      const text = typeof v === 'function' ? v(budget) : v;
      t = { text, size: text === undefined ? Infinity : measure(text, budget.unit) };
      made[i]!.set(l, t);
    }
    return t;
  };
  // The size of the joined text: the non-empty variants, a blank line between them, a final line break.
  const total = (): number => {
    let size = 0;
    let parts = 0;
    for (let i = 0; i < blocks.length; i++) {
      const v = variant(i);
      if (v.text === '') continue;
      size += v.size;
      parts++;
    }
    return size + GAP * Math.max(0, parts - 1) + 1;
  };
  const fitsNow = () => total() <= budget.max;
  const render = () =>
    blocks
      .map((b, i) => {
        const v = variant(i);
        if (v.text !== undefined) return v.text;
        // Only a variant that fits is ever joined; a last variant that declined is built in full.
        const last = b.variants[level[i]!];
        return typeof last === 'function' ? (last({ max: Infinity, unit: budget.unit }) ?? '') : (last ?? '');
      })
      .filter((t) => t !== '')
      .join('\n\n') + '\n';
  const shortened = new Set<string>();
  // The order in which blocks are stepped down: lowest priority first, later blocks first among equals.
  const order = blocks.map((b, i) => ({ b, i })).sort((x, y) => x.b.priority - y.b.priority || y.i - x.i);
  for (const { b, i } of order) {
    if (fitsNow()) break;
    while (!fitsNow() && level[i]! < b.variants.length - 1) level[i]!++;
  }
  if (!fitsNow()) {
    blocks.forEach((b, i) => level[i]! > 0 && shortened.add(b.id));
    return { text: cutAtLine(render(), budget, cutNotice), shortened: [...shortened], cut: true };
  }
  // Stepping a big block down may have made room: give the others back as much as now fits,
  // most important first.
  for (const { b, i } of [...order].reverse()) {
    for (let l = 0; l < level[i]!; l++) {
      const was = level[i]!;
      level[i] = l;
      if (fitsNow()) break;
      level[i] = was;
    }
    if (level[i]! > 0) shortened.add(b.id);
  }
  return { text: render(), shortened: [...shortened], cut: false };
}

/** Cuts at the last line break that leaves room for the notice; closes an open `<details>`. */
function cutAtLine(text: string, budget: Budget, notice: string): string {
  const tail = `\n\n${notice}\n`;
  const closer = '\n</details>';
  const room: Budget = { max: budget.max - measure(tail + closer, budget.unit), unit: budget.unit };
  let head = truncate(text, room, '');
  const nl = head.lastIndexOf('\n');
  if (nl > 0) head = head.slice(0, nl);
  const open = (head.match(/<details>/g) ?? []).length - (head.match(/<\/details>/g) ?? []).length;
  return head + (open > 0 ? closer : '') + tail;
}
