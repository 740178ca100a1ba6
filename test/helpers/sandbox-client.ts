// A bare client for the sandbox tests: signs HMAC itself (its own code, not the project's signer) and talks plain
// HTTP to 127.0.0.1, so what the sandbox accepts or refuses is seen exactly as a real client would.
import { createHmac } from 'node:crypto';
import http from 'node:http';
import type { Sandbox } from '../../src/sandbox/index.js';

export interface Answer {
  status: number;
  headers: Headers;
  text: string;
  // Parsed JSON; tests read loosely typed API answers.
  body: any;
}

export function hmacHeaders(sb: Sandbox, method: string, pathWithQuery: string, opts: { secret?: string; date?: string; clock?: number } = {}): Record<string, string> {
  const date = opts.date ?? new Date(opts.clock ?? Date.now()).toUTCString();
  const signature = createHmac('sha256', opts.secret ?? sb.credentials.hmacClientSecret).update(`date: ${date}\n${method} ${pathWithQuery} HTTP/1.1`).digest('base64');
  return {
    date,
    authorization: `hmac username="${sb.credentials.hmacClientId}", algorithm="hmac-sha256", headers="date request-line", signature="${signature}"`,
  };
}

async function answer(res: Response): Promise<Answer> {
  const text = await res.text();
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    body = undefined;
  }
  return { status: res.status, headers: res.headers, text, body };
}

export function clients(sb: Sandbox, clock: () => number) {
  /** Qontak over the HMAC gateway prefix. */
  const q = async (method: string, path: string, body?: unknown, headers: Record<string, string> = {}): Promise<Answer> => {
    const full = `${sb.qontakHmacPrefix}${path}`;
    const res = await fetch(`${sb.url}${full}`, {
      method,
      headers: { ...hmacHeaders(sb, method, full, { clock: clock() }), ...(body !== undefined ? { 'content-type': 'application/json' } : {}), ...headers },
      ...(body !== undefined ? { body: typeof body === 'string' ? body : JSON.stringify(body) } : {}),
    });
    return answer(res);
  };
  /** Qontak over the legacy Bearer prefix. */
  const bearer = async (method: string, path: string, token: string, body?: unknown): Promise<Answer> => {
    const res = await fetch(`${sb.qontakOauthBaseUrl}${path}`, {
      method,
      headers: { authorization: `Bearer ${token}`, ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
      ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
    });
    return answer(res);
  };
  const k = async (method: string, path: string, body?: unknown, key = sb.credentials.konekwaApiKey): Promise<Answer> => {
    const res = await fetch(`${sb.konekwaBaseUrl}${path}`, {
      method,
      headers: { 'x-api-key': key, ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
      ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
    });
    return answer(res);
  };
  /** multipart upload of a contact list; the signature covers the request line only. */
  const upload = async (fields: Record<string, string>, file?: { name: string; data: Uint8Array | string; type?: string }, path = '/contacts/contact_lists/async'): Promise<Answer> => {
    const full = `${sb.qontakHmacPrefix}${path}`;
    const form = new FormData();
    for (const [name, v] of Object.entries(fields)) form.append(name, v);
    if (file) form.append('file', new Blob([file.data], { type: file.type ?? 'text/csv' }), file.name);
    const res = await fetch(`${sb.url}${full}`, { method: 'POST', headers: hmacHeaders(sb, 'POST', full, { clock: clock() }), body: form });
    return answer(res);
  };
  return { q, bearer, k, upload };
}

/** A GET with node:http, for answers fetch refuses to parse (bad headers) or to see socket-level failures. */
export function rawGet(url: string, headers: Record<string, string>): Promise<{ status: number; headers: http.IncomingHttpHeaders; text: string }> {
  return new Promise((resolve, reject) => {
    http
      .get(url, { headers }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, text: Buffer.concat(chunks).toString('utf8') }));
        res.on('error', reject);
      })
      .on('error', reject);
  });
}

/** Every key path of a JSON value ("data[].messages_response"), for comparing shapes with recorded answers. */
export function keyPaths(v: unknown, prefix = '', depth = 2): string[] {
  if (depth < 0 || v === null || typeof v !== 'object') return [];
  if (Array.isArray(v)) return v.length ? keyPaths(v[0], `${prefix}[]`, depth) : [];
  return Object.entries(v as Record<string, unknown>).flatMap(([key, child]) => {
    const p = prefix ? `${prefix}.${key}` : key;
    return [p, ...keyPaths(child, p, depth - 1)];
  });
}
