// The one HTTP client's policy: signs every attempt afresh, retries only what is safe to retry, keeps every secret it
// knows out of what it logs and reports (redact.ts), and turns every failure into a typed error that says whether the
// server may have acted (http-failure.ts). Where a request goes is http-target.ts; the wire under it is undici
// (transport.ts), loaded on the first request.
import { createHash } from 'node:crypto';
import type { Env } from '../env.js';
import { UsageError } from '../errors.js';
import { redactUrl } from '../config/base-url.js';
import { TransportError } from './errors.js';
import { hmacAuthorization, hmacSignature } from './hmac.js';
import type { FormPart } from './form.js';
import { MAX_HEADER_BYTES, networkError, oneLine, refusedError, statusError, TLS_ERRORS, triesText, type ErrorReader, type ErrorReading, type FailureContext } from './http-failure.js';
import { buildQuery, isLoopbackHost, plainTarget, proxySettings, safeUrl, type Origin, type ProxyInUse, type QueryValue, type Target } from './http-target.js';
import { redactDeep, redactHeaders, redactSecrets, secretList } from './redact.js';
import type { NetError, Transport } from './transport.js';

// The client's interface stays importable from here: adapters and tests name only this module.
export type { FormPart } from './form.js';
export type { ErrorReader, ErrorReading } from './http-failure.js';
export type { QueryValue } from './http-target.js';

export type HttpAuth =
  /** `digest`: also send Mekari's optional `Digest: SHA-256=…` header over the body of POST/PUT. */
  | { kind: 'hmac'; clientId: string; secret: string; digest?: boolean }
  | { kind: 'bearer'; token: () => string }
  | { kind: 'api-key'; key: string }
  | { kind: 'none' };

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
const ACCEPT_ENCODING = 'gzip, deflate, br';
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
  private readonly proxy: ProxyInUse | undefined;
  private readonly failure: FailureContext;

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
    this.failure = {
      apiName: opts.apiName,
      origin: url,
      prefix: this.prefix,
      proxy: this.proxy,
      baseUrlSource: opts.baseUrlSource,
      authHint: opts.authHint,
      bareOriginHint: opts.bareOriginHint,
      connectTimeoutMs: opts.connectTimeoutMs ?? 10_000,
      timeoutMs: this.timeoutMs,
      maxBodyBytes: this.maxBodyBytes,
      now: this.now,
      secrets: () => this.secrets(),
    };
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
        throw this.errorFor(spec, status, headers, body, reading, wait, triesText(this.failure, attempt, started));
      }
      // A network-level failure.
      const { error } = outcome;
      // A header value no request can carry: nothing was sent, and the next attempt would be refused the same way.
      if (error.kind === 'refused') throw refusedError(this.failure, spec, error);
      const notSent = error.phase === 'connect';
      // A malformed answer, a refused certificate or an oversized answer would come back the same on every attempt.
      const again = error.kind !== 'malformed' && error.kind !== 'too-large' && !TLS_ERRORS.test(error.code);
      if ((idempotent || notSent) && attempt < maxAttempts && again) {
        const wait = this.backoff(attempt);
        this.log(`  ${error.code}; retrying in ${Math.round(wait)} ms (attempt ${attempt + 1} of ${maxAttempts})`);
        await this.opts.sleep(wait, this.opts.signal);
        continue;
      }
      throw networkError(this.failure, spec, error, !notSent, attempt, started);
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
    return secretList([...own, ...(this.opts.secrets ?? [])], [this.proxy ? safeUrl(this.proxy.used.url)?.password : undefined, this.origin.password]);
  }

  /** An answer that is not a success, as the error it means. */
  private errorFor(spec: RequestSpec, status: number, headers: HttpResponse['headers'], body: unknown, reading: ErrorReading, wait: number, tries: string): Error {
    return statusError(this.failure, spec, (spec.auth ?? this.opts.auth).kind === 'hmac', status, headers, body, reading, wait, tries);
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

  /** Exponential backoff with full jitter: 0.5 s, 1 s, 2 s… capped at 30 s. */
  private backoff(attempt: number): number {
    const cap = Math.min(30_000, 500 * 2 ** (attempt - 1));
    return cap / 2 + this.random() * (cap / 2);
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
