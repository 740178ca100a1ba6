// What went wrong with a request, said as a typed error with what to do: an API's refusal by its status (the
// credentials, the clock behind a signature, a base URL's path, a rate limit, a server error), a request never sent,
// and a network failure (a certificate, a proxy, a refused connection, a timeout), each saying whether the server
// may have acted.
import { AuthError, OperationError, UsageError } from '../errors.js';
import { redactUrl } from '../config/base-url.js';
import { ApiAuthError, ApiError, ApiNotFoundError, TransportError } from './errors.js';
import { HMAC_WINDOW_S } from './hmac.js';
import { safeUrl, type ProxyInUse } from './http-target.js';
import { redactSecrets } from './redact.js';
import type { NetError } from './transport.js';

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

/** The most an answer's head may hold; 16 KiB is also Node's default. A longer head is a broken or hostile server. */
export const MAX_HEADER_BYTES = 16 * 1024;
// The server's certificate was not accepted: retrying cannot help and it is not transient.
export const TLS_ERRORS = /^(?:CERT_|ERR_TLS_CERT|UNABLE_TO_(?:VERIFY|GET_ISSUER)|SELF_SIGNED_CERT|DEPTH_ZERO_SELF_SIGNED|ERR_SSL_)/;
// Headers whose values are credentials: a value a header cannot carry there is the credential's fault.
const AUTH_HEADERS = /^(authorization|x-api-key)$/;

/** What the client knows that its errors name. */
export interface FailureContext {
  apiName: string;
  origin: URL;
  prefix: string;
  proxy: ProxyInUse | undefined;
  /** Where the base URL came from, named when it is unreachable. */
  baseUrlSource?: string | undefined;
  /** What to do about a 401, when the caller knows better than "log in again". */
  authHint?: string | undefined;
  /** What to do about a 404 that is not the API's own answer while the base URL is a bare origin. */
  bareOriginHint?: string | undefined;
  connectTimeoutMs: number;
  timeoutMs: number;
  maxBodyBytes: number;
  now: () => number;
  secrets: () => string[];
}

/** The request as its errors name it. */
export interface RequestLine {
  method: string;
  path: string;
  timeoutMs?: number | undefined;
}

type Headers = Record<string, string | string[] | undefined>;

/** After retries, how many attempts were made and over how long; nothing for a single attempt. */
export function triesText(c: Pick<FailureContext, 'now'>, attempts: number, started: number): string {
  return attempts > 1 ? ` Tried ${attempts} times over ${Math.round((c.now() - started) / 1000)} s.` : '';
}

/** How far the local clock is from the server's `Date`, when that is more than the HMAC window; else undefined. */
function clockSkewMs(c: FailureContext, headers: Headers): number | undefined {
  const date = headers.date;
  const at = typeof date === 'string' ? Date.parse(date) : NaN;
  if (Number.isNaN(at)) return undefined;
  const skew = c.now() - at;
  return Math.abs(skew) > HMAC_WINDOW_S * 1000 ? skew : undefined;
}

/** An answer that is not a success, as the error it means. `hmac`: the request was signed. */
export function statusError(c: FailureContext, spec: RequestLine, hmac: boolean, status: number, headers: Headers, body: unknown, reading: ErrorReading, wait: number, tries: string): Error {
  const api = c.apiName;
  const quoted = reading.messages.length ? `: "${reading.messages.join('; ')}"` : '';
  const details = { status, messages: reading.messages, body };
  const what = `${api} ${spec.method} ${spec.path}`;
  if (status === 401 || status === 403) return authError(c, hmac, status, headers, quoted, details);
  if (status === 404 && !reading.notFound && c.origin.pathname.replace(/\/+$/, '') !== '') {
    // A base URL with a path puts every API path under it: a 404 there is most often the base URL, not the id.
    return new ApiNotFoundError(`${what} found nothing (${status})${quoted}.`, details, `The base URL ${redactUrl(c.origin.href)} has a path (${c.origin.pathname}) that every request goes under; the base URL is usually just the origin, e.g. ${c.origin.origin}.`);
  }
  if (status === 404 && !reading.notFound && reading.messages.length === 0 && c.bareOriginHint) {
    // Not the API's own "no such thing" (it says what): most often a gateway served under a path the base URL lacks.
    return new ApiNotFoundError(`${what} found nothing (${status}), and the answer is not ${api}'s own.`, details, c.bareOriginHint);
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

/** A 401 or 403: the clock behind a signature, the signature, or the credentials and what they may reach. */
function authError(c: FailureContext, hmac: boolean, status: number, headers: Headers, quoted: string, details: { status: number; messages: string[]; body: unknown }): ApiAuthError {
  const api = c.apiName;
  const skew = status === 401 && hmac ? clockSkewMs(c, headers) : undefined;
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
  if (status === 401 && hmac) {
    // The gateway answers a signature that does not match, a Date outside its window and wrong credentials alike.
    return new ApiAuthError(
      `${api} refused the request (401)${quoted}: the signature or the clock, or else the credentials.`,
      details,
      `Check this computer's clock first (within ${HMAC_WINDOW_S / 60} minutes of the server's) and that no proxy rewrites the path; then ${c.authHint ?? 'the client id and secret with `wa-cli auth status`.'}`,
    );
  }
  return new ApiAuthError(
    `${api} refused the credentials (${status})${quoted}.`,
    details,
    status === 403 ? 'The app behind these credentials lacks access (for Qontak the qontak-chat:all scope).' : (c.authHint ?? 'Check the credentials with `wa-cli auth status`, or log in again with `wa-cli auth login`.'),
  );
}

/** A request undici would not send: a header value with a line break, or a character past Latin-1. */
export function refusedError(c: FailureContext, spec: RequestLine, err: NetError): UsageError | AuthError {
  const header = /^invalid (\S+) header$/.exec(err.message)?.[1];
  const what = `${c.apiName} ${spec.method} ${spec.path} was not sent`;
  if (header === undefined) return new UsageError(`${what}: ${err.message}.`);
  const why = `the ${header} header would carry a line break, a control character or a character past Latin-1`;
  if (AUTH_HEADERS.test(header.toLowerCase())) {
    return new AuthError(`${what}: ${why}, which comes from the credentials.`, { hint: 'Set the credential again without it: `wa-cli auth status` shows where it comes from.' });
  }
  return new UsageError(`${what}: ${why}.`);
}

/** A failure below HTTP, after the client's retries, said as what failed and where. */
export function networkError(c: FailureContext, spec: RequestLine, err: NetError, maybeActed: boolean, attempts: number, started: number): TransportError | OperationError {
  const api = c.apiName;
  const target = `${spec.method} ${c.origin.host}${c.prefix}${spec.path}`;
  const acted = maybeActed && spec.method !== 'GET' ? ' The server may have received it.' : '';
  const tries = triesText(c, attempts, started);
  const message = oneLine(redactSecrets(err.message, c.secrets()));
  const from = c.baseUrlSource ? ` The base URL ${c.origin.origin} comes from ${c.baseUrlSource}.` : '';
  const unreachable = connectionError(c, err, { target, message, from, tries, maybeActed });
  if (unreachable) return unreachable;
  if (err.kind === 'malformed') {
    const detail =
      err.code === 'UND_ERR_HEADERS_OVERFLOW'
        ? `its headers passed ${formatBytes(MAX_HEADER_BYTES)}`
        : (/^Response does not match the HTTP\/1\.1 protocol \((.*)\)$/.exec(message)?.[1] ?? `${err.code}: ${message}`);
    return new TransportError(`${api} sent an answer to ${target} that is not valid HTTP (${detail}).${acted}`, maybeActed, undefined, 'If this persists, tell the API provider; run with --verbose to see the exchange.');
  }
  if (err.kind === 'too-large') {
    return new TransportError(`${api} answered ${target} with more than ${formatBytes(c.maxBodyBytes)}; wa-cli stopped reading there.${acted}`, maybeActed);
  }
  if (err.kind === 'timeout') {
    // A connection never made is its own timeout, and says so: nothing reached the server.
    const requestMs = spec.timeoutMs ?? c.timeoutMs;
    const seconds = Math.round((err.phase === 'connect' ? Math.min(c.connectTimeoutMs, requestMs) : requestMs) / 1000);
    const each = attempts > 1 ? ` on each of ${attempts} attempts (${Math.round((c.now() - started) / 1000)} s in all)` : '';
    const e = new TransportError(`${target} timed out after ${seconds} s${err.phase === 'connect' ? ' without a connection' : ''}${each}.${acted}`, maybeActed);
    e.timedOut = true;
    return e;
  }
  if (err.code === 'UND_ERR_SOCKET') {
    return new TransportError(`${target} failed: the connection closed before the answer was complete (${message}).${acted}${tries}`, maybeActed);
  }
  return new TransportError(`${target} failed: ${err.code} ${message}.${acted}${tries}`, maybeActed);
}

/** No answer to read: a certificate refused, nothing listening, a name that does not resolve, a proxy's refusal. */
function connectionError(
  c: FailureContext,
  err: NetError,
  t: { target: string; message: string; from: string; tries: string; maybeActed: boolean },
): TransportError | OperationError | undefined {
  const proxy = c.proxy ? safeUrl(c.proxy.used.url) : undefined;
  // The proxy is what failed when the error names its host (or its port, where the API's differs): NO_PROXY may have
  // sent this request straight to the API, and undici decides that.
  const portOf = (u: URL): number => Number(u.port || (u.protocol === 'https:' ? 443 : 80));
  const atProxy =
    proxy !== undefined &&
    (err.hostname === proxy.hostname || err.address === proxy.hostname.replace(/^\[|\]$/g, '') || (err.port !== undefined && err.port === portOf(proxy) && err.port !== portOf(c.origin)));
  const proxyName = proxy ? `the proxy ${proxy.host} (${c.proxy!.used.name})` : '';
  if (TLS_ERRORS.test(err.code)) {
    // Nothing was sent: the connection stopped at the handshake.
    return new OperationError(`${c.apiName} at ${c.origin.host} presented a certificate that is not trusted (${err.code}: ${t.message}).${t.from}`, {
      hint: proxy
        ? `${proxyName} may be inspecting TLS: add its CA with NODE_EXTRA_CA_CERTS=/path/to/ca.pem.`
        : 'Check the host name and the system clock; for a company CA, point NODE_EXTRA_CA_CERTS at its PEM file.',
    });
  }
  if (err.code === 'ECONNREFUSED' || err.code === 'ENOTFOUND' || err.code === 'EAI_AGAIN') {
    const where = atProxy ? proxyName : err.code === 'ECONNREFUSED' ? c.origin.host : `the host ${c.origin.hostname}`;
    const what = err.code === 'ECONNREFUSED' ? `nothing is listening at ${where}` : `${where} cannot be resolved`;
    return new TransportError(`${t.target} failed: ${what} (${err.code}).${t.from}${t.tries}`, t.maybeActed, undefined, atProxy ? 'Check the proxy setting, or set NO_PROXY for this host.' : 'Check the base URL (`wa-cli auth status` shows it and where it comes from), or start the service.');
  }
  const tunnel = /^Proxy response \((\d+)\)/.exec(t.message);
  if (tunnel && proxy) {
    // The proxy would not open a tunnel to the API (no route, a refused host, credentials it wants).
    return new TransportError(`${t.target} failed: ${proxyName} answered ${tunnel[1]} to the tunnel to ${c.origin.host}.${t.from}${t.tries}`, t.maybeActed, undefined, tunnel[1] === '407' ? 'The proxy wants credentials: put them in the proxy URL (http://user:password@proxy:port).' : 'Check the proxy setting, or set NO_PROXY for this host.');
  }
  return undefined;
}

/** Line breaks in a server's or socket's text become spaces: an error is one line. */
export function oneLine(text: string): string {
  return text.replace(/[\r\n]+/g, ' ').trim();
}

function formatBytes(n: number): string {
  return n >= 1024 * 1024 ? `${n / 1024 / 1024} MB` : `${Math.round(n / 1024)} KB`;
}
