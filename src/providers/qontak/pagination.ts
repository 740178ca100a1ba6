// Qontak pages with an offset (a 1-based page number), a cursor, or both, depending on the endpoint and its age.
// Follow whichever the response offers and stop on whatever says "no more".
import type { HttpClient, QueryValue } from '../http.js';

export interface QontakPagination {
  cursor?: { next?: string | number | null; prev?: string | number | null } | null;
  offset?: number | null;
  limit?: number | null;
  total?: number | null;
}
interface Page<T> {
  data: T[];
  meta?: { pagination?: QontakPagination };
}

export interface PageOptions {
  /** Stop after this many items (undefined: all). */
  max?: number;
  pageSize?: number;
}

export async function* qontakPages<T>(
  http: HttpClient,
  path: string,
  query: Record<string, QueryValue>,
  opts: PageOptions = {},
): AsyncGenerator<T> {
  const limit = opts.pageSize ?? 50;
  let offset = 1;
  let cursor: string | undefined;
  let seen = 0;
  const cursorsUsed = new Set<string>();
  for (;;) {
    const q: Record<string, QueryValue> = { ...query, limit };
    if (cursor !== undefined) {
      q.cursor = cursor;
      q.cursor_direction = 'after';
    } else q.offset = offset;
    const { body } = await http.request<Page<T>>({ method: 'GET', path, query: q });
    const data = Array.isArray(body?.data) ? body.data : [];
    for (const item of data) {
      yield item;
      seen++;
      if (opts.max !== undefined && seen >= opts.max) return;
    }
    const p = body?.meta?.pagination ?? {};
    const total = typeof p.total === 'number' ? p.total : undefined;
    // A short page is the last one, whatever `total` claims (recorded responses carry totals that do not add up).
    const pageLimit = Math.min(limit, typeof p.limit === 'number' && p.limit > 0 ? p.limit : limit);
    if (data.length === 0 || data.length < pageLimit || (total !== undefined && seen >= total)) return;
    const next = p.cursor?.next;
    if (next !== undefined && next !== null && next !== '') {
      const key = String(next);
      if (cursorsUsed.has(key)) return; // A server that repeats a cursor would loop forever.
      cursorsUsed.add(key);
      cursor = key;
      continue;
    }
    if (cursor !== undefined) return; // Cursor paging that ran out.
    offset++;
  }
}
