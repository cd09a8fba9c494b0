/** The one paginator (src/github/paginate.ts): Link-following and numbered pages, caps reported as truncation. */
import { describe, expect, it } from 'vitest';
import { GitHubResponseError } from '../../src/core/errors.js';
import { collectPages, linkPages, nextLink, numberedPages } from '../../src/github/paginate.js';
import type { GitHubRequester } from '../../src/github/requester.js';

/** A fake `request` serving `total` numbered items 100 per page; records the pages asked for. */
function numbered(total: number): GitHubRequester & { asked: number[] } {
  const asked: number[] = [];
  return {
    asked,
    request(_route, params) {
      const page = Number(params?.page);
      asked.push(page);
      const from = (page - 1) * 100;
      return Promise.resolve({ status: 200, data: Array.from({ length: Math.max(0, Math.min(100, total - from)) }, (_, i) => from + i) });
    },
  };
}

/** Responses as Octokit's `paginate.iterator` yields them: `link` names the next page but the last. */
async function* linked(pages: number[][]): AsyncIterable<{ data: number[]; headers: { link?: string } }> {
  for (const [i, data] of pages.entries()) yield { data, headers: i < pages.length - 1 ? { link: `<http://127.0.0.1/x?page=${i + 2}>; rel="next", <http://127.0.0.1/x?page=${pages.length}>; rel="last"` } : {} };
}

describe('collectPages', () => {
  it('reads numbered pages until one is short, one request per page', async () => {
    const api = numbered(250);
    const read = await collectPages(numberedPages(api, 'GET /x', {}));
    expect(read).toMatchObject({ pages: 3, truncated: false });
    expect(read.items).toHaveLength(250);
    expect(api.asked).toEqual([1, 2, 3]);
  });

  it('reports truncation when it stops at the cap while GitHub has more, and not when the list ends there', async () => {
    const more = numbered(301);
    const cut = await collectPages(numberedPages(more, 'GET /x', {}), { maxPages: 3 });
    expect(cut).toMatchObject({ pages: 3, truncated: true });
    expect(more.asked).toEqual([1, 2, 3]);
    const exact = await collectPages(numberedPages(numbered(299), 'GET /x', {}), { maxPages: 3 });
    expect(exact).toMatchObject({ pages: 3, truncated: false });
  });

  it('follows rel="next" links and stops where GitHub names none', async () => {
    const read = await collectPages(linkPages(linked([[1, 2], [3], [4]])));
    expect(read).toEqual({ items: [1, 2, 3, 4], pages: 3, truncated: false });
    const capped = await collectPages(linkPages(linked([[1], [2], [3]])), { maxPages: 2 });
    expect(capped).toEqual({ items: [1, 2], pages: 2, truncated: true });
  });

  it('stops early when the caller has what it needs (not truncation)', async () => {
    const api = numbered(1000);
    const read = await collectPages(numberedPages(api, 'GET /x', {}), { until: (items) => items.includes(150) });
    expect(read).toMatchObject({ pages: 2, truncated: false });
    expect(api.asked).toEqual([1, 2]);
  });

  it('maps a failed page with onError, knowing how many pages came back', async () => {
    let n = 0;
    const api: GitHubRequester = {
      request: () => (++n === 3 ? Promise.reject(new Error('reset')) : Promise.resolve({ status: 200, data: Array.from({ length: 100 }, () => n) })),
    };
    await expect(collectPages(numberedPages(api, 'GET /x', {}), { onError: (e, read) => new Error(`page ${read + 1}: ${(e as Error).message}`) })).rejects.toThrow('page 3: reset');
  });

  it('throws a GitHubResponseError when a page is not a list', async () => {
    const api: GitHubRequester = { request: () => Promise.resolve({ status: 200, data: { message: 'odd' } }) };
    await expect(collectPages(numberedPages(api, 'GET /x', {}))).rejects.toThrow(GitHubResponseError);
  });

  it('reads the next link among others', () => {
    expect(nextLink('<http://127.0.0.1/a?page=1>; rel="prev", <http://127.0.0.1/a?page=3>; rel="next"')).toBe('http://127.0.0.1/a?page=3');
    expect(nextLink('<http://127.0.0.1/a?page=1>; rel="first"')).toBeUndefined();
    expect(nextLink(undefined)).toBeUndefined();
  });
});
