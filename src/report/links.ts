/** Links from a report to GitHub: files and lines on the head commit, the PR. */
import type { Report } from '../core/model.js';
import { encodePath } from './escape.js';

/** URL of `file` at line `line` on the head commit, when the repository is known. */
export function lineUrl(report: Report, file: string, line?: number): string | undefined {
  const { repository, serverUrl, headSha } = report.change;
  if (!repository) return undefined;
  const base = (serverUrl ?? 'https://github.com').replace(/\/+$/, '');
  return `${base}/${repository}/blob/${headSha}/${encodePath(file)}${line ? `#L${line}` : ''}`;
}
