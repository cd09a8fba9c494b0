/**
 * Area sections of the summary (approvals, description requirements, sync plans, health-check tests).
 * Each renderer reads its area's entry in `report.details` and returns Markdown, or `undefined` when
 * it has nothing to show. Add a renderer here when an area adds details.
 */
import type { Report } from '../core/model.js';
import { renderDescriptionSection } from './description-section.js';

/** Renders one area's section; `h` is the heading prefix to use (for example `###`). */
export type SectionRenderer = (report: Report, h: string) => string | undefined;

/** Renderers, in the order their sections appear. */
export const AREA_SECTIONS: SectionRenderer[] = [renderDescriptionSection];
