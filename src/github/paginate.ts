/**
 * The one paginator of GitHub REST lists. A list is read as a sequence of pages from one of two sources:
 *
 * - {@link linkPages}: Octokit's `paginate.iterator` (the client's own paginate plugin), which follows the
 *   `Link: <…>; rel="next"` header GitHub sends, so a page is requested only when GitHub says there is one;
 * - {@link numberedPages}: `page=1, 2, …` through a bare {@link GitHubRequester} (the review facts and the
 *   publishing layer, whose tests pass small fakes without headers), stopping after a page shorter than
 *   `per_page`.
 *
 * {@link collectPages} reads them, honours a page cap and says whether it stopped at the cap while GitHub had
 * more (`truncated`): a caller that judges a list must look at it, since a list cut short is never a pass.
 * Request counts are those of the two sources: one request per page, none after the last.
 */
import { GitHubResponseError } from '../core/errors.js';
import type { GitHubRequester } from './requester.js';

/** One page of a list. */
export interface Page<T> {
  /** The page's items, in GitHub's order. */
  items: T[];
  /** Whether GitHub has a next page (a `rel="next"` link, or a full page when paging by number). */
  more: boolean;
}

/** Items per page: the REST API's maximum. */
export const PER_PAGE = 100;

/** What {@link collectPages} read. */
export interface Paginated<T> {
  /** Every item of the pages read, in order. */
  items: T[];
  /** Pages read (requests made, retries not counted). */
  pages: number;
  /**
   * True when reading stopped at `maxPages` while GitHub had more: `items` is then a prefix of the list and
   * the caller must fail closed (or say what it could not see).
   */
  truncated: boolean;
}

/** Options of {@link collectPages}. */
export interface CollectOptions<T> {
  /** Most pages to read; past it the result is `truncated`. Default: no cap. */
  maxPages?: number;
  /** Stops reading after a page for which this is true (an early stop the caller asked for: not truncation). */
  until?: (pageItems: readonly T[]) => boolean;
  /**
   * Maps a failed page request to the error thrown; `pagesRead` is how many pages came back before it
   * (0: the first page failed). Default: the error as thrown.
   */
  onError?: (err: unknown, pagesRead: number) => unknown;
}

/**
 * Reads `pages` until GitHub has no more, `until` holds, or `maxPages` pages were read.
 * @throws what `onError` returns for a failed page (by default the request's own error)
 */
export async function collectPages<T>(pages: AsyncIterable<Page<T>>, opts: CollectOptions<T> = {}): Promise<Paginated<T>> {
  const max = opts.maxPages ?? Infinity;
  const items: T[] = [];
  let read = 0;
  let truncated = false;
  try {
    for await (const page of pages) {
      read++;
      items.push(...page.items);
      if (opts.until?.(page.items) || !page.more) break;
      if (read >= max) {
        truncated = true;
        break;
      }
    }
  } catch (err) {
    throw opts.onError ? opts.onError(err, read) : err;
  }
  return { items, pages: read, truncated };
}

/** The `rel="next"` URL of a `Link` header, if any. */
export function nextLink(link: unknown): string | undefined {
  if (typeof link !== 'string') return undefined;
  return /<([^>]+)>;\s*rel="next"/.exec(link)?.[1];
}

/**
 * Pages of Octokit's `paginate.iterator(...)`, which requests the next page only when the `Link` header
 * names one.
 * @param responses the iterator; each response's `data` must be the page's list
 * @throws {GitHubResponseError} when a page's `data` is not a list
 */
export async function* linkPages<T>(responses: AsyncIterable<{ data: T[]; headers?: { link?: string } }>, what = 'a page'): AsyncIterable<Page<T>> {
  for await (const res of responses) {
    if (!Array.isArray(res.data)) throw new GitHubResponseError(`GitHub did not answer a list for ${what}`);
    yield { items: res.data, more: nextLink(res.headers?.link) !== undefined };
  }
}

/**
 * Pages `page=1, 2, …` of `route` with `per_page` {@link PER_PAGE}; a page shorter than that is the last.
 * @param itemsOf where the list is in a response (default: the body itself; check runs: `check_runs`)
 * @throws {GitHubResponseError} when a page is not a list; the request's own error when it fails
 */
export async function* numberedPages(
  api: GitHubRequester,
  route: string,
  params: Record<string, unknown>,
  itemsOf: (data: unknown) => unknown = (d) => d,
): AsyncIterable<Page<unknown>> {
  for (let page = 1; ; page++) {
    const { data } = await api.request(route, { ...params, per_page: PER_PAGE, page });
    const items = itemsOf(data);
    if (!Array.isArray(items)) throw new GitHubResponseError(`${route} did not answer a list (page ${page})`);
    yield { items, more: items.length >= PER_PAGE };
    if (items.length < PER_PAGE) return;
  }
}
