// The wire under the HTTP client (http.ts): undici for every request, kept-alive connections to the API's origin, or
// EnvHttpProxyAgent when a proxy applies. undici frames and limits the answer (its strict parser, header size and
// body size limits, connect timeout); this module adds the whole-request timeout, says how far a failed request got,
// and holds the answer in one buffer of its own, so an answer cut into many small pieces costs only its bytes.
// Imported on a client's first request only: commands that make none never load undici.
import { promisify } from 'node:util';
import v8 from 'node:v8';
import zlib from 'node:zlib';
import { EnvHttpProxyAgent, Pool, type Dispatcher } from 'undici';

// undici parses answers with llhttp compiled to WebAssembly. V8 recompiles its one large parse function with its
// optimising tier once it has run a while (after the first answer by default, after some hundred with any budget),
// which costs about 70 ms of CPU and 30 MB of RSS that stay, and saves nothing measurable on answers this small:
// `channels list` took 0.23 s of CPU and 90 MB peak, 0.13 s and 55 MB with the baseline tier only; a 10,000-message
// fan-out peaked at 127 MB, 96 MB with it, at the same CPU per message. Set before undici compiles the module, on its
// first connection; wa-cli runs no other WebAssembly.
v8.setFlagsFromString('--liftoff-only');

/** What the client needs of a proxy: the values of the proxy variables, read from its environment. */
export interface ProxySettings {
  httpProxy: string;
  httpsProxy: string;
  noProxy: string;
}

export interface TransportOptions {
  /** `https://host:port`, no path. */
  origin: string;
  /** undefined: straight to the origin. */
  proxy: ProxySettings | undefined;
  connectTimeoutMs: number;
  /** The most an answer may hold, before and after decompression. */
  maxBodyBytes: number;
  /** The most an answer's status line and headers may hold. */
  maxHeaderBytes: number;
}

export interface Exchange {
  /** Path and query, as they go on the request line. */
  path: string;
  method: string;
  headers: Record<string, string>;
  body: string | Buffer | undefined;
  timeoutMs: number;
  signal: AbortSignal | undefined;
}

export interface Answer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  text: string;
}

/** How a request ended without an answer the client can read. */
export type Failure =
  /** Nothing went out: a header value a request cannot carry (a line break, a character past Latin-1). */
  | 'refused'
  /** The connection or the answer broke (refused, reset, closed early, DNS, TLS…). */
  | 'network'
  | 'timeout'
  /** The answer breaks HTTP (undici's parser refused it, or its head passed the size limit). */
  | 'malformed'
  | 'too-large'
  | 'aborted';

/**
 * A request that got no HTTP answer. `phase` says how far it got: 'connect' (no connection yet: nothing reached the
 * server) or 'request' (the request may have been read and acted on).
 */
export interface NetError {
  kind: Failure;
  code: string;
  phase: 'connect' | 'request';
  message: string;
  /** Where a connection failed, as the error names it (the API's host, or the proxy's). */
  address?: string;
  port?: number;
  /** The name that could not be resolved. */
  hostname?: string;
}

// Idle connections are kept this long (undici shortens it under the server's `Keep-Alive: timeout=N`).
const KEEP_ALIVE_MS = 4000;

const gunzip = promisify(zlib.gunzip);
const inflate = promisify(zlib.inflate);
const inflateRaw = promisify(zlib.inflateRaw);
const brotli = promisify(zlib.brotliDecompress);

export class Transport {
  private readonly dispatcher: Dispatcher;
  /** A proxy's CONNECT is not covered by undici's connect timeout: the client keeps its own clock on it. */
  private readonly connectTimer: boolean;

  constructor(private readonly opts: TransportOptions) {
    const common = {
      connect: { timeout: opts.connectTimeoutMs },
      keepAliveTimeout: KEEP_ALIVE_MS,
      maxHeaderSize: opts.maxHeaderBytes,
      maxResponseSize: opts.maxBodyBytes,
    };
    this.dispatcher = opts.proxy ? new EnvHttpProxyAgent({ ...common, ...opts.proxy }) : new Pool(opts.origin, common);
    this.connectTimer = opts.proxy !== undefined;
  }

  /** One request: no redirects followed, the answer read whole as text (decompressed). Never rejects. */
  exchange(x: Exchange): Promise<Answer | NetError> {
    return new Promise<Raw | NetError>((resolve) => {
      const reading = new Reading(this.opts, x, resolve);
      if (x.signal?.aborted) {
        // Cancelled before it started: nothing is sent, but it is reported like an abort mid-request, as callers expect.
        reading.phase = 'request';
        return reading.fail('aborted', 'ERR_ABORTED', 'This operation was aborted.');
      }
      reading.start(this.connectTimer);
      this.dispatcher.dispatch(
        {
          origin: this.opts.origin,
          path: x.path,
          method: x.method as Dispatcher.HttpMethod,
          headers: x.headers,
          body: x.body ?? null,
          // The client's own timer bounds the whole request; undici's are set no shorter, so they never cut it first.
          headersTimeout: x.timeoutMs,
          bodyTimeout: x.timeoutMs,
        },
        reading,
      );
    }).then((r) => ('kind' in r ? r : decode(r, this.opts.maxBodyBytes)));
  }

}

interface Raw {
  status: number;
  headers: Answer['headers'];
  body: Buffer;
}

/** The handler of one request: its timers, how far it got, and the answer's bytes. */
class Reading implements Dispatcher.DispatchHandler {
  phase: NetError['phase'] = 'connect';
  private settled = false;
  private controller: Dispatcher.DispatchController | undefined;
  private requestTimer: NodeJS.Timeout | undefined;
  private connectTimer: NodeJS.Timeout | undefined;
  private status = 0;
  private headers: Answer['headers'] = {};
  // The answer: a first piece is kept as undici hands it over; from the second on, the bytes are copied into one
  // buffer of the client's, so no piece keeps alive the larger read it is a view of.
  private first: Buffer | undefined;
  private held: Buffer | undefined;
  private size = 0;

  constructor(
    private readonly opts: TransportOptions,
    private readonly x: Exchange,
    private readonly resolve: (r: Raw | NetError) => void,
  ) {}

  start(connectTimer: boolean): void {
    this.requestTimer = setTimeout(this.timedOut, this.x.timeoutMs);
    if (connectTimer) this.connectTimer = setTimeout(this.connectTimedOut, Math.min(this.opts.connectTimeoutMs, this.x.timeoutMs));
    this.x.signal?.addEventListener('abort', this.aborted);
  }

  private readonly timedOut = (): void => this.fail('timeout', 'ETIMEDOUT', `no answer within ${this.x.timeoutMs} ms`);
  private readonly connectTimedOut = (): void => this.fail('timeout', 'ETIMEDOUT', `no connection within ${this.opts.connectTimeoutMs} ms`);
  private readonly aborted = (): void => this.fail('aborted', 'ERR_ABORTED', 'This operation was aborted.');

  onRequestStart(controller: Dispatcher.DispatchController): void {
    this.controller = controller;
    // Given up while connecting: the connection is made now, and dropped before anything is written.
    if (this.settled) return controller.abort(new Error('given up'));
    this.phase = 'request';
    clearTimeout(this.connectTimer);
  }

  onResponseStart(_c: Dispatcher.DispatchController, status: number, headers: Answer['headers']): void {
    // An interim answer (100 Continue): the real one follows.
    if (status < 200) return;
    this.status = status;
    this.headers = headers;
    // undici counts the bytes as they come; an answer that declares more than the limit is not waited for.
    const declared = Number(headers['content-length']);
    if (declared > this.opts.maxBodyBytes) this.fail('too-large', 'UND_ERR_RES_EXCEEDED_MAX_SIZE', `The answer declares ${declared} bytes.`);
  }

  onResponseData(_c: Dispatcher.DispatchController, chunk: Buffer): void {
    if (this.settled) return;
    const size = this.size + chunk.length;
    if (this.first === undefined && this.held === undefined) this.first = chunk;
    else {
      if (this.held === undefined || size > this.held.length) {
        // undici's maxResponseSize ends the answer before this passes the limit; the buffer grows by doubling up to it.
        const grown = Buffer.allocUnsafeSlow(Math.min(this.opts.maxBodyBytes, Math.max(size, 2 * (this.held?.length ?? 0), 16 * 1024)));
        if (this.held) this.held.copy(grown, 0, 0, this.size);
        else if (this.first) this.first.copy(grown, 0);
        this.held = grown;
        this.first = undefined;
      }
      chunk.copy(this.held, this.size);
    }
    this.size = size;
  }

  onResponseEnd(): void {
    if (this.settled) return;
    const body = this.held ? this.held.subarray(0, this.size) : (this.first ?? Buffer.alloc(0));
    this.finish({ status: this.status, headers: this.headers, body });
  }

  onResponseError(_c: Dispatcher.DispatchController, err: Error): void {
    if (this.settled) return;
    const e = err as Error & { code?: unknown; address?: unknown; port?: unknown; hostname?: unknown };
    const code = typeof e.code === 'string' ? e.code : e.name;
    const where = {
      ...(typeof e.address === 'string' && typeof e.port === 'number' ? { address: e.address, port: e.port } : {}),
      ...(typeof e.hostname === 'string' ? { hostname: e.hostname } : {}),
    };
    this.fail(classify(code, e.name), code, e.message, where);
  }

  fail(kind: Failure, code: string, message: string, where: Pick<NetError, 'address' | 'port' | 'hostname'> = {}): void {
    if (this.settled) return;
    this.finish({ kind, code, phase: this.phase, message, ...where });
    // Destroys the connection: the server sees it close. Before the request starts there is nothing to destroy yet.
    this.controller?.abort(new Error(message));
  }

  private finish(r: Raw | NetError): void {
    this.settled = true;
    clearTimeout(this.requestTimer);
    clearTimeout(this.connectTimer);
    this.x.signal?.removeEventListener('abort', this.aborted);
    this.first = undefined;
    this.held = undefined;
    this.resolve(r);
  }
}

function classify(code: string, name: string): Failure {
  if (code === 'UND_ERR_INVALID_ARG') return 'refused';
  if (code === 'UND_ERR_CONNECT_TIMEOUT' || code === 'UND_ERR_HEADERS_TIMEOUT' || code === 'UND_ERR_BODY_TIMEOUT') return 'timeout';
  if (code === 'UND_ERR_RES_EXCEEDED_MAX_SIZE') return 'too-large';
  if (name === 'HTTPParserError' || code === 'UND_ERR_HEADERS_OVERFLOW' || code === 'UND_ERR_RES_CONTENT_LENGTH_MISMATCH') return 'malformed';
  return 'network';
}

/** The body as text, decompressed as `accept-encoding` allowed, at most `max` bytes of it. */
async function decode(r: Raw, max: number): Promise<Answer | NetError> {
  const encoding = r.headers['content-encoding'];
  const raw = r.body;
  const done = (b: Buffer): Answer => ({ status: r.status, headers: r.headers, text: b.toString('utf8') });
  if (raw.length === 0 || typeof encoding !== 'string') return done(raw);
  const opts = { maxOutputLength: max };
  try {
    switch (encoding.trim().toLowerCase()) {
      case 'gzip':
      case 'x-gzip':
        return done(await gunzip(raw, opts));
      case 'deflate':
        // Some servers send raw deflate under this name: a zlib stream starts with a CM nibble of 8.
        return done(await ((raw[0]! & 0x0f) === 0x08 ? inflate(raw, opts) : inflateRaw(raw, opts)));
      case 'br':
        return done(await brotli(raw, opts));
      default:
        return done(raw);
    }
  } catch (err) {
    const e = err as NodeJS.ErrnoException;
    if (e.code === 'ERR_BUFFER_TOO_LARGE') return { kind: 'too-large', code: e.code, phase: 'request', message: `The answer passed ${max} bytes once decompressed.` };
    return { kind: 'malformed', code: e.code ?? 'Z_DATA_ERROR', phase: 'request', message: e.message };
  }
}
