// The sandbox: a local simulator of the Qontak and Konekwa APIs over real HTTP on 127.0.0.1, used by
// `wa-cli sandbox`, `wa-cli demo` and the tests.
//   Qontak (HMAC)   {url}/qontak/chat/v1/...
//   Qontak (OAuth)  {url}/api/open/v1/...  with  {url}/oauth/token
//   Konekwa         {url}/konekwa/v1/...   and   {url}/konekwa/health
import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { randomBytes } from 'node:crypto';
import { bearerToken, verifyHmac, type DigestPolicy } from './auth.js';
import { FaultController, type FaultKind } from './faults.js';
import { BadPageQuery, jsonBody, kError, match, qError, readBody, send, type Reply, type Req, type Route } from './http-kit.js';
import { konekwaRoutes } from './konekwa.js';
import { qontakRoutes } from './qontak.js';
import { mulberry32 } from './rng.js';
import { ORG_ID } from './seed.js';
import { SandboxState } from './state.js';

export interface SandboxCredentials {
  hmacClientId: string;
  hmacClientSecret: string;
  oauthUsername: string;
  oauthPassword: string;
  oauthClientId: string;
  oauthClientSecret: string;
  accessToken: string;
  refreshToken: string;
  konekwaApiKey: string;
}

/** Rates and delays that tests tune; changeable while the sandbox runs (`sandbox.setLimits`). */
export interface SandboxLimits {
  /** Direct sends allowed per sliding minute before 429 (Qontak documents 60). */
  directPerMinute: number;
  /** A bulk send this soon after the previous one is refused with "Please wait a moment…" (divided by speed). */
  bulkCooldownMs: number;
  /** How long an uploaded list stays `processing` (divided by speed). */
  listProcessingMs: number;
  /** Konekwa sends: token bucket refill per second, and its size. */
  konekwaRatePerSecond: number;
  konekwaBurst: number;
  /**
   * How long after its 202 a Konekwa message is listed (and found by id): the queue is asynchronous. Never divided by
   * speed; tests set it (`setLimits`).
   */
  konekwaListLagMs: number;
}

export const DEFAULT_LIMITS: SandboxLimits = {
  directPerMinute: 60,
  bulkCooldownMs: 5000,
  listProcessingMs: 1500,
  konekwaRatePerSecond: 20,
  konekwaBurst: 20,
  konekwaListLagMs: 2000,
};

export interface SandboxOptions extends Partial<SandboxLimits> {
  port?: number;
  host?: string;
  /** The sandbox's clock in ms (HMAC window, delivery progress). */
  now?: () => number;
  seed?: number;
  /** Time multiplier for delivery and list processing (2 = twice as fast). */
  speed?: number;
  credentials?: Partial<SandboxCredentials>;
  /** Same as the flat fields; either form works. */
  limits?: Partial<SandboxLimits>;
  /** The optional HMAC `Digest` header: checked when sent (default), ignored, or required on POST/PUT. */
  hmacDigest?: DigestPolicy;
  /** Keep every request (method, path, headers, body) in state.requests (default true; off for big benchmarks). */
  recordRequests?: boolean;
  /** Also hold the contact list and broadcast of the recordings, with their ids (default false: an empty account). */
  recorded?: boolean;
}

export const QONTAK_HMAC_PREFIX = '/qontak/chat/v1';
export const QONTAK_OAUTH_PREFIX = '/api/open/v1';
export const KONEKWA_PREFIX = '/konekwa';

export interface Sandbox {
  /** http://127.0.0.1:PORT — the origin; Qontak clients take this as their base URL and add their prefix. */
  url: string;
  /** Same as url. */
  baseUrl: string;
  qontakHmacPrefix: typeof QONTAK_HMAC_PREFIX;
  qontakOauthPrefix: typeof QONTAK_OAUTH_PREFIX;
  /** url + '/qontak/chat/v1' (HMAC). */
  qontakHmacBaseUrl: string;
  /** url + '/api/open/v1' (Bearer). */
  qontakOauthBaseUrl: string;
  /** url + '/oauth/token'. */
  oauthTokenUrl: string;
  /** url + '/konekwa': Konekwa clients add /v1/... and /health themselves. */
  konekwaBaseUrl: string;
  credentials: SandboxCredentials;
  faults: FaultController;
  state: SandboxState;
  /** The live limits; setLimits changes them for the following requests. */
  readonly limits: Readonly<SandboxLimits>;
  setLimits(limits: Partial<SandboxLimits>): void;
  close(): Promise<void>;
}

const secret = () => randomBytes(18).toString('base64url');

export async function startSandbox(opts: SandboxOptions = {}): Promise<Sandbox> {
  const now = opts.now ?? Date.now;
  const speed = opts.speed ?? 1;
  if (!(speed > 0)) throw new RangeError(`sandbox speed must be a positive number, got ${speed}`);
  const seed = opts.seed ?? 42;
  const state = new SandboxState(seed, now);
  state.recordRequests = opts.recordRequests ?? true;
  if (opts.recorded) state.seedRecorded();
  const limits: SandboxLimits = { ...DEFAULT_LIMITS };
  for (const k of Object.keys(DEFAULT_LIMITS) as (keyof SandboxLimits)[]) {
    const v = opts.limits?.[k] ?? opts[k];
    if (v !== undefined) limits[k] = v;
  }
  const credentials: SandboxCredentials = {
    hmacClientId: 'sandbox-client',
    hmacClientSecret: secret(),
    oauthUsername: 'ops@example.com',
    oauthPassword: secret(),
    // The pair Qontak publishes for its token endpoint ("should not be modified", notes@3656).
    oauthClientId: 'RRrn6uIxalR_QaHFlcKOqbjHMG63elEdPTair9B9YdY',
    oauthClientSecret: 'Sa8IGIh_HpVK1ZLAF0iFf7jU760osaUNV659pBIZR00',
    accessToken: secret(),
    refreshToken: secret(),
    konekwaApiKey: `kk_${secret()}`,
    ...opts.credentials,
  };
  state.validTokens.add(credentials.accessToken);
  state.refreshTokens.add(credentials.refreshToken);
  const faults = new FaultController(mulberry32(seed + 1));
  const digest = opts.hmacDigest ?? 'verify-if-present';

  const qRoutes = qontakRoutes({ state, now, speed, limits });
  const kRoutes = konekwaRoutes({ state, now, speed, limits });

  const dispatch = async (api: 'qontak' | 'konekwa', routes: Route[], req: Req): Promise<Reply> => {
    const found = match(routes, req.method, req.path);
    if (found === undefined) return api === 'qontak' ? qError(404, [`No route for ${req.method} ${req.path}`]) : kError(404, 'NOT_FOUND', `No route for ${req.method} ${req.path}`);
    if (found === 'method') return api === 'qontak' ? qError(405, ['Method not allowed']) : kError(405, 'METHOD_NOT_ALLOWED', 'Method not allowed');
    try {
      return await found.handler({ ...req, params: found.params });
    } catch (err) {
      if (err instanceof BadPageQuery) return api === 'qontak' ? qError(422, [err.message]) : kError(400, 'INVALID_REQUEST', err.message);
      throw err;
    }
  };

  // Doorkeeper's answers (RFC 6749 §5.2): a bad client is 401, a bad grant 400.
  const oauthToken = (req: Req): Reply => {
    const b = jsonBody(req);
    if (b === undefined || typeof b !== 'object' || b === null) return { status: 400, body: { error: 'invalid_request', error_description: 'The request is missing a required parameter.' } };
    const g = b as Record<string, unknown>;
    if (g.client_id !== credentials.oauthClientId || g.client_secret !== credentials.oauthClientSecret) {
      return { status: 401, body: { error: 'invalid_client', error_description: 'Client authentication failed due to unknown client, no client authentication included, or unsupported authentication method.' } };
    }
    const issue = (): Reply => {
      const access = secret();
      const refresh = secret();
      state.validTokens.add(access);
      state.refreshTokens.add(refresh);
      return { status: 200, body: { access_token: access, token_type: 'Bearer', expires_in: 31_556_952, refresh_token: refresh, created_at: Math.floor(now() / 1000) } };
    };
    const invalid: Reply = { status: 400, body: { error: 'invalid_grant', error_description: 'The provided authorization grant is invalid, expired, revoked, does not match the redirection URI used in the authorization request, or was issued to another client.' } };
    if (g.grant_type === 'password') {
      return g.username === credentials.oauthUsername && g.password === credentials.oauthPassword ? issue() : invalid;
    }
    if (g.grant_type === 'refresh_token') {
      if (typeof g.refresh_token !== 'string' || !state.refreshTokens.has(g.refresh_token)) return invalid;
      state.refreshTokens.delete(g.refresh_token); // refresh tokens rotate: each works once
      return issue();
    }
    return { status: 400, body: { error: 'unsupported_grant_type', error_description: 'The authorization grant type is not supported by the authorization server.' } };
  };

  const handle = async (raw: IncomingMessage, res: ServerResponse): Promise<void> => {
    const rawPath = raw.url ?? '/';
    const url = new URL(rawPath, 'http://sandbox');
    let body: Buffer;
    try {
      body = await readBody(raw);
    } catch {
      send(res, { status: 413, body: { message: 'Request Entity Too Large' } });
      return;
    }
    const method = (raw.method ?? 'GET').toUpperCase();
    let api: 'qontak' | 'konekwa' | 'oauth' | undefined;
    let path = url.pathname;
    if (path.startsWith(`${QONTAK_HMAC_PREFIX}/`)) {
      api = 'qontak';
      path = path.slice(QONTAK_HMAC_PREFIX.length);
    } else if (path.startsWith(`${QONTAK_OAUTH_PREFIX}/`)) {
      api = 'qontak';
      path = path.slice(QONTAK_OAUTH_PREFIX.length);
    } else if (path.startsWith(`${KONEKWA_PREFIX}/`)) {
      api = 'konekwa';
      path = path.slice(KONEKWA_PREFIX.length);
    } else if (path === '/oauth/token') api = 'oauth';
    const req: Req = { method, rawPath, path, query: url.searchParams, headers: raw.headers, body, params: {} };
    // Every answer carries the sandbox's own clock (RFC 7231 §7.1.1.2), as the real gateway's does, not Node's.
    res.setHeader('date', new Date(now()).toUTCString());
    if (state.recordRequests) {
      const { authorization: _a, 'x-api-key': _k, ...headers } = raw.headers;
      state.requests.push({ api: api ?? 'qontak', method, path, query: url.search, headers, body: body.toString('utf8'), at: now() });
    }

    const fault = api ? faults.take(method, url.pathname, api) : undefined;
    if (fault && (await applyBefore(fault, res, raw.socket, api === 'konekwa' ? 'konekwa' : 'qontak'))) return;

    let reply: Reply;
    if (api === 'oauth') reply = method === 'POST' ? oauthToken(req) : { status: 405, body: { error: 'method_not_allowed' } };
    else if (api === 'konekwa') {
      if (path === '/health' && method === 'GET') reply = { status: 200, body: { status: 'ok' } };
      else if (!path.startsWith('/v1/')) reply = kError(404, 'NOT_FOUND', `No route for ${method} ${path}`);
      else if (raw.headers['x-api-key'] === undefined || raw.headers['x-api-key'] === '') reply = kError(401, 'UNAUTHORIZED', 'Missing API key', 'Send the X-API-Key header');
      else if (raw.headers['x-api-key'] !== credentials.konekwaApiKey) reply = kError(401, 'UNAUTHORIZED', 'Invalid API key');
      else reply = await dispatch('konekwa', kRoutes, req);
    } else if (api === 'qontak') {
      if (url.pathname.startsWith(`${QONTAK_HMAC_PREFIX}/`)) {
        const v = verifyHmac(req, credentials.hmacClientId, credentials.hmacClientSecret, now(), digest);
        state.lastAuthFailure = v.ok ? undefined : v.reason;
        // The gateway says nothing more than this, whatever went wrong.
        reply = v.ok ? await dispatch('qontak', qRoutes, req) : { status: 401, body: { message: 'Unauthorized' } };
      } else {
        const token = bearerToken(req);
        reply =
          token && state.validTokens.has(token)
            ? await dispatch('qontak', qRoutes, req)
            : { ...qError(401, ['The access token is invalid']), headers: { 'www-authenticate': 'Bearer realm="Doorkeeper", error="invalid_token", error_description="The access token is invalid"' } };
      }
    } else reply = { status: 404, body: { message: 'Not Found' } };

    if ((fault?.kind === 'status' || fault?.kind === 'rate-limit') && fault.after) {
      await applyBefore({ ...fault, after: false }, res, raw.socket, api === 'konekwa' ? 'konekwa' : 'qontak');
      return;
    }
    if (fault?.kind === 'drop-after') {
      // The server did the work; the client never hears about it.
      raw.socket.destroy();
      return;
    }
    if (fault && applyAfter(fault, res, reply, api === 'konekwa' ? 'konekwa' : 'qontak')) return;
    send(res, reply);
  };

  const server = http.createServer((req, res) => {
    handle(req, res).catch((err: unknown) => {
      if (!res.headersSent) send(res, { status: 500, body: { status: 'error', error: { code: 500, messages: [err instanceof Error ? err.message : String(err)] } } });
      else res.destroy();
    });
  });
  const sockets = new Set<Socket>();
  server.on('connection', (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  const host = opts.host ?? '127.0.0.1';
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;
  const url = `http://${host.includes(':') ? `[${host}]` : host}:${port}`;
  return {
    url,
    baseUrl: url,
    qontakHmacPrefix: QONTAK_HMAC_PREFIX,
    qontakOauthPrefix: QONTAK_OAUTH_PREFIX,
    qontakHmacBaseUrl: `${url}${QONTAK_HMAC_PREFIX}`,
    qontakOauthBaseUrl: `${url}${QONTAK_OAUTH_PREFIX}`,
    oauthTokenUrl: `${url}/oauth/token`,
    konekwaBaseUrl: `${url}${KONEKWA_PREFIX}`,
    credentials,
    faults,
    state,
    limits,
    setLimits(p) {
      for (const [k, v] of Object.entries(p) as [keyof SandboxLimits, number | undefined][]) if (v !== undefined && k in limits) limits[k] = v;
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}

/** Faults that replace the answer; true when the response has been dealt with. */
async function applyBefore(f: FaultKind, res: ServerResponse, socket: Socket, api: 'qontak' | 'konekwa'): Promise<boolean> {
  if ((f.kind === 'status' || f.kind === 'rate-limit') && f.after) return false;
  switch (f.kind) {
    case 'latency':
      await new Promise((r) => setTimeout(r, f.ms));
      return false;
    case 'drop-before':
      socket.destroy();
      return true;
    case 'status':
      send(res, { status: f.status, body: f.body ?? (api === 'qontak' ? { status: 'error', error: { code: f.status, messages: ['Internal Server Error'] } } : { error: { code: 'INTERNAL', message: 'Internal error' } }) });
      return true;
    case 'rate-limit':
      send(res, rateLimited(f, api));
      return true;
    case 'html':
      res.writeHead(502, { 'content-type': 'text/html' });
      res.end('<html><head><title>502 Bad Gateway</title></head><body><center><h1>502 Bad Gateway</h1></center><hr><center>nginx</center></body></html>');
      return true;
    default:
      return false;
  }
}

/** A 429 in the API's own shape, its wait in the form the fault names. */
function rateLimited(f: Extract<FaultKind, { kind: 'rate-limit' }>, api: 'qontak' | 'konekwa'): Reply {
  const seconds = f.seconds ?? 1;
  const headers: Record<string, string> = {};
  const messages = ['Too many requests'];
  if (f.form === 'retry-after') headers['retry-after'] = String(seconds);
  else if (f.form === 'x-ratelimit-reset') headers['x-ratelimit-reset'] = String(seconds);
  else messages.push(`organization_id: ${ORG_ID}`, 'rate_limit_limit: 100', 'rate_limit_remaining: 0', `rate_limit_reset: ${seconds}`);
  return api === 'qontak' ? qError(429, messages, headers) : kError(429, 'RATE_LIMIT_EXCEEDED', 'Too many requests', undefined, headers);
}

/** Faults that damage a real answer after the work was done; true when sent. */
function applyAfter(f: FaultKind, res: ServerResponse, reply: Reply, api: 'qontak' | 'konekwa'): boolean {
  const text = JSON.stringify(reply.body);
  if (f.kind === 'rate-limit-after') {
    // A proxy or gateway in front of the API, after the API did the work.
    res.writeHead(429, { 'content-type': 'text/html', 'retry-after': '1' });
    res.end('<html><head><title>429 Too Many Requests</title></head><body><center><h1>429 Too Many Requests</h1></center><hr><center>nginx</center></body></html>');
    return true;
  }
  if (f.kind === 'bad-header') {
    // The real answer with a control character in a header value, as the legacy host once sent: Node's strict parser
    // refuses it (HPE_INVALID_HEADER_TOKEN), --insecure-http-parser reads it.
    const head = [`HTTP/1.1 ${reply.status} ${http.STATUS_CODES[reply.status] ?? 'Unknown'}`, 'Content-Type: application/json; charset=utf-8', 'X-Request-Id: sandbox\u0001id', `Content-Length: ${Buffer.byteLength(text)}`, 'Connection: close'];
    for (const [k, v] of Object.entries(reply.headers ?? {})) head.push(`${k}: ${v}`);
    res.socket?.end(`${head.join('\r\n')}\r\n\r\n${text}`);
    return true;
  }
  if (f.kind === 'malformed-json' || f.kind === 'truncated-json' || f.kind === 'wrong-content-type') {
    const body = f.kind === 'malformed-json' ? `${text.slice(0, -1)},}` : f.kind === 'truncated-json' ? text.slice(0, Math.max(1, Math.floor(text.length / 2))) : text;
    res.writeHead(reply.status, { 'content-type': f.kind === 'wrong-content-type' ? 'text/plain' : 'application/json', ...reply.headers });
    res.end(body);
    return true;
  }
  return false;
}

export { FaultController } from './faults.js';
export type { FaultRule, FaultKind, FaultMatch, FaultLog } from './faults.js';
export { SandboxState } from './state.js';
export type { ReceivedRequest, Upload, KonekwaMessage, SandboxContactList } from './state.js';
export type { DigestPolicy } from './auth.js';
