// The sandbox: a local simulator of the Qontak and Konekwa APIs over real HTTP on 127.0.0.1, used by
// `wa-cli sandbox`, `wa-cli demo` and the tests.
//   Qontak (HMAC)   {url}/qontak/chat/v1/...
//   Qontak (OAuth)  {url}/api/open/v1/...  with  {url}/oauth/token
//   Konekwa         {url}/konekwa/v1/...   and   {url}/konekwa/health
import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { randomBytes } from 'node:crypto';
import { bearerToken, verifyHmac } from './auth.js';
import { FaultController, type FaultKind } from './faults.js';
import { jsonBody, kError, match, qError, readBody, send, type Reply, type Req, type Route } from './http-kit.js';
import { konekwaRoutes } from './konekwa.js';
import { qontakRoutes } from './qontak.js';
import { mulberry32 } from './rng.js';
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

export interface SandboxOptions {
  port?: number;
  host?: string;
  /** The sandbox's clock in ms (HMAC window, delivery progress). */
  now?: () => number;
  seed?: number;
  /** Time multiplier for delivery and list processing (2 = twice as fast). */
  speed?: number;
  credentials?: Partial<SandboxCredentials>;
  directPerMinute?: number;
  bulkCooldownMs?: number;
  listProcessingMs?: number;
  konekwaRatePerSecond?: number;
  konekwaBurst?: number;
  /** Keep every request (method, path, headers, body) in state.requests. */
  recordRequests?: boolean;
}

export interface Sandbox {
  /** http://127.0.0.1:PORT — the base URL for every API (clients add their prefix). */
  url: string;
  konekwaBaseUrl: string;
  credentials: SandboxCredentials;
  faults: FaultController;
  state: SandboxState;
  close(): Promise<void>;
}

const secret = () => randomBytes(18).toString('base64url');

export async function startSandbox(opts: SandboxOptions = {}): Promise<Sandbox> {
  const now = opts.now ?? Date.now;
  const speed = opts.speed ?? 1;
  const state = new SandboxState(opts.seed ?? 42);
  state.recordRequests = opts.recordRequests ?? true;
  const credentials: SandboxCredentials = {
    hmacClientId: 'sandbox-client',
    hmacClientSecret: secret(),
    oauthUsername: 'ops@example.com',
    oauthPassword: secret(),
    oauthClientId: 'sandbox-oauth-client',
    oauthClientSecret: secret(),
    accessToken: secret(),
    refreshToken: secret(),
    konekwaApiKey: `kk_${secret()}`,
    ...opts.credentials,
  };
  state.validTokens.add(credentials.accessToken);
  state.refreshTokens.add(credentials.refreshToken);
  const faults = new FaultController(mulberry32((opts.seed ?? 42) + 1));

  const qRoutes = qontakRoutes({
    state,
    now,
    speed,
    directPerMinute: opts.directPerMinute ?? 60,
    bulkCooldownMs: opts.bulkCooldownMs ?? 5000,
    listProcessingMs: opts.listProcessingMs ?? 1500,
  });
  const kRoutes = konekwaRoutes({ state, now, speed, ratePerSecond: opts.konekwaRatePerSecond ?? 20, burst: opts.konekwaBurst ?? 20 });

  const dispatch = async (api: 'qontak' | 'konekwa', routes: Route[], req: Req): Promise<Reply> => {
    const found = match(routes, req.method, req.path);
    if (found === undefined) return api === 'qontak' ? qError(404, [`No route for ${req.method} ${req.path}`]) : kError(404, 'NOT_FOUND', `No route for ${req.method} ${req.path}`);
    if (found === 'method') return api === 'qontak' ? qError(405, ['Method not allowed']) : kError(405, 'METHOD_NOT_ALLOWED', 'Method not allowed');
    return found.handler({ ...req, params: found.params });
  };

  const oauthToken = (req: Req): Reply => {
    const b = jsonBody(req) as Record<string, unknown> | undefined;
    const badClient = b?.client_id !== credentials.oauthClientId || b?.client_secret !== credentials.oauthClientSecret;
    const issue = (): Reply => {
      const access = secret();
      const refresh = secret();
      state.validTokens.add(access);
      state.refreshTokens.add(refresh);
      return { status: 200, body: { access_token: access, token_type: 'bearer', expires_in: 31_556_952, refresh_token: refresh, created_at: Math.floor(now() / 1000) } };
    };
    const invalid: Reply = { status: 401, body: { error: 'invalid_grant', error_description: 'The provided authorization grant is invalid, expired, revoked or was issued to another client.' } };
    if (!b || badClient) return { status: 401, body: { error: 'invalid_client', error_description: 'Client authentication failed.' } };
    if (b.grant_type === 'password') {
      return b.username === credentials.oauthUsername && b.password === credentials.oauthPassword ? issue() : invalid;
    }
    if (b.grant_type === 'refresh_token') {
      if (typeof b.refresh_token !== 'string' || !state.refreshTokens.has(b.refresh_token)) return invalid;
      state.refreshTokens.delete(b.refresh_token); // refresh tokens rotate
      return issue();
    }
    return { status: 400, body: { error: 'unsupported_grant_type' } };
  };

  const handle = async (raw: IncomingMessage, res: ServerResponse): Promise<void> => {
    const rawPath = raw.url ?? '/';
    const url = new URL(rawPath, 'http://sandbox');
    const body = await readBody(raw);
    const method = (raw.method ?? 'GET').toUpperCase();
    let api: 'qontak' | 'konekwa' | 'oauth' | undefined;
    let path = url.pathname;
    if (path.startsWith('/qontak/chat/v1/')) {
      api = 'qontak';
      path = path.slice('/qontak/chat/v1'.length);
    } else if (path.startsWith('/api/open/v1/')) {
      api = 'qontak';
      path = path.slice('/api/open/v1'.length);
    } else if (path.startsWith('/konekwa/')) {
      api = 'konekwa';
      path = path.slice('/konekwa'.length);
    } else if (path === '/oauth/token') api = 'oauth';
    const req: Req = { method, rawPath, path, query: url.searchParams, headers: raw.headers, body, params: {} };
    if (state.recordRequests) {
      const { authorization: _a, 'x-api-key': _k, ...headers } = raw.headers;
      state.requests.push({ api: api ?? 'qontak', method, path, headers, body: body.toString('utf8'), at: now() });
    }

    const fault = api && api !== 'oauth' ? faults.take(method, url.pathname, api) : undefined;
    if (fault && (await applyBefore(fault, res, raw.socket, api as 'qontak' | 'konekwa'))) return;

    let reply: Reply;
    if (api === 'oauth') reply = method === 'POST' ? oauthToken(req) : { status: 405, body: {} };
    else if (api === 'konekwa') {
      if (path === '/health') reply = { status: 200, body: { status: 'ok' } };
      else if (raw.headers['x-api-key'] !== credentials.konekwaApiKey) reply = kError(401, 'UNAUTHORIZED', 'Invalid or missing API key');
      else reply = await dispatch('konekwa', kRoutes, req);
    } else if (api === 'qontak') {
      const viaGateway = url.pathname.startsWith('/qontak/chat/v1/');
      if (viaGateway) {
        const v = verifyHmac(req, credentials.hmacClientId, credentials.hmacClientSecret, now());
        reply = v.ok ? await dispatch('qontak', qRoutes, req) : { status: 401, body: { message: 'Unauthorized' } };
      } else {
        const token = bearerToken(req);
        reply = token && state.validTokens.has(token) ? await dispatch('qontak', qRoutes, req) : qError(401, ['The access token is invalid']);
      }
    } else reply = { status: 404, body: { message: 'Not Found' } };

    if (fault?.kind === 'drop-after') {
      // The server did the work; the client never hears about it.
      raw.socket.destroy();
      return;
    }
    if (fault && applyAfter(fault, res, reply)) return;
    send(res, reply);
  };

  const server = http.createServer((req, res) => {
    handle(req, res).catch((err: unknown) => {
      if (!res.headersSent) send(res, { status: 500, body: { status: 'error', error: { code: 500, messages: [String(err)] } } });
    });
  });
  const sockets = new Set<Socket>();
  server.on('connection', (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, opts.host ?? '127.0.0.1', resolve);
  });
  const { port } = server.address() as AddressInfo;
  const host = opts.host ?? '127.0.0.1';
  const url = `http://${host}:${port}`;
  return {
    url,
    konekwaBaseUrl: `${url}/konekwa`,
    credentials,
    faults,
    state,
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}

/** Faults that replace the answer; true when the response has been dealt with. */
async function applyBefore(f: FaultKind, res: ServerResponse, socket: Socket, api: 'qontak' | 'konekwa'): Promise<boolean> {
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
    case 'rate-limit': {
      const seconds = f.seconds ?? 1;
      const headers: Record<string, string> = {};
      const messages = ['Too many requests'];
      if (f.form === 'retry-after') headers['retry-after'] = String(seconds);
      else if (f.form === 'x-ratelimit-reset') headers['x-ratelimit-reset'] = String(seconds);
      else messages.push('organization_id: sandbox', 'rate_limit_limit: 100', 'rate_limit_remaining: 0', `rate_limit_reset: ${seconds}`);
      send(res, api === 'qontak' ? qError(429, messages, headers) : kError(429, 'RATE_LIMIT_EXCEEDED', 'Too many requests', undefined, headers));
      return true;
    }
    case 'html':
      res.writeHead(502, { 'content-type': 'text/html' });
      res.end('<html><head><title>502 Bad Gateway</title></head><body><center><h1>502 Bad Gateway</h1></center><hr><center>nginx</center></body></html>');
      return true;
    case 'bad-header':
      // A header name with a space: Node's strict parser refuses it (HPE_INVALID_HEADER_TOKEN).
      socket.end('HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nBad Header: yes\r\nContent-Length: 2\r\n\r\n{}');
      return true;
    default:
      return false;
  }
}

/** Faults that damage a real answer after the work was done; true when sent. */
function applyAfter(f: FaultKind, res: ServerResponse, reply: Reply): boolean {
  const text = JSON.stringify(reply.body);
  if (f.kind === 'malformed-json' || f.kind === 'truncated-json' || f.kind === 'wrong-content-type') {
    const body = f.kind === 'malformed-json' ? `${text.slice(0, -1)},}` : f.kind === 'truncated-json' ? text.slice(0, Math.max(1, Math.floor(text.length / 2))) : text;
    res.writeHead(reply.status, { 'content-type': f.kind === 'wrong-content-type' ? 'text/plain' : 'application/json', ...reply.headers });
    res.end(body);
    return true;
  }
  return false;
}

export { FaultController } from './faults.js';
export type { FaultRule, FaultKind } from './faults.js';
export { SandboxState } from './state.js';
