/**
 * The review area: who must approve a change and whose approvals count (separation of duties, code owners,
 * stale approvals, break-glass). Its `gather` reads CODEOWNERS from the base side; the Action looks up
 * permissions and team members beforehand (src/review/gather.ts).
 */
import type { AreaModule } from '../area/contract.js';
import type { ReviewSettings } from './settings.js';
import { reviewCheck } from './check.js';
import type { ReviewDetails } from './details.js';
import { prepareReview } from './prepare.js';

declare module '../core/model.js' {
  interface ReportDetails {
    /** Per requirement its state, and each approval with what it counted for (src/review/details.ts). */
    review?: ReviewDetails;
  }
}

declare module '../policy/types.js' {
  interface Policy {
    /** The review area's settings (src/review/settings.ts). */
    review: ReviewSettings;
  }
}

/** The review area. */
export const reviewArea: AreaModule = {
  id: 'review',
  title: 'Review',
  settingsKey: 'review',
  checks: [reviewCheck],
  async gather({ change, policy }) {
    const prepared = await prepareReview(change, policy);
    return prepared === change ? {} : { change: { codeowners: prepared.codeowners } };
  },
};
