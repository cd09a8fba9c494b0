/**
 * The description area: what a pull request must say (a reason, a ticket, the template's sections), judged
 * from its Markdown. Its `gather` reads the PR templates from the base side.
 */
import type { AreaModule } from '../area/contract.js';
import type { DescriptionSettings } from './settings.js';
import { descriptionCheck, type DescriptionDetails } from './check.js';
import { withPrTemplates } from './templates.js';

declare module '../core/model.js' {
  interface ReportDetails {
    /** Per requirement its result, with the PR text it read (src/description/check.ts). */
    description?: DescriptionDetails;
  }
}

declare module '../policy/types.js' {
  interface Policy {
    /** The description area's settings (src/description/settings.ts). */
    description: DescriptionSettings;
  }
}

/** The description area. */
export const descriptionArea: AreaModule = {
  id: 'description',
  title: 'Description',
  settingsKey: 'description',
  checks: [descriptionCheck],
  async gather({ change, policy }) {
    const prepared = await withPrTemplates(change, policy);
    return prepared === change ? {} : { change: { prTemplates: prepared.prTemplates } };
  },
};
