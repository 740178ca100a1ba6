// The one paging helper. Every listing of a provider goes through it, so the stopping rules live in one place:
//   - an empty page ends the listing;
//   - a cursor seen before (or `next == prev`, as Qontak's documented log example shows on its last page) ends it;
//   - items are de-duplicated by id across page boundaries;
//   - what `offset` means (a page number or a count to skip) is read from the first answer's own meta, because the
//     documents disagree: the notes say "results to skip" (offset=0), recorded pages echo offset:1 with target_offset:0.
// Offsets are preferred over cursors whenever the server reports them: Qontak's cursors are keyset cursors (the
// created_at of a page's last item), and items sharing that timestamp can fall between two cursor pages.

export interface PageMeta {
  cursor?: { next?: unknown; prev?: unknown } | null;
  offset?: unknown;
  limit?: unknown;
  total?: unknown;
  target_offset?: unknown;
}

/** Where to read a page: the first (server defaults), by offset, or by cursor. */
export type PagePosition = { kind: 'first' } | { kind: 'offset'; offset: number } | { kind: 'cursor'; cursor: string };

export interface PageAnswer<T> {
  items: T[];
  meta: PageMeta | undefined;
}

/** How `offset` counts, as the first answer showed. */
export type OffsetMode = 'page' | 'skip';

/** What a listing remembers between pages; plain data, so a caller can carry it in a token (see encodeState). */
export interface PagerState {
  limit: number;
  mode: OffsetMode | 'cursor' | undefined;
  /** Page number (page mode) or items skipped (skip mode) of the page just read. */
  offset: number;
  read: number;
  cursors: string[];
}

export function pagerStart(limit: number): PagerState {
  return { limit, mode: undefined, offset: 0, read: 0, cursors: [] };
}

const num = (v: unknown): number | undefined => (typeof v === 'number' && Number.isFinite(v) ? v : undefined);
const cursorText = (v: unknown): string | undefined => (v === undefined || v === null || v === '' ? undefined : String(v));

/** Decides the offset semantics from a first answer's meta; undefined when the meta carries no usable offset. */
export function offsetModeOf(meta: PageMeta | undefined, limit: number): OffsetMode | undefined {
  const offset = num(meta?.offset);
  if (offset === undefined) return undefined;
  const target = num(meta?.target_offset);
  const pageLimit = num(meta?.limit) ?? limit;
  if (target !== undefined) {
    if (offset >= 1 && target === (offset - 1) * pageLimit) return 'page';
    if (target === offset) return 'skip';
    return undefined;
  }
  // A first page echoes 1 when offset is a page number and 0 when it counts skipped items.
  if (offset === 1) return 'page';
  if (offset === 0) return 'skip';
  return undefined;
}

/**
 * After reading a page: the position of the next one, or null at the end. Mutates `state`.
 * `seenCount` is the number of items on this page (before de-duplication).
 */
export function nextPosition(state: PagerState, answer: PageAnswer<unknown>, at: PagePosition, shortPageEnds = true): PagePosition | null {
  const n = answer.items.length;
  if (n === 0) return null;
  state.read += n;
  const meta = answer.meta;
  const pageLimit = num(meta?.limit) ?? state.limit;
  const total = num(meta?.total);
  if (state.mode === undefined) {
    state.mode = offsetModeOf(meta, state.limit) ?? (cursorText(meta?.cursor?.next) !== undefined ? 'cursor' : undefined);
    state.offset = state.mode === 'page' ? num(meta?.offset)! : 0;
  } else if (at.kind === 'offset') state.offset = at.offset;
  // A short page is the last one, whatever else the meta says.
  if (shortPageEnds && n < Math.min(pageLimit, state.limit)) return null;
  if (total !== undefined && state.read >= total) return null;
  if (state.mode === 'page') return { kind: 'offset', offset: state.offset + 1 };
  if (state.mode === 'skip') return { kind: 'offset', offset: state.read };
  if (state.mode === 'cursor') {
    const next = cursorText(meta?.cursor?.next);
    const prev = cursorText(meta?.cursor?.prev);
    if (next === undefined || next === prev || state.cursors.includes(next)) return null;
    state.cursors.push(next);
    return { kind: 'cursor', cursor: next };
  }
  return null;
}

export interface PageThroughOptions<T> {
  pageSize: number;
  /** Stop after this many distinct items (undefined: all). */
  max?: number;
  /** An item's identity, for de-duplication across pages (items without one are never dropped). */
  idOf?: (item: T) => string | undefined;
  /** Hard stop against a server that never ends a listing. */
  maxPages?: number;
  /**
   * Whether a page shorter than the page size is the last (default true). Off where the page size is the server's
   * own and undocumented as a fixed count: only the token then says whether more follows.
   */
  shortPageEnds?: boolean;
}

/** Every item of a listing, once. `fetchPage` reads one page at a position. */
export async function* pageThrough<T>(fetchPage: (at: PagePosition, limit: number) => Promise<PageAnswer<T>>, opts: PageThroughOptions<T>): AsyncGenerator<T> {
  const state = pagerStart(opts.pageSize);
  const seen = new Set<string>();
  const maxPages = opts.maxPages ?? 100_000;
  let at: PagePosition | null = { kind: 'first' };
  let emitted = 0;
  for (let pages = 0; at !== null && pages < maxPages; pages++) {
    const answer = await fetchPage(at, opts.pageSize);
    for (const item of answer.items) {
      const id = opts.idOf?.(item);
      if (id !== undefined) {
        if (seen.has(id)) continue;
        seen.add(id);
      }
      yield item;
      emitted++;
      if (opts.max !== undefined && emitted >= opts.max) return;
    }
    at = nextPosition(state, answer, at, opts.shortPageEnds ?? true);
  }
}

/** Query parameters for a position, as Qontak names them. */
export function positionQuery(at: PagePosition, limit: number): Record<string, string | number> {
  if (at.kind === 'offset') return { limit, offset: at.offset };
  if (at.kind === 'cursor') return { limit, cursor: at.cursor, cursor_direction: 'after' };
  return { limit };
}

/** A pager state and the next position in one opaque token, for APIs that hand out one page at a time. */
export function encodeState(state: PagerState, at: PagePosition): string {
  return Buffer.from(JSON.stringify({ s: state, a: at }), 'utf8').toString('base64url');
}

export function decodeState(token: string): { state: PagerState; at: PagePosition } | undefined {
  try {
    const v = JSON.parse(Buffer.from(token, 'base64url').toString('utf8')) as { s: PagerState; a: PagePosition };
    if (typeof v?.s?.limit !== 'number' || !Array.isArray(v.s.cursors) || typeof v.a?.kind !== 'string') return undefined;
    return { state: v.s, at: v.a };
  } catch {
    return undefined;
  }
}
