// The one HTTP client's policy: signs every attempt afresh, retries only what is safe to retry, keeps every secret it
// knows out of what it logs and reports, and turns every failure into a typed error that says whether the server may
// have acted. The wire under it is undici (transport.ts), loaded on the first request.
import { createHash } from 'node:crypto';
import type { Env } from '../env.js';
import { AuthError, OperationError, UsageError } from '../errors.js';
import { redactUrl } from '../config/base-url.js';
import { ApiAuthError, ApiError, ApiNotFoundError, TransportError } from './errors.js';
import { HMAC_WINDOW_S, hmacAuthorization, hmacSignature } from './hmac.js';
import type { FormPart } from './form.js';
import type { NetError, ProxySettings, Transport } from './transport.js';

export type { FormPart } from './form.js';

export type HttpAuth =
  /** `digest`: also send Mekari's optional `Digest: SHA-256=…` header over the body of POST/PUT. */
  | { kind: 'hmac'; clientId: string; secret: string; digest?: boolean }
  | { kind: 'bearer'; token: () => string }
  | { kind: 'api-key'; key: string }
  | { kind: 'none' };

export type QueryValue = string | number | boolean | undefined | null | readonly string[];

export interface RequestSpec {
  method: 'GET' | 'POST' | 'PUT' | 'DELETE';
  /** Path below the client's prefix, e.g. `/integrations`. */
  path: string;
  query?: Record<string, QueryValue>;
  json?: unknown;
  /** A raw body, sent as it is. */
  body?: { contentType: string; data: Buffer };
  /** A multipart/form-data body (uploads), encoded once by undici's FormData so every attempt sends the same bytes. */
  form?: readonly FormPart[];
  /** Safe to repeat whatever happened (GET by default). */
  idempotent?: boolean;
  /** Overrides the client's auth (token endpoints). */
  auth?: HttpAuth;
  timeoutMs?: number;
  /** Overrides the client's attempts (1: the caller handles retries itself, as the fan-out engine does). */
  maxAttempts?: number;
  /** Cancels this request instead of the client's signal (a fan-out lets requests in flight finish after Ctrl-C). */
  signal?: AbortSignal;
  /**
   * A request that is not idempotent and got a 429: a 429 from a proxy or after processing says nothing certain, so
   * it is retried only when this check says the server did not act ('absent'). 'present' and 'unknown' end the
   * request with a TransportError (maybeActed, `acted` set). Without it a 429 is retried as before.
   */
  on429?: () => Promise<'absent' | 'present' | 'unknown'>;
  /**
   * Called after each "please wait" wait, before the request goes again: another runner may have sent the same thing
   * in the meantime. Throwing stops the request with that error.
   */
  beforeRetryAfterPleaseWait?: () => Promise<void>;
}

/** A wait the client is about to sit out (a "please wait" refusal), for a countdown. */
export interface WaitNotice {
  ms: number;
  /** What the server said. */
  reason: string;
  /** Time left before the client gives up, this wait included. */
  remainingMs: number;
}

export interface HttpResponse<T = unknown> {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: T;
}

/** What a provider reads out of an error response. */
export interface ErrorReading {
  messages: string[];
  /** From the body (Qontak's `rate_limit_reset: N`), when the headers say nothing. */
  retryAfterMs?: number;
  /** The server certainly did not act (Qontak's 422 "please wait"): a POST may be retried after the wait. */
  retryableRefusal?: boolean;
  /** A 422 that really means "no such thing". */
  notFound?: boolean;
  /** A 429 not in the API's own words (a proxy's or a gateway's): it may come after the request was carried out. */
  mayHaveActed?: boolean;
}
export type ErrorReader = (status: number, body: unknown) => ErrorReading;

export interface HttpClientOptions {
  baseUrl: string;
  /** Path prefix of the API on that host, e.g. `/qontak/chat/v1`. */
  prefix?: string;
  auth: HttpAuth;
  env: Env;
  readError: ErrorReader;
  /** Names the API in messages ("Qontak", "Konekwa"). */
  apiName: string;
  timeoutMs?: number;
  /** How long a connection may take to be made (default 10 s); past it nothing was sent, so a POST is tried again. */
  connectTimeoutMs?: number;
  /** Attempts in all, for a retryable failure. */
  maxAttempts?: number;
  /** Longest single wait the client accepts before giving up as transient. */
  maxWaitMs?: number;
  log?: (line: string) => void;
  /** Where the base URL came from ("MEKARI_API_BASE_URL", "the profile's baseUrl in config.json"…), named when it is unreachable. */
  baseUrlSource?: string;
  sleep: (ms: number, signal?: AbortSignal) => Promise<void>;
  now?: () => number;
  random?: () => number;
  signal?: AbortSignal;
  /** Called once on a 401 with bearer auth; returns true when a fresh token is in place. */
  refreshAuth?: () => Promise<boolean>;
  /**
   * How long "please wait" refusals (Qontak's 422 after a recent broadcast) are waited out in all. The org setting
   * `list_interval: 50` suggests about 50 s; default 60 s.
   */
  pleaseWaitDeadlineMs?: number;
  /** Told before each such wait, so a command can show a countdown. */
  onWait?: (w: WaitNotice) => void;
  /**
   * Every secret behind this client (stored keys, tokens, refresh tokens, passwords) besides its own auth: a server
   * that echoes one in its error text has it replaced by [redacted] before anything is shown, logged or journaled.
   */
  secrets?: readonly string[];
  /** The most an answer may hold (default MAX_BODY_BYTES). */
  maxBodyBytes?: number;
  /** What to do about a 401, when the caller knows better than "log in again" (a key from the environment). */
  authHint?: string;
  /** What to do about a 404 that is not the API's own answer while the base URL is a bare origin (its path missing?). */
  bareOriginHint?: string;
}

/** An answer larger than this (after decompression) is cut off rather than held in memory: no API answer comes near it. */
export const MAX_BODY_BYTES = 50 * 1024 * 1024;
/** The most an answer's head may hold; 16 KiB is also Node's default. A longer head is a broken or hostile server. */
const MAX_HEADER_BYTES = 16 * 1024;
const ACCEPT_ENCODING = 'gzip, deflate, br';
// The server's certificate was not accepted: retrying cannot help and it is not transient.
const TLS_ERRORS = /^(?:CERT_|ERR_TLS_CERT|UNABLE_TO_(?:VERIFY|GET_ISSUER)|SELF_SIGNED_CERT|DEPTH_ZERO_SELF_SIGNED|ERR_SSL_)/;
// Headers whose values are credentials: a value a header cannot carry there is the credential's fault.
const AUTH_HEADERS = /^(authorization|x-api-key)$/;
const REDACTED = '[redacted]';

/** What a request needs of its URL. */
export interface Target {
  href: string;
  protocol: string;
  hostname: string;
  port: string;
  pathname: string;
  search: string;
}

// A path and query that URL parsing would leave as they are: no dot segments (written or escaped), no character it
// would escape, escapes already in upper-case hex.
const PLAIN_PATH = /^(?!.*%2E)(?:\/(?!\.\.?(?:[/?]|$))[A-Za-z0-9\-._~!$&'()*+,;=:@]*(?:%[0-9A-F]{2}[A-Za-z0-9\-._~!$&'()*+,;=:@]*)*)+(?:\?[A-Za-z0-9\-._~!$&()*+,;=:@/?%]+)?$/;

/**
 * `url` as URL would read it, without parsing it, when it is this origin's and plain (see PLAIN_PATH); else
 * undefined. A fan-out sends to one path thousands of times, and a URL parse per request is garbage.
 */
export function plainTarget(origin: Origin, url: string): Target | undefined {
  const base = origin.origin;
  if (!url.startsWith(base)) return undefined;
  const rest = url.slice(base.length);
  if (!PLAIN_PATH.test(rest)) return undefined;
  const q = rest.indexOf('?');
  return { href: url, protocol: origin.protocol, hostname: origin.hostname, port: origin.port, pathname: q === -1 ? rest : rest.slice(0, q), search: q === -1 ? '' : rest.slice(q) };
}

/** A base URL's origin, read once: URL's getters build a new string on every call. */
export interface Origin {
  origin: string;
  protocol: string;
  hostname: string;
  port: string;
}

export function buildQuery(query: Record<string, QueryValue> | undefined): string {
  if (!query) return '';
  const params = new URLSearchParams();
  for (const [k, v] of Object.entries(query)) {
    if (v === undefined || v === null || v === '') continue;
    if (Array.isArray(v)) for (const item of v) params.append(k, item);
    else params.append(k, String(v));
  }
  const s = params.toString();
  return s ? `?${s}` : '';
}

/** Seconds or an HTTP date, as Retry-After and x-ratelimit-reset carry them. */
export function parseResetHeader(value: string | string[] | undefined, now: number): number | undefined {
  const v = Array.isArray(value) ? value[0] : value;
  if (v === undefined || v.trim() === '') return undefined;
  if (/^\d+(\.\d+)?$/.test(v.trim())) {
    const n = Number(v);
    // A large number is an epoch timestamp (seconds), as some gateways send in x-ratelimit-reset.
    if (n > 1e9) return Math.max(0, n * 1000 - now);
    return n * 1000;
  }
  const at = Date.parse(v);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now);
}

export function redactHeaders(headers: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(headers)) {
    out[k] = /^(authorization|x-api-key|cookie|proxy-authorization)$/i.test(k) ? REDACTED : v;
  }
  return out;
}

/** `text` with every one of `secrets` (longest first) replaced by [redacted]. */
export function redactSecrets(text: string, secrets: readonly string[]): string {
  let out = text;
  for (const s of secrets) if (out.includes(s)) out = out.split(s).join(REDACTED);
  return out;
}

/** A parsed body with `redactSecrets` applied to every string in it, keys included. */
function redactDeep(value: unknown, secrets: readonly string[]): unknown {
  if (typeof value === 'string') return redactSecrets(value, secrets);
  if (Array.isArray(value)) return value.map((v) => redactDeep(v, secrets));
  if (value !== null && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) out[redactSecrets(k, secrets)] = redactDeep(v, secrets);
    return out;
  }
  return value;
}

export function isLoopbackHost(hostname: string): boolean {
  const h = hostname.replace(/^\[|\]$/g, '').toLowerCase();
  return h === 'localhost' || h.endsWith('.localhost') || h === '::1' || /^127\.\d+\.\d+\.\d+$/.test(h);
}

/**
 * The proxy variables as curl and undici read them (the lower-case name first), or undefined for a direct connection:
 * none set, or a loopback origin, which never goes through a proxy. Which hosts NO_PROXY exempts is undici's to decide.
 */
export function proxySettings(url: URL, env: Env): (ProxySettings & { used: { name: string; url: string } }) | undefined {
  if (isLoopbackHost(url.hostname)) return undefined;
  const pick = (...names: string[]): { name: string; url: string } | undefined => {
    for (const name of names) {
      const v = env[name];
      if (v !== undefined && v !== '') return { name, url: v };
    }
    return undefined;
  };
  // Only the variable of the origin's scheme: HTTP_PROXY does not carry HTTPS requests.
  const used = url.protocol === 'https:' ? pick('https_proxy', 'HTTPS_PROXY') : pick('http_proxy', 'HTTP_PROXY');
  if (!used) return undefined;
  // Empty strings, not undefined: undici would otherwise read process.env itself.
  return { httpProxy: used.url, httpsProxy: used.url, noProxy: pick('no_proxy', 'NO_PROXY')?.url ?? '', used };
}

export class HttpClient {
  private readonly origin: URL;
  private readonly prefix: string;
  private readonly maxAttempts: number;
  private readonly timeoutMs: number;
  private readonly maxWaitMs: number;
  private readonly maxBodyBytes: number;
  private readonly now: () => number;
  private readonly random: () => number;
  private transportReady: Transport | undefined;
  private transportMade: Promise<Transport> | undefined;
  private readonly originParts: Origin;
  /** The server's `Date` on its last answer: `doctor` measures this computer's clock against it. */
  serverDate: string | undefined;
  private readonly proxy: ReturnType<typeof proxySettings>;

  constructor(private readonly opts: HttpClientOptions) {
    let url: URL;
    try {
      url = new URL(opts.baseUrl);
    } catch {
      throw new UsageError(`The ${opts.apiName} base URL "${redactUrl(opts.baseUrl)}" is not a URL.`);
    }
    // Plain HTTP to another host only on an explicit opt-in (a gateway on the office LAN): credentials travel in clear.
    const allowHttp = opts.env.WA_ALLOW_HTTP === '1';
    if (url.protocol !== 'https:' && !(url.protocol === 'http:' && (isLoopbackHost(url.hostname) || allowHttp))) {
      throw new UsageError(
        `The ${opts.apiName} base URL ${url.origin} is not HTTPS; credentials travel only over HTTPS (plain HTTP only to localhost).`,
        url.protocol === 'http:' ? { hint: 'For a gateway on your own network, set WA_ALLOW_HTTP=1 to allow plain HTTP to it (the key then travels unencrypted).' } : {},
      );
    }
    this.origin = url;
    this.originParts = { origin: url.origin, protocol: url.protocol, hostname: url.hostname, port: url.port };
    this.prefix = `${url.pathname.replace(/\/+$/, '')}${opts.prefix ?? ''}`;
    this.maxAttempts = opts.maxAttempts ?? 4;
    this.timeoutMs = opts.timeoutMs ?? 30_000;
    this.maxWaitMs = opts.maxWaitMs ?? 120_000;
    this.maxBodyBytes = opts.maxBodyBytes ?? MAX_BODY_BYTES;
    this.now = opts.now ?? Date.now;
    this.random = opts.random ?? Math.random;
    this.proxy = proxySettings(url, opts.env);
  }

  get baseUrl(): string {
    return `${this.origin.origin}${this.prefix}`;
  }

  /** The client's clock (injected), for callers that bound a search by time. */
  clock(): number {
    return this.now();
  }

  private targetOf(url: string): Target {
    return plainTarget(this.originParts, url) ?? new URL(url);
  }

  urlFor(path: string, query?: Record<string, QueryValue>): string {
    return `${this.originParts.origin}${this.prefix}${path}${buildQuery(query)}`;
  }

  async request<T = unknown>(spec: RequestSpec): Promise<HttpResponse<T>> {
    const idempotent = spec.idempotent ?? spec.method === 'GET';
    const maxAttempts = spec.maxAttempts ?? this.maxAttempts;
    const url = this.urlFor(spec.path, spec.query);
    const target = this.targetOf(url);
    // An upload is encoded once: every attempt sends, and signs, the same bytes.
    const form = spec.form ? await (await import('./form.js')).encodeForm(spec.form) : undefined;
    const started = this.now();
    let refreshed = false;
    let refusedSince: number | undefined;
    let refusals = 0;
    let waited = 0;
    for (let attempt = 1; ; attempt++) {
      const outcome = await this.attempt(spec, url, target, form);
      if (outcome.kind === 'response') {
        const { status, body, headers } = outcome;
        if (typeof headers.date === 'string') this.serverDate = headers.date;
        if (status >= 200 && status < 300) return { status, headers, body: body as T };
        const reading = this.opts.readError(status, body);
        if (status === 401 && !refreshed && spec.auth === undefined && this.opts.refreshAuth) {
          refreshed = true;
          if (await this.opts.refreshAuth()) {
            attempt--;
            continue;
          }
        }
        if (reading.retryableRefusal && status !== 429) {
          // "Please wait": the server certainly did not act. Waited out up to a deadline, not a count of attempts.
          refusedSince ??= this.now();
          refusals++;
          const deadline = this.opts.pleaseWaitDeadlineMs ?? 60_000;
          const told = this.toldWait(headers, reading);
          const wait = told ?? Math.min(10_000, 1000 * 2 ** (refusals - 1));
          // Time spent counts by the clock or by the waits, whichever is more: a stalled clock cannot wait forever.
          const remaining = deadline - Math.max(this.now() - refusedSince, waited);
          if (wait <= remaining) {
            this.opts.onWait?.({ ms: wait, reason: reading.messages.join('; ') || 'please wait', remainingMs: remaining });
            this.log(`  asked to wait; waiting ${Math.round(wait)} ms (${Math.round(remaining / 1000)} s left)`);
            await this.opts.sleep(wait, this.opts.signal);
            waited += wait;
            await spec.beforeRetryAfterPleaseWait?.();
            attempt--;
            continue;
          }
          throw this.errorFor(spec, status, headers, body, reading, wait, '');
        }
        const wait = this.waitFor(status, headers, reading, attempt);
        const retryable = status === 429 || (idempotent && status >= 500 && status <= 599);
        if (status === 429 && !idempotent && spec.on429) {
          const seen = await spec.on429();
          if (seen !== 'absent') {
            const e = new TransportError(
              seen === 'present'
                ? `${this.opts.apiName} answered ${spec.method} ${spec.path} with 429, but had already carried it out.`
                : `${this.opts.apiName} answered ${spec.method} ${spec.path} with 429; whether it acted cannot be known, so it was not repeated.`,
              true,
              status,
              seen === 'present' ? undefined : 'Check the account (`wa-cli broadcast list`) before sending again.',
            );
            e.acted = seen;
            e.retryAfterMs = wait;
            throw e;
          }
        }
        if (retryable && attempt < maxAttempts && wait <= this.maxWaitMs) {
          this.log(`  retrying in ${Math.round(wait)} ms (attempt ${attempt + 1} of ${maxAttempts})`);
          await this.opts.sleep(wait, this.opts.signal);
          continue;
        }
        throw this.errorFor(spec, status, headers, body, reading, wait, this.tries(attempt, started));
      }
      // A network-level failure.
      const { error } = outcome;
      // A header value no request can carry: nothing was sent, and the next attempt would be refused the same way.
      if (error.kind === 'refused') throw this.refusedError(spec, error);
      const notSent = error.phase === 'connect';
      // A malformed answer, a refused certificate or an oversized answer would come back the same on every attempt.
      const again = error.kind !== 'malformed' && error.kind !== 'too-large' && !TLS_ERRORS.test(error.code);
      if ((idempotent || notSent) && attempt < maxAttempts && again) {
        const wait = this.backoff(attempt);
        this.log(`  ${error.code}; retrying in ${Math.round(wait)} ms (attempt ${attempt + 1} of ${maxAttempts})`);
        await this.opts.sleep(wait, this.opts.signal);
        continue;
      }
      throw this.networkError(spec, error, !notSent, attempt, started);
    }
  }

  private async attempt(
    spec: RequestSpec,
    url: string,
    target: Target,
    form: { contentType: string; data: Buffer } | undefined,
  ): Promise<{ kind: 'response'; status: number; headers: HttpResponse['headers']; body: unknown } | { kind: 'error'; error: NetError }> {
    const auth = spec.auth ?? this.opts.auth;
    const started = this.now();
    const headers: Record<string, string> = { accept: 'application/json', 'user-agent': 'wa-cli' };
    let body: string | Buffer | undefined;
    if (spec.json !== undefined) {
      headers['content-type'] = 'application/json';
      body = JSON.stringify(spec.json);
    } else if (spec.body ?? form) {
      const raw = (spec.body ?? form)!;
      headers['content-type'] = raw.contentType;
      body = raw.data;
    }
    headers['accept-encoding'] = ACCEPT_ENCODING;
    // Signed here so every attempt carries a fresh Date and the path exactly as it goes on the wire.
    const pathWithQuery = `${target.pathname}${target.search}`;
    this.authorize(headers, auth, spec.method, pathWithQuery, body);
    // Built only when --verbose listens: a fan-out makes this call once per recipient.
    if (this.opts.log) this.log(`→ ${spec.method} ${target.href} ${JSON.stringify(redactHeaders(headers))}`);
    const transport = this.transportReady ?? (await this.transport());
    const answer = await transport.exchange({
      path: pathWithQuery,
      method: spec.method,
      headers,
      body,
      timeoutMs: spec.timeoutMs ?? this.timeoutMs,
      signal: spec.signal ?? this.opts.signal,
    });
    if ('kind' in answer) {
      if (this.opts.log) this.log(`← ${answer.code} ${spec.method} ${url} (${this.now() - started} ms)`);
      return { kind: 'error', error: answer };
    }
    if (this.opts.log) this.log(`← ${answer.status} ${spec.method} ${url} (${this.now() - started} ms)`);
    const contentType = answer.headers['content-type'];
    return { kind: 'response', status: answer.status, headers: answer.headers, body: this.parseBody(answer.text, typeof contentType === 'string' ? contentType : undefined, answer.status, spec) };
  }

  private authorize(headers: Record<string, string>, auth: HttpAuth, method: string, pathWithQuery: string, body: string | Buffer | undefined): void {
    if (auth.kind === 'hmac') {
      const date = new Date(this.now()).toUTCString();
      headers.date = date;
      // Mekari's KB names this header for POST/PUT; the gateway does not require it [inferred], so it is opt-in.
      if (auth.digest && (method === 'POST' || method === 'PUT')) headers.digest = `SHA-256=${createHash('sha256').update(body ?? '').digest('base64')}`;
      headers.authorization = hmacAuthorization(auth.clientId, hmacSignature(auth.secret, date, method, pathWithQuery));
    } else if (auth.kind === 'bearer') {
      headers.authorization = `Bearer ${auth.token()}`;
    } else if (auth.kind === 'api-key') {
      headers['x-api-key'] = auth.key;
    }
  }

  /** Every secret this client knows, longest first (so a secret inside another is not left half shown). */
  private secrets(): string[] {
    const auth = this.opts.auth;
    const own = auth.kind === 'hmac' ? [auth.secret] : auth.kind === 'bearer' ? [auth.token()] : auth.kind === 'api-key' ? [auth.key] : [];
    const passwords = [this.proxy ? safeUrl(this.proxy.used.url)?.password : undefined, this.origin.password].filter((p) => !!p).flatMap((p) => [p!, decoded(p!)]);
    const all = [...own, ...(this.opts.secrets ?? []), ...passwords];
    // Very short values would blank out ordinary words.
    return [...new Set(all.filter((s) => s.length >= 4))].sort((a, b) => b.length - a.length);
  }

  private parseBody(text: string, contentType: string | undefined, status: number, spec: RequestSpec): unknown {
    if (text === '') return null;
    const ok = status >= 200 && status < 300;
    try {
      const parsed: unknown = JSON.parse(text);
      // An error's text is quoted to the user and journaled: a secret the server echoed back is taken out first.
      return ok ? parsed : redactDeep(parsed, this.secrets());
    } catch {
      if (ok) {
        const what = /^\s*</.test(text) ? 'an HTML page' : `something that is not JSON (${contentType ?? 'no content type'})`;
        // A 2xx means the server did the work: a POST must not be repeated on this.
        throw new TransportError(
          `${this.opts.apiName} answered ${spec.method} ${spec.path} with ${what}.`,
          spec.method !== 'GET',
          status,
          'A proxy or gateway between you and the API may be interfering; run with --verbose to see the exchange.',
        );
      }
      const clean = redactSecrets(text, this.secrets());
      // An error page from a proxy or gateway: its title says more than its markup.
      const title = /<title>([^<]*)<\/title>/i.exec(clean)?.[1]?.trim();
      return { __raw: /^\s*</.test(clean) ? `an HTML page${title ? ` "${title}"` : ''} (from a proxy or gateway?)` : oneLine(clean.slice(0, 300)) };
    }
  }

  private toldWait(headers: HttpResponse['headers'], reading: ErrorReading): number | undefined {
    const now = this.now();
    return parseResetHeader(headers['retry-after'], now) ?? parseResetHeader(headers['x-ratelimit-reset'], now) ?? reading.retryAfterMs;
  }

  private waitFor(status: number, headers: HttpResponse['headers'], reading: ErrorReading, attempt: number): number {
    const told = this.toldWait(headers, reading);
    if (told !== undefined) return told + Math.floor(this.random() * 250);
    if (status === 429 || reading.retryableRefusal) return Math.max(this.backoff(attempt), 1000);
    return this.backoff(attempt);
  }

  /** How far the local clock is from the server's `Date`, when that is more than the HMAC window; else undefined. */
  private clockSkewMs(headers: HttpResponse['headers']): number | undefined {
    const date = headers.date;
    const at = typeof date === 'string' ? Date.parse(date) : NaN;
    if (Number.isNaN(at)) return undefined;
    const skew = this.now() - at;
    return Math.abs(skew) > HMAC_WINDOW_S * 1000 ? skew : undefined;
  }

  /** Exponential backoff with full jitter: 0.5 s, 1 s, 2 s… capped at 30 s. */
  private backoff(attempt: number): number {
    const cap = Math.min(30_000, 500 * 2 ** (attempt - 1));
    return cap / 2 + this.random() * (cap / 2);
  }

  /** After retries, how many attempts were made and over how long; nothing for a single attempt. */
  private tries(attempts: number, started: number): string {
    return attempts > 1 ? ` Tried ${attempts} times over ${Math.round((this.now() - started) / 1000)} s.` : '';
  }

  private errorFor(spec: RequestSpec, status: number, headers: HttpResponse['headers'], body: unknown, reading: ErrorReading, wait: number, tries: string): Error {
    const api = this.opts.apiName;
    const quoted = reading.messages.length ? `: "${reading.messages.join('; ')}"` : '';
    const details = { status, messages: reading.messages, body };
    const what = `${api} ${spec.method} ${spec.path}`;
    const skew = status === 401 && (spec.auth ?? this.opts.auth).kind === 'hmac' ? this.clockSkewMs(headers) : undefined;
    if (skew !== undefined) {
      // The gateway refuses a signature dated outside its window and says only "Unauthorized": the server's own Date
      // shows when it is the clock, not the credentials.
      const minutes = Math.round(Math.abs(skew) / 60_000);
      return new ApiAuthError(
        `${api} refused the request (401)${quoted}: this computer's clock is ${minutes} minute${minutes === 1 ? '' : 's'} ${skew > 0 ? 'ahead of' : 'behind'} the server's (${String(headers.date)}).`,
        details,
        `A signature is accepted only within ${HMAC_WINDOW_S / 60} minutes of the server's clock: set this computer's clock right (e.g. \`timedatectl set-ntp true\`) and run again; the credentials need no change.`,
      );
    }
    if (status === 401 && (spec.auth ?? this.opts.auth).kind === 'hmac') {
      // The gateway answers a signature that does not match, a Date outside its window and wrong credentials alike.
      return new ApiAuthError(
        `${api} refused the request (401)${quoted}: the signature or the clock, or else the credentials.`,
        details,
        `Check this computer's clock first (within ${HMAC_WINDOW_S / 60} minutes of the server's) and that no proxy rewrites the path; then ${this.opts.authHint ?? 'the client id and secret with `wa-cli auth status`.'}`,
      );
    }
    if (status === 401 || status === 403) {
      return new ApiAuthError(
        `${api} refused the credentials (${status})${quoted}.`,
        details,
        status === 403
          ? 'The app behind these credentials lacks access (for Qontak the qontak-chat:all scope).'
          : (this.opts.authHint ?? 'Check the credentials with `wa-cli auth status`, or log in again with `wa-cli auth login`.'),
      );
    }
    if (status === 404 && !reading.notFound && this.origin.pathname.replace(/\/+$/, '') !== '') {
      // A base URL with a path puts every API path under it: a 404 there is most often the base URL, not the id.
      return new ApiNotFoundError(`${what} found nothing (${status})${quoted}.`, details, `The base URL ${redactUrl(this.origin.href)} has a path (${this.origin.pathname}) that every request goes under; the base URL is usually just the origin, e.g. ${this.origin.origin}.`);
    }
    if (status === 404 && !reading.notFound && reading.messages.length === 0 && this.opts.bareOriginHint) {
      // Not the API's own "no such thing" (it says what): most often a gateway served under a path the base URL lacks.
      return new ApiNotFoundError(`${what} found nothing (${status}), and the answer is not ${api}'s own.`, details, this.opts.bareOriginHint);
    }
    if (status === 404 || reading.notFound) return new ApiNotFoundError(`${what} found nothing (${status})${quoted}.`, details);
    if (status === 429) {
      const e = new TransportError(`${api} is rate limiting (429)${quoted}.${tries}`, spec.method !== 'GET' && reading.mayHaveActed === true, status, `Try again in ${Math.ceil(wait / 1000)} s.`);
      e.retryAfterMs = wait;
      return e;
    }
    if (status >= 500) {
      return new TransportError(`${what} failed on the server (${status})${quoted}.${tries}`, spec.method !== 'GET', status, 'Try again later.');
    }
    if (reading.retryableRefusal) {
      return new TransportError(`${api} asked to wait (${status})${quoted}.`, false, status, 'Try again in a minute.');
    }
    return new ApiError(`${what} was refused (${status})${quoted}.`, details);
  }

  /** A request undici would not send: a header value with a line break, or a character past Latin-1. */
  private refusedError(spec: RequestSpec, err: NetError): UsageError | AuthError {
    const header = /^invalid (\S+) header$/.exec(err.message)?.[1];
    const what = `${this.opts.apiName} ${spec.method} ${spec.path} was not sent`;
    if (header === undefined) return new UsageError(`${what}: ${err.message}.`);
    const why = `the ${header} header would carry a line break, a control character or a character past Latin-1`;
    if (AUTH_HEADERS.test(header.toLowerCase())) {
      return new AuthError(`${what}: ${why}, which comes from the credentials.`, { hint: 'Set the credential again without it: `wa-cli auth status` shows where it comes from.' });
    }
    return new UsageError(`${what}: ${why}.`);
  }

  private networkError(spec: RequestSpec, err: NetError, maybeActed: boolean, attempts: number, started: number): TransportError | OperationError {
    const api = this.opts.apiName;
    const target = `${spec.method} ${this.origin.host}${this.prefix}${spec.path}`;
    const acted = maybeActed && spec.method !== 'GET' ? ' The server may have received it.' : '';
    const tries = this.tries(attempts, started);
    const message = oneLine(redactSecrets(err.message, this.secrets()));
    const proxy = this.proxy ? safeUrl(this.proxy.used.url) : undefined;
    // The proxy is what failed when the error names its host (or its port, where the API's differs): NO_PROXY may have
    // sent this request straight to the API, and undici decides that.
    const portOf = (u: URL): number => Number(u.port || (u.protocol === 'https:' ? 443 : 80));
    const atProxy =
      proxy !== undefined &&
      (err.hostname === proxy.hostname || err.address === proxy.hostname.replace(/^\[|\]$/g, '') || (err.port !== undefined && err.port === portOf(proxy) && err.port !== portOf(this.origin)));
    const proxyName = proxy ? `the proxy ${proxy.host} (${this.proxy!.used.name})` : '';
    const from = this.opts.baseUrlSource ? ` The base URL ${this.origin.origin} comes from ${this.opts.baseUrlSource}.` : '';
    if (TLS_ERRORS.test(err.code)) {
      // Nothing was sent: the connection stopped at the handshake.
      return new OperationError(`${api} at ${this.origin.host} presented a certificate that is not trusted (${err.code}: ${message}).${from}`, {
        hint: proxy
          ? `${proxyName} may be inspecting TLS: add its CA with NODE_EXTRA_CA_CERTS=/path/to/ca.pem.`
          : 'Check the host name and the system clock; for a company CA, point NODE_EXTRA_CA_CERTS at its PEM file.',
      });
    }
    if (err.code === 'ECONNREFUSED' || err.code === 'ENOTFOUND' || err.code === 'EAI_AGAIN') {
      const where = atProxy ? proxyName : err.code === 'ECONNREFUSED' ? this.origin.host : `the host ${this.origin.hostname}`;
      const what = err.code === 'ECONNREFUSED' ? `nothing is listening at ${where}` : `${where} cannot be resolved`;
      return new TransportError(`${target} failed: ${what} (${err.code}).${from}${tries}`, maybeActed, undefined, atProxy ? 'Check the proxy setting, or set NO_PROXY for this host.' : 'Check the base URL (`wa-cli auth status` shows it and where it comes from), or start the service.');
    }
    const tunnel = /^Proxy response \((\d+)\)/.exec(message);
    if (tunnel && proxy) {
      // The proxy would not open a tunnel to the API (no route, a refused host, credentials it wants).
      return new TransportError(`${target} failed: ${proxyName} answered ${tunnel[1]} to the tunnel to ${this.origin.host}.${from}${tries}`, maybeActed, undefined, tunnel[1] === '407' ? 'The proxy wants credentials: put them in the proxy URL (http://user:password@proxy:port).' : 'Check the proxy setting, or set NO_PROXY for this host.');
    }
    if (err.kind === 'malformed') {
      const detail =
        err.code === 'UND_ERR_HEADERS_OVERFLOW'
          ? `its headers passed ${formatBytes(MAX_HEADER_BYTES)}`
          : (/^Response does not match the HTTP\/1\.1 protocol \((.*)\)$/.exec(message)?.[1] ?? `${err.code}: ${message}`);
      return new TransportError(`${api} sent an answer to ${target} that is not valid HTTP (${detail}).${acted}`, maybeActed, undefined, 'If this persists, tell the API provider; run with --verbose to see the exchange.');
    }
    if (err.kind === 'too-large') {
      return new TransportError(`${api} answered ${target} with more than ${formatBytes(this.maxBodyBytes)}; wa-cli stopped reading there.${acted}`, maybeActed);
    }
    if (err.kind === 'timeout') {
      // A connection never made is its own timeout, and says so: nothing reached the server.
      const requestMs = spec.timeoutMs ?? this.timeoutMs;
      const seconds = Math.round((err.phase === 'connect' ? Math.min(this.opts.connectTimeoutMs ?? 10_000, requestMs) : requestMs) / 1000);
      const each = attempts > 1 ? ` on each of ${attempts} attempts (${Math.round((this.now() - started) / 1000)} s in all)` : '';
      const e = new TransportError(`${target} timed out after ${seconds} s${err.phase === 'connect' ? ' without a connection' : ''}${each}.${acted}`, maybeActed);
      e.timedOut = true;
      return e;
    }
    if (err.code === 'UND_ERR_SOCKET') {
      return new TransportError(`${target} failed: the connection closed before the answer was complete (${message}).${acted}${tries}`, maybeActed);
    }
    return new TransportError(`${target} failed: ${err.code} ${message}.${acted}${tries}`, maybeActed);
  }

  /** The client's transport, made on its first request. */
  private transport(): Promise<Transport> {
    if (this.transportMade) return this.transportMade;
    if (this.proxy) this.log(`using ${this.proxy.used.name}=${redactUrl(this.proxy.used.url)}${this.proxy.noProxy ? ` (NO_PROXY=${this.proxy.noProxy})` : ''}`);
    return (this.transportMade = import('./transport.js').then(({ Transport }) => {
      return (this.transportReady = new Transport({
        origin: this.originParts.origin,
        proxy: this.proxy,
        connectTimeoutMs: this.opts.connectTimeoutMs ?? 10_000,
        maxBodyBytes: this.maxBodyBytes,
        maxHeaderBytes: MAX_HEADER_BYTES,
      }));
    }));
  }

  private log(line: string): void {
    this.opts.log?.(line);
  }
}

function decoded(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}

function safeUrl(url: string): URL | undefined {
  try {
    return new URL(url);
  } catch {
    return undefined;
  }
}

/** Line breaks in a server's or socket's text become spaces: an error is one line. */
function oneLine(text: string): string {
  return text.replace(/[\r\n]+/g, ' ').trim();
}

function formatBytes(n: number): string {
  return n >= 1024 * 1024 ? `${n / 1024 / 1024} MB` : `${Math.round(n / 1024)} KB`;
}
