/** The shape of an area's section renderer (src/report/sections.ts lists them). */
import type { Report } from '../core/model.js';

/**
 * What a section renderer returns: its Markdown (starting with a heading), or a full and a compact
 * form. When the summary must fit a size limit, the compact form is used first, then the section is
 * replaced by a line pointing to the full report. `undefined`: nothing to show.
 */
export type SectionOutput = string | { full: string; compact?: string } | undefined;

/** Renders one area's section; `h` is the heading prefix to use (for example `###`). */
export type SectionRenderer = (report: Report, h: string) => SectionOutput;

/** Renders one area's details as plain text lines for the terminal report (empty when nothing to show). */
export type TextSectionRenderer = (report: Report) => string[];
