/**
 * Area sections of the summary (approvals, description requirements, sync plans, rendered manifests,
 * health-check tests).
 * Each renderer reads its area's entry in `report.details` and returns Markdown, or `undefined` when
 * it has nothing to show. Add a renderer here when an area adds details.
 */
import type { Report } from '../core/model.js';
import { reviewSection, reviewTextSection } from './review-section.js';
import { renderHealthSection } from './health-section.js';
import { renderDescriptionSection } from './description-section.js';
import { renderSyncPlans, renderSyncPlansText } from './sync-plan.js';
import { renderApplicationsSection, renderApplicationsText } from './applications-section.js';
import { renderRenderSection } from './render-section.js';

/**
 * What a section renderer returns: its Markdown (starting with a heading), or a full and a compact
 * form. When the summary must fit a size limit, the compact form is used first, then the section is
 * replaced by a line pointing to the full report. `undefined`: nothing to show.
 */
export type SectionOutput = string | { full: string; compact?: string } | undefined;

/** Renders one area's section; `h` is the heading prefix to use (for example `###`). */
export type SectionRenderer = (report: Report, h: string) => SectionOutput;

/** Renderers, in the order their sections appear. */
export const AREA_SECTIONS: SectionRenderer[] = [reviewSection, renderDescriptionSection, renderApplicationsSection, renderSyncPlans, renderRenderSection, renderHealthSection];

/** Renders one area's details as plain text lines for the terminal report (empty when nothing to show). */
export type TextSectionRenderer = (report: Report) => string[];

/** Plain-text renderers, in order. */
export const AREA_TEXT_SECTIONS: TextSectionRenderer[] = [reviewTextSection, renderApplicationsText, renderSyncPlansText];
