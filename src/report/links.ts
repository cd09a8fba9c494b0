/** Links from a report to GitHub: files and lines on the head commit, the PR. */
import type { Report } from '../core/model.js';
import { encodePath } from './escape.js';

/**
 * The web base URL and `owner/name` of the report's repository: from the report, or else from the
 * PR's web URL (`<server>/<owner>/<name>/pull/<n>`, as a local run with `--pr` knows it).
 */
export function repositoryWeb(report: Report): { server: string; repository: string } | undefined {
  const { repository, serverUrl, pr } = report.change;
  if (repository) return { server: (serverUrl ?? 'https://github.com').replace(/\/+$/, ''), repository };
  const m = pr?.url ? /^(https?:\/\/[^/]+)\/([^/]+\/[^/]+)\/pull\/\d+\/?$/.exec(pr.url) : null;
  return m ? { server: m[1]!, repository: m[2]! } : undefined;
}

/** URL of `file` at line `line` on the head commit, when the repository is known. */
export function lineUrl(report: Report, file: string, line?: number): string | undefined {
  const web = repositoryWeb(report);
  if (!web) return undefined;
  return `${web.server}/${web.repository}/blob/${report.change.headSha}/${encodePath(file)}${line ? `#L${line}` : ''}`;
}
