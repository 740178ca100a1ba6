// The one HTTP client. Signs every attempt afresh, retries only what is safe to retry, redacts secrets in --verbose
// logs, and turns every failure into a typed error that says whether the server may have acted.
import { createHash } from 'node:crypto';
import http from 'node:http';
import { request as httpsRequest } from 'node:https';
import { promisify } from 'node:util';
import zlib from 'node:zlib';
import { HttpsProxyAgent, HttpProxyAgent } from 'hpagent';
import type { Env } from '../env.js';
import { OperationError, UsageError } from '../errors.js';
import { ApiAuthError, ApiError, ApiNotFoundError, TransportError } from './errors.js';
import { HMAC_WINDOW_S, hmacAuthorization, hmacSignature } from './hmac.js';
import { Http1Pool, type Http1Pending } from './http1.js';
import { isLoopbackHost, proxyFor } from './proxy.js';

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
  /** A raw body (multipart uploads). */
  body?: { contentType: string; data: Buffer };
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
}

/**
 * A request that got no HTTP answer. `phase` says how far it got: 'connect' (no connection yet: nothing reached the
 * server) or 'request' (the request may have been read and acted on).
 */
interface NetError {
  code: string;
  phase: 'connect' | 'request';
  message: string;
  /** One of the client's own timeouts fired (rather than the OS's ETIMEDOUT). */
  timedOut?: boolean;
}

/** An answer larger than this (after decompression) is cut off rather than held in memory: no API answer comes near it. */
export const MAX_BODY_BYTES = 50 * 1024 * 1024;
const TOO_LARGE = 'ERR_BODY_TOO_LARGE';
const ACCEPT_ENCODING = 'gzip, deflate, br';
const gunzip = promisify(zlib.gunzip);
const inflate = promisify(zlib.inflate);
const inflateRaw = promisify(zlib.inflateRaw);
const brotli = promisify(zlib.brotliDecompress);

// Codes for which the connection was never made: nothing reached the server.
const NOT_SENT = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH']);
const PARSER_ERRORS = /^HPE_/;
// The server's certificate was not accepted: retrying cannot help and it is not transient.
const TLS_ERRORS = /^(?:CERT_|ERR_TLS_CERT|UNABLE_TO_(?:VERIFY|GET_ISSUER)|SELF_SIGNED_CERT|DEPTH_ZERO_SELF_SIGNED|ERR_SSL_)/;

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
    out[k] = /^(authorization|x-api-key|cookie|proxy-authorization)$/i.test(k) ? '[redacted]' : v;
  }
  return out;
}

export class HttpClient {
  private readonly origin: URL;
  private readonly prefix: string;
  private readonly maxAttempts: number;
  private readonly timeoutMs: number;
  private readonly maxWaitMs: number;
  private readonly now: () => number;
  private readonly random: () => number;
  private transportInUse: http.Agent | Http1Pool | undefined;
  private readonly originParts: Origin;

  constructor(private readonly opts: HttpClientOptions) {
    let url: URL;
    try {
      url = new URL(opts.baseUrl);
    } catch {
      throw new UsageError(`The ${opts.apiName} base URL "${opts.baseUrl}" is not a URL.`);
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
    this.now = opts.now ?? Date.now;
    this.random = opts.random ?? Math.random;
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
    let refreshed = false;
    let refusedSince: number | undefined;
    let refusals = 0;
    let waited = 0;
    for (let attempt = 1; ; attempt++) {
      const outcome = await this.attempt(spec, url, target);
      if (outcome.kind === 'response') {
        const { status, body, headers } = outcome;
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
          throw this.errorFor(spec, status, headers, body, reading, wait);
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
        throw this.errorFor(spec, status, headers, body, reading, wait);
      }
      // A network-level failure.
      const { error } = outcome;
      const code = error.code;
      const notSent = NOT_SENT.has(code) || error.phase === 'connect';
      // A parse error, a refused certificate or an oversized answer would come back the same on every attempt.
      if ((idempotent || notSent) && attempt < maxAttempts && !PARSER_ERRORS.test(code) && !TLS_ERRORS.test(code) && code !== TOO_LARGE) {
        const wait = this.backoff(attempt);
        this.log(`  ${code}; retrying in ${Math.round(wait)} ms (attempt ${attempt + 1} of ${maxAttempts})`);
        await this.opts.sleep(wait, this.opts.signal);
        continue;
      }
      throw this.networkError(spec, error, !notSent);
    }
  }

  private async attempt(
    spec: RequestSpec,
    url: string,
    target: Target,
  ): Promise<{ kind: 'response'; status: number; headers: HttpResponse['headers']; body: unknown } | { kind: 'error'; error: NetError }> {
    const auth = spec.auth ?? this.opts.auth;
    const started = this.now();
    const headers: Record<string, string> = { accept: 'application/json', 'user-agent': 'wa-cli' };
    let body: string | Buffer | undefined;
    if (spec.json !== undefined) {
      headers['content-type'] = 'application/json';
      body = JSON.stringify(spec.json);
    } else if (spec.body) {
      headers['content-type'] = spec.body.contentType;
      body = spec.body.data;
    }
    if (body !== undefined) headers['content-length'] = String(Buffer.byteLength(body));
    headers['accept-encoding'] = ACCEPT_ENCODING;
    // Signed here so every attempt carries a fresh Date and the path exactly as it goes on the wire.
    const pathWithQuery = `${target.pathname}${target.search}`;
    this.authorize(headers, auth, spec.method, pathWithQuery, body);
    // Built only when --verbose listens: a fan-out makes this call once per recipient.
    if (this.opts.log) this.log(`→ ${spec.method} ${target.href} ${JSON.stringify(redactHeaders(headers))}`);
    const answer = await exchange({
      url: target,
      path: pathWithQuery,
      method: spec.method,
      headers,
      body,
      transport: this.transport(),
      timeoutMs: spec.timeoutMs ?? this.timeoutMs,
      connectTimeoutMs: this.opts.connectTimeoutMs ?? 10_000,
      signal: spec.signal ?? this.opts.signal,
    });
    if ('code' in answer) {
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

  private parseBody(text: string, contentType: string | undefined, status: number, spec: RequestSpec): unknown {
    if (text === '') return null;
    try {
      return JSON.parse(text);
    } catch {
      if (status >= 200 && status < 300) {
        const what = /^\s*</.test(text) ? 'an HTML page' : `something that is not JSON (${contentType ?? 'no content type'})`;
        // A 2xx means the server did the work: a POST must not be repeated on this.
        throw new TransportError(
          `${this.opts.apiName} answered ${spec.method} ${spec.path} with ${what}.`,
          spec.method !== 'GET',
          status,
          'A proxy or gateway between you and the API may be interfering; run with --verbose to see the exchange.',
        );
      }
      // An error page from a proxy or gateway: its title says more than its markup.
      const title = /<title>([^<]*)<\/title>/i.exec(text)?.[1]?.trim();
      return { __raw: /^\s*</.test(text) ? `an HTML page${title ? ` "${title}"` : ''} (from a proxy or gateway?)` : text.slice(0, 300) };
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

  private errorFor(spec: RequestSpec, status: number, headers: HttpResponse['headers'], body: unknown, reading: ErrorReading, wait: number): Error {
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
        `Check this computer's clock first (within ${HMAC_WINDOW_S / 60} minutes of the server's) and that no proxy rewrites the path; then the client id and secret with \`wa-cli auth status\`.`,
      );
    }
    if (status === 401 || status === 403) {
      return new ApiAuthError(
        `${api} refused the credentials (${status})${quoted}.`,
        details,
        status === 403
          ? 'The app behind these credentials lacks access (for Qontak the qontak-chat:all scope).'
          : 'Check the credentials with `wa-cli auth status`, or log in again with `wa-cli auth login`.',
      );
    }
    if (status === 404 && !reading.notFound && this.origin.pathname.replace(/\/+$/, '') !== '') {
      // A base URL with a path puts every API path under it: a 404 there is most often the base URL, not the id.
      return new ApiNotFoundError(`${what} found nothing (${status})${quoted}.`, details, `The base URL ${this.origin.href} has a path (${this.origin.pathname}) that every request goes under; the base URL is usually just the origin, e.g. ${this.origin.origin}.`);
    }
    if (status === 404 || reading.notFound) return new ApiNotFoundError(`${what} found nothing (${status})${quoted}.`, details);
    if (status === 429) {
      const e = new TransportError(`${api} is rate limiting (429)${quoted}.`, spec.method !== 'GET' && reading.mayHaveActed === true, status, `Try again in ${Math.ceil(wait / 1000)} s.`);
      e.retryAfterMs = wait;
      return e;
    }
    if (status >= 500) {
      return new TransportError(`${what} failed on the server (${status})${quoted}.`, spec.method !== 'GET', status, 'Try again later.');
    }
    if (reading.retryableRefusal) {
      return new TransportError(`${api} asked to wait (${status})${quoted}.`, false, status, 'Try again in a minute.');
    }
    return new ApiError(`${what} was refused (${status})${quoted}.`, details);
  }

  private networkError(spec: RequestSpec, err: NetError, maybeActed: boolean): TransportError | OperationError {
    const api = this.opts.apiName;
    const target = `${spec.method} ${this.origin.host}${this.prefix}${spec.path}`;
    const acted = maybeActed && spec.method !== 'GET' ? ' The server may have received it.' : '';
    const proxy = proxyFor(this.origin, this.opts.env);
    const via = proxy ? ` through the proxy ${new URL(proxy).host} (HTTPS_PROXY/HTTP_PROXY)` : '';
    const from = this.opts.baseUrlSource ? ` The base URL ${this.origin.origin} comes from ${this.opts.baseUrlSource}.` : '';
    if (TLS_ERRORS.test(err.code)) {
      // Nothing was sent: the connection stopped at the handshake.
      return new OperationError(`${api} at ${this.origin.host} presented a certificate that is not trusted (${err.code}: ${err.message.split('\n')[0]}).${from}`, {
        hint: proxy
          ? `The proxy ${new URL(proxy).host} may be inspecting TLS: add its CA with NODE_EXTRA_CA_CERTS=/path/to/ca.pem.`
          : 'Check the host name and the system clock; for a company CA, point NODE_EXTRA_CA_CERTS at its PEM file.',
      });
    }
    if (err.code === 'ECONNREFUSED' || err.code === 'ENOTFOUND' || err.code === 'EAI_AGAIN') {
      const what = err.code === 'ECONNREFUSED' ? `nothing is listening at ${proxy ? new URL(proxy).host : this.origin.host}` : `the host ${proxy ? new URL(proxy).hostname : this.origin.hostname} cannot be resolved`;
      return new TransportError(`${target} failed: ${what}${via} (${err.code}).${from}`, maybeActed, undefined, proxy ? 'Check the proxy setting, or set NO_PROXY for this host.' : 'Check the base URL (`wa-cli auth status` shows it and where it comes from), or start the service.');
    }
    if (PARSER_ERRORS.test(err.code)) {
      return new TransportError(
        `${api} sent a response wa-cli cannot parse (${err.code}) to ${target}.${acted}`,
        maybeActed,
        undefined,
        // The flag lets through control characters in header values (the one lapse seen from a real gateway).
        err.code === 'HPE_INVALID_HEADER_TOKEN' ? 'If this persists, run with NODE_OPTIONS=--insecure-http-parser.' : 'If this persists, tell the API provider; run with --verbose to see the exchange.',
      );
    }
    if (err.code === TOO_LARGE) {
      return new TransportError(`${api} answered ${target} with more than ${MAX_BODY_BYTES / 1024 / 1024} MB; wa-cli stopped reading there.${acted}`, maybeActed);
    }
    if (err.timedOut) {
      // A connection never made is its own timeout, and says so: nothing reached the server.
      const requestMs = spec.timeoutMs ?? this.timeoutMs;
      const seconds = (err.phase === 'connect' ? Math.min(this.opts.connectTimeoutMs ?? 10_000, requestMs) : requestMs) / 1000;
      const e = new TransportError(`${target} timed out after ${Math.round(seconds)} s${err.phase === 'connect' ? ' without a connection' : ''}.${acted}`, maybeActed);
      e.timedOut = true;
      return e;
    }
    return new TransportError(`${target} failed: ${err.code} ${err.message.split('\n')[0]}.${acted}`, maybeActed);
  }

  /**
   * One transport per client, made on first use: the proxy agent when HTTPS_PROXY/HTTP_PROXY applies, else kept-alive
   * connections of its own (http1.ts).
   */
  private transport(): http.Agent | Http1Pool {
    if (this.transportInUse) return this.transportInUse;
    const proxy = proxyFor(this.origin, this.opts.env);
    if (proxy) {
      this.log(`using proxy ${new URL(proxy).host}`);
      const https = this.origin.protocol === 'https:';
      return (this.transportInUse = https ? new HttpsProxyAgent({ proxy, keepAlive: true }) : new HttpProxyAgent({ proxy, keepAlive: true }));
    }
    // Node's own parser relaxes under --insecure-http-parser, on the command line or in NODE_OPTIONS; so does this one.
    const insecure = (argv: readonly string[]): boolean => argv.includes('--insecure-http-parser');
    const lenientHeaders = insecure(process.execArgv) || insecure((this.opts.env.NODE_OPTIONS ?? '').split(/\s+/));
    return (this.transportInUse = new Http1Pool(this.originParts, { lenientHeaders }));
  }

  private log(line: string): void {
    this.opts.log?.(line);
  }
}

interface Exchange {
  url: Target;
  /** Path and query as signed. */
  path: string;
  method: string;
  headers: Record<string, string>;
  body: string | Buffer | undefined;
  transport: http.Agent | Http1Pool;
  timeoutMs: number;
  connectTimeoutMs: number;
  signal: AbortSignal | undefined;
}

interface Answer {
  status: number;
  headers: HttpResponse['headers'];
  text: string;
}

/**
 * One request: no redirects followed, the answer read whole as text (decompressed, at most MAX_BODY_BYTES). Never
 * rejects: a failure comes back as a NetError saying whether a connection was ever made.
 */
function exchange(x: Exchange): Promise<Answer | NetError> {
  return new Promise((resolve) => {
    let phase: NetError['phase'] = 'connect';
    let settled = false;
    let cancel: (() => void) | undefined;
    let connectTimer: NodeJS.Timeout | undefined;
    const finish = (r: Answer | NetError): void => {
      if (settled) return;
      settled = true;
      clearTimeout(connectTimer);
      clearTimeout(requestTimer);
      x.signal?.removeEventListener('abort', onAbort);
      resolve(r);
    };
    const fail = (code: string, message: string, timedOut = false): void => {
      if (settled) return;
      finish(timedOut ? { code, phase, message, timedOut } : { code, phase, message });
      cancel?.();
    };
    const failWith = (err: NodeJS.ErrnoException): void => fail(typeof err.code === 'string' ? err.code : 'ERR_REQUEST', err.message);
    const onAbort = (): void => fail('ERR_ABORTED', 'This operation was aborted.');
    const answered = (status: number, headers: HttpResponse['headers'], raw: Buffer): void => {
      decode(raw, headers['content-encoding'] as string | undefined).then(
        (text) => finish({ status, headers, text }),
        (err: NodeJS.ErrnoException) =>
          err.code === 'ERR_BUFFER_TOO_LARGE' ? fail(TOO_LARGE, `The answer passed ${MAX_BODY_BYTES} bytes once decompressed.`) : failWith(err),
      );
    };
    // The whole-request timer starts now; the connect timer also covers the DNS lookup and a proxy's CONNECT, and is
    // not needed on a connection already made.
    const requestTimer = setTimeout(() => fail('ETIMEDOUT', `Timeout awaiting 'request' for ${x.timeoutMs}ms`, true), x.timeoutMs);
    const connected = (): void => {
      phase = 'request';
      clearTimeout(connectTimer);
    };
    const awaitConnect = (): void => {
      connectTimer = setTimeout(() => fail('ETIMEDOUT', `Timeout awaiting 'connect' for ${x.connectTimeoutMs}ms`, true), x.connectTimeoutMs);
    };
    if (x.signal?.aborted) {
      // Cancelled before it started: nothing is sent, but it is reported like an abort mid-request, as callers expect.
      phase = 'request';
      return onAbort();
    }
    x.signal?.addEventListener('abort', onAbort);
    if (x.transport instanceof Http1Pool) {
      let pending: Http1Pending;
      try {
        pending = x.transport.request({ method: x.method, path: x.path, headers: x.headers, body: x.body, maxBodyBytes: MAX_BODY_BYTES, tooLargeCode: TOO_LARGE });
      } catch (err) {
        // Refused before anything was sent (an invalid header value, say).
        return failWith(err as NodeJS.ErrnoException);
      }
      cancel = () => pending.abort('ERR_ABORTED', 'cancelled');
      // A kept connection calls back at once: no connect timer then.
      pending.onConnect(connected);
      if (phase === 'connect') awaitConnect();
      void pending.done.then((r) => ('code' in r ? fail(r.code, r.message) : answered(r.status, r.headers, r.body)));
      return;
    }
    awaitConnect();
    let req: http.ClientRequest;
    const options: http.RequestOptions = {
      method: x.method,
      protocol: x.url.protocol,
      hostname: x.url.hostname.replace(/^\[|\]$/g, ''),
      port: x.url.port,
      path: x.path,
      headers: x.headers,
      agent: x.transport,
    };
    try {
      req = (x.url.protocol === 'https:' ? httpsRequest : http.request)(options);
    } catch (err) {
      return failWith(err as NodeJS.ErrnoException);
    }
    cancel = () => req.destroy();
    req.on('error', failWith);
    req.on('socket', (socket) => {
      if (socket.connecting) socket.once('connect', connected);
      else connected();
    });
    req.on('response', (res) => {
      const status = res.statusCode ?? 0;
      const declared = Number(res.headers['content-length']);
      if (declared > MAX_BODY_BYTES) return fail(TOO_LARGE, `The answer declares ${declared} bytes.`);
      const chunks: Buffer[] = [];
      let size = 0;
      let ended = false;
      res.on('data', (chunk: Buffer) => {
        size += chunk.length;
        if (size > MAX_BODY_BYTES) return fail(TOO_LARGE, `The answer passed ${MAX_BODY_BYTES} bytes.`);
        chunks.push(chunk);
      });
      res.on('error', failWith);
      res.on('close', () => {
        if (!ended) fail('ECONNRESET', 'The server aborted pending request');
      });
      res.on('end', () => {
        ended = true;
        answered(status, res.headers, chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks, size));
      });
    });
    if (x.body === undefined) req.end();
    else req.end(x.body);
  });
}

/** The body as text, decompressed as `accept-encoding` allowed (at most MAX_BODY_BYTES of it). */
async function decode(raw: Buffer, encoding: string | undefined): Promise<string> {
  if (raw.length === 0 || encoding === undefined) return raw.toString('utf8');
  const opts = { maxOutputLength: MAX_BODY_BYTES };
  switch (encoding.trim().toLowerCase()) {
    case 'gzip':
    case 'x-gzip':
      return (await gunzip(raw, opts)).toString('utf8');
    case 'deflate':
      // Some servers send raw deflate under this name: a zlib stream starts with a CM nibble of 8.
      return (await ((raw[0]! & 0x0f) === 0x08 ? inflate(raw, opts) : inflateRaw(raw, opts))).toString('utf8');
    case 'br':
      return (await brotli(raw, opts)).toString('utf8');
    default:
      return raw.toString('utf8');
  }
}
