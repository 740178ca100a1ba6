// Small request/response helpers for the simulator: no framework, so what goes on the wire is plain to see.
import type { IncomingMessage, ServerResponse } from 'node:http';

export interface Req {
  method: string;
  /** Path with query, exactly as received (what an HMAC signature covers). */
  rawPath: string;
  path: string;
  query: URLSearchParams;
  headers: IncomingMessage['headers'];
  body: Buffer;
  params: Record<string, string>;
}

export interface Reply {
  status: number;
  body: unknown;
  headers?: Record<string, string>;
}

export type Handler = (req: Req) => Reply | Promise<Reply>;

export interface Route {
  method: string;
  pattern: RegExp;
  handler: Handler;
}

export function route(method: string, path: string, handler: Handler): Route {
  // "/templates/:id/whatsapp" → named groups
  const source = path.replace(/\//g, '\\/').replace(/:(\w+)/g, '(?<$1>[^/]+)');
  return { method, pattern: new RegExp(`^${source}$`), handler };
}

export function match(routes: readonly Route[], method: string, path: string): { handler: Handler; params: Record<string, string> } | 'method' | undefined {
  let pathMatched = false;
  for (const r of routes) {
    const m = r.pattern.exec(path);
    if (!m) continue;
    pathMatched = true;
    if (r.method === method) return { handler: r.handler, params: Object.fromEntries(Object.entries(m.groups ?? {}).map(([k, v]) => [k, decodeURIComponent(v)])) };
  }
  return pathMatched ? 'method' : undefined;
}

export async function readBody(req: IncomingMessage, limit = 64 * 1024 * 1024): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const c of req) {
    size += (c as Buffer).length;
    if (size > limit) throw new Error('body too large');
    chunks.push(c as Buffer);
  }
  return Buffer.concat(chunks);
}

export function jsonBody(req: Req): unknown {
  if (req.body.length === 0) return undefined;
  try {
    return JSON.parse(req.body.toString('utf8'));
  } catch {
    return Symbol.for('invalid-json');
  }
}

export function send(res: ServerResponse, reply: Reply): void {
  const text = JSON.stringify(reply.body);
  res.writeHead(reply.status, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(text), ...reply.headers });
  res.end(text);
}

// ---- Qontak envelopes

export const ok = (data: unknown, status = 200): Reply => ({ status, body: { status: 'success', data } });

export const qError = (code: number, messages: unknown[], headers?: Record<string, string>): Reply => ({
  status: code,
  body: { status: 'error', error: { code, messages } },
  ...(headers ? { headers } : {}),
});

export const notFound = (thing: string, id: string): Reply => qError(422, [`Couldn't find ${thing} with 'id'=${id}`]);

export interface PageMeta {
  /** Opaque: strings, or numbers as the recorded broadcast listing has them. */
  cursor: { next: string | number | null; prev: string | number | null; pit: null };
  offset: number;
  limit: number;
  total: number;
  target_offset: number;
}

/**
 * Qontak-style paging over a list: `offset` is a 1-based page number, `cursor` an opaque position. The answer
 * carries both forms, so clients can follow either.
 */
export class BadPageQuery extends Error {}

/** The position a cursor stands for; throws BadPageQuery on anything this sandbox did not issue. */
function cursorPosition(cursor: string): number {
  const m = /^pos:(\d+)$/.exec(Buffer.from(cursor, 'base64url').toString('utf8'));
  if (!m) throw new BadPageQuery(`cursor ${cursor} is invalid`);
  return Number(m[1]);
}

export function paginate<T>(items: readonly T[] | { length: number; at: (i: number) => T }, query: URLSearchParams, defaultLimit = 10): { data: T[]; meta: { pagination: PageMeta } } {
  const total = items.length;
  const limit = Math.max(1, Math.min(100, Number(query.get('limit')) || defaultLimit));
  let start: number;
  const cursor = query.get('cursor');
  const direction = query.get('cursor_direction');
  if (direction !== null && direction !== 'after' && direction !== 'before') throw new BadPageQuery('cursor_direction must be after or before');
  let offset: number;
  if (cursor) {
    const pos = cursorPosition(cursor);
    // `before` reads the page that ends where the cursor stands.
    start = direction === 'before' ? Math.max(0, pos - limit) : pos;
    offset = Math.floor(start / limit) + 1;
  } else {
    offset = Math.max(1, Number(query.get('offset')) || 1);
    start = (offset - 1) * limit;
  }
  const end = cursor && direction === 'before' ? Math.min(total, cursorPosition(cursor)) : Math.min(total, start + limit);
  const data: T[] = [];
  for (let i = start; i < end; i++) data.push('at' in items && typeof items.at === 'function' ? (items.at(i) as T) : (items as readonly T[])[i]!);
  const next = end < total ? Buffer.from(`pos:${end}`).toString('base64url') : null;
  // next reads forward (cursor_direction=after, the default); prev reads backward (cursor_direction=before).
  const prev = start > 0 ? Buffer.from(`pos:${start}`).toString('base64url') : null;
  return { data, meta: { pagination: { cursor: { next, prev, pit: null }, offset, limit, total, target_offset: start } } };
}

export function okPage<T>(page: { data: T[]; meta: unknown }): Reply {
  return { status: 200, body: { status: 'success', data: page.data, meta: page.meta } };
}

// ---- Konekwa envelopes

export const kError = (status: number, code: string, message: string, details?: string, headers?: Record<string, string>): Reply => ({
  status,
  body: { error: { code, message, ...(details ? { details } : {}) } },
  ...(headers ? { headers } : {}),
});
