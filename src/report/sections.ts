/**
 * Area sections of the summary (approvals, description requirements, sync plans, rendered manifests,
 * health-check tests).
 * Each renderer reads its area's entry in `report.details` and returns Markdown, or `undefined` when
 * it has nothing to show; renderers build their Markdown as mdast nodes (./md.ts), so PR text is escaped by
 * the serialiser. Add a renderer here when an area adds details.
 */
import { reviewSection, reviewTextSection } from './review-section.js';
import { renderHealthSection } from './health-section.js';
import { renderDescriptionSection } from './description-section.js';
import { renderSyncPlans, renderSyncPlansText } from './sync-plan.js';
import { renderApplicationsSection, renderApplicationsText } from './applications-section.js';
import { renderRenderSection, renderRenderText } from './render-section.js';

export type { SectionOutput, SectionRenderer, TextSectionRenderer } from './section-types.js';
import type { SectionRenderer, TextSectionRenderer } from './section-types.js';

/** Renderers, in the order their sections appear. */
export const AREA_SECTIONS: readonly SectionRenderer[] = Object.freeze([reviewSection, renderDescriptionSection, renderApplicationsSection, renderSyncPlans, renderRenderSection, renderHealthSection]);

/** Plain-text renderers, in order. */
export const AREA_TEXT_SECTIONS: readonly TextSectionRenderer[] = Object.freeze([reviewTextSection, renderApplicationsText, renderRenderText, renderSyncPlansText]);
