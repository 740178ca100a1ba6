// HTTP/1.1 over kept-alive sockets, for requests made straight to the API (no proxy): the request is written as one
// Buffer and the answer read by a small parser, with no ClientRequest, IncomingMessage or Agent bookkeeping. node:http
// leaves about 15 KB of garbage per request; this leaves about 2 KB, which a long fan-out's memory turns on
// (bench/http, bench/fanout). Proxied requests still go through node:http and the proxy agent (see http.ts).
// Only what the APIs need: no redirects, no pipelining, no upgrades; a body framed by Content-Length, chunked
// encoding or the end of the connection.
import net from 'node:net';
import tls from 'node:tls';

export interface Http1Answer {
  status: number;
  headers: Record<string, string | string[]>;
  body: Buffer;
}

/** How a request ended without an answer; `code` follows Node's (ECONNRESET, HPE_…) so callers read both alike. */
export interface Http1Failure {
  code: string;
  message: string;
}

export interface Http1Request {
  method: string;
  /** Path and query, as they go on the request line. */
  path: string;
  headers: Record<string, string>;
  body: string | Buffer | undefined;
  /** An answer body larger than this fails with `tooLargeCode`. */
  maxBodyBytes: number;
  tooLargeCode: string;
}

export interface Http1Pending {
  /** Settles once: the answer or the failure. */
  done: Promise<Http1Answer | Http1Failure>;
  /** Called once the socket is connected; at once for a reused one. */
  onConnect: (fn: () => void) => void;
  /** Gives up: the socket is destroyed (the server sees the connection close). */
  abort: (code: string, message: string) => void;
}

const MAX_HEAD_BYTES = 16 * 1024;
// How long an idle connection is kept: Node's agent default, shortened to a second under the server's own
// `Keep-Alive: timeout=N`, so a request is not sent just as the server closes the connection.
const IDLE_MS = 5000;
const REQUEST_LINE = ' HTTP/1.1\r\nhost: ';
const CONTENT_LENGTH = 'content-length: ';
const KEEP_ALIVE = 'connection: keep-alive\r\n\r\n';
// Headers of which Node keeps the first when an answer repeats them (its IncomingMessage rules); others are joined.
const FIRST_ONLY = new Set(['content-type', 'content-length', 'user-agent', 'referer', 'host', 'authorization', 'proxy-authorization', 'if-modified-since', 'if-unmodified-since', 'from', 'location', 'max-forwards', 'retry-after', 'etag', 'last-modified', 'server', 'age', 'expires']);
const CRLF2 = Buffer.from('\r\n\r\n');
const TOKEN = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;
// Control characters (tab aside) and anything past Latin-1 cannot go in a header: Node refuses them the same way.
const BAD_VALUE = /[^\t\x20-\x7e\x80-\xff]/;
const BAD_PATH = /[\x00-\x20\x7f]/;
const STATUS_LINE = /^HTTP\/1\.([01]) (\d{3})(?: [^\r\n]*)?$/;
// A control character in an answer's header value is refused, as Node's strict parser does, unless the pool is told
// to be lenient (Node run with --insecure-http-parser, the way out the error message names).
const BAD_ANSWER_VALUE = /[\x00-\x08\x0a-\x1f\x7f]/;

type BodyMode = 'none' | 'length' | 'chunked' | 'close';

/** One origin's connections: idle ones are kept (most recent first) for 5 s and do not hold the process open. */
export class Http1Pool {
  /** Idle connections, the most recently used last: it is the one taken next. */
  private readonly idle: Conn[] = [];
  private readonly hostHeader: string;
  // One timer for all idle connections (a timer per connection put back would be garbage on every request).
  private sweepTimer: NodeJS.Timeout | undefined;

  constructor(
    private readonly target: { protocol: string; hostname: string; port: string },
    private readonly opts: { lenientHeaders?: boolean } = {},
  ) {
    const https = target.protocol === 'https:';
    const defaultPort = https ? '443' : '80';
    this.hostHeader = target.port && target.port !== defaultPort ? `${target.hostname}:${target.port}` : target.hostname;
  }

  /** Starts one exchange; throws (with Node's code) when the request cannot be written at all. Nothing is sent then. */
  request(r: Http1Request): Http1Pending {
    const head = this.requestBytes(r);
    let kept: Conn | undefined;
    while (kept === undefined && this.idle.length > 0) {
      const c = this.idle.pop()!;
      c.idle = false;
      // Closed by the server but not yet reported closed: never handed out, since a request on it would fail after
      // the connection looked made.
      if (c.socket.writable && !c.socket.readableEnded && !c.socket.destroyed) kept = c;
      else c.socket.destroy();
    }
    if (kept) kept.socket.ref();
    const conn = kept ?? new Conn(this.connect(), this);
    return new Exchange(conn, kept !== undefined, this.target.protocol === 'https:', this.opts.lenientHeaders === true, head, r).pending();
  }

  /**
   * The request line, the headers and a string body, written straight into one Buffer: built as strings they were
   * most of a request's garbage. The head is Latin-1 (one byte a character, as Node sends headers); a body UTF-8.
   */
  private requestBytes(r: Http1Request): Buffer {
    if (BAD_PATH.test(r.path)) throw Object.assign(new TypeError('Request path contains unescaped characters'), { code: 'ERR_UNESCAPED_CHARACTERS' });
    const headers = r.headers;
    let size = r.method.length + r.path.length + this.hostHeader.length + REQUEST_LINE.length + 3 + KEEP_ALIVE.length;
    for (const name in headers) {
      const value = headers[name]!;
      if (!TOKEN.test(name)) throw Object.assign(new TypeError(`Header name must be a valid HTTP token ["${name}"]`), { code: 'ERR_INVALID_HTTP_TOKEN' });
      if (BAD_VALUE.test(value)) throw Object.assign(new TypeError(`Invalid character in header content ["${name}"]`), { code: 'ERR_INVALID_CHAR' });
      size += name.length + value.length + 4;
    }
    const length = r.body !== undefined && headers['content-length'] === undefined ? String(Buffer.byteLength(r.body)) : undefined;
    if (length !== undefined) size += CONTENT_LENGTH.length + length.length + 2;
    const text = typeof r.body === 'string' ? r.body : undefined;
    const out = Buffer.allocUnsafe(size + (text === undefined ? 0 : Buffer.byteLength(text)));
    let at = out.write(r.method, 0, 'latin1');
    at += out.write(' ', at, 'latin1');
    at += out.write(r.path, at, 'latin1');
    at += out.write(REQUEST_LINE, at, 'latin1');
    at += out.write(this.hostHeader, at, 'latin1');
    at += out.write('\r\n', at, 'latin1');
    for (const name in headers) {
      at += out.write(name, at, 'latin1');
      at += out.write(': ', at, 'latin1');
      at += out.write(headers[name]!, at, 'latin1');
      at += out.write('\r\n', at, 'latin1');
    }
    if (length !== undefined) {
      at += out.write(CONTENT_LENGTH, at, 'latin1');
      at += out.write(length, at, 'latin1');
      at += out.write('\r\n', at, 'latin1');
    }
    at += out.write(KEEP_ALIVE, at, 'latin1');
    if (text !== undefined) out.write(text, at, 'utf8');
    return out;
  }

  private connect(): net.Socket {
    const host = this.target.hostname.replace(/^\[|\]$/g, '');
    const https = this.target.protocol === 'https:';
    const port = Number(this.target.port || (https ? 443 : 80));
    const socket = https ? tls.connect({ host, port, servername: net.isIP(host) ? undefined : host, ALPNProtocols: ['http/1.1'] }) : net.connect({ host, port });
    socket.setNoDelay(true);
    socket.setKeepAlive(true, 1000);
    return socket;
  }

  /** Keeps a connection whose exchange is over for `idleMs`, without holding the process open. */
  release(c: Conn, idleMs: number): void {
    c.socket.unref();
    c.idle = true;
    c.idleUntil = Date.now() + idleMs;
    this.idle.push(c);
    this.sweepTimer ??= setTimeout(this.sweep, idleMs).unref();
  }

  /** Idle too long, closed (or half closed) or reset by the server, or talking out of turn: not reused. */
  drop(c: Conn): void {
    c.idle = false;
    const at = this.idle.indexOf(c);
    if (at !== -1) this.idle.splice(at, 1);
    c.socket.destroy();
  }

  private readonly sweep = (): void => {
    this.sweepTimer = undefined;
    const now = Date.now();
    let next = Infinity;
    for (let i = this.idle.length - 1; i >= 0; i--) {
      const c = this.idle[i]!;
      if (c.idleUntil <= now) this.drop(c);
      else next = Math.min(next, c.idleUntil);
    }
    if (next !== Infinity) this.sweepTimer = setTimeout(this.sweep, next - now).unref();
  };

  /** Closes every idle connection. */
  close(): void {
    clearTimeout(this.sweepTimer);
    this.sweepTimer = undefined;
    for (const c of this.idle.splice(0)) {
      c.idle = false;
      c.socket.destroy();
    }
  }
}

/**
 * One connection of a pool. Its listeners are attached once, when it is made: putting it back idle and taking it
 * again allocates nothing, so the idle connections of a long fan-out leave no garbage behind at every request.
 */
class Conn {
  idle = false;
  idleUntil = 0;

  constructor(
    readonly socket: net.Socket,
    readonly pool: Http1Pool,
  ) {
    // Added before any exchange's own, so it runs first: on the data that completes an exchange it still sees it busy.
    // It also keeps a late error on a connection no exchange listens to from crashing the process.
    socket.on('data', this.onEvent).on('end', this.onEvent).on('close', this.onEvent).on('error', this.onEvent);
  }

  private readonly onEvent = (): void => {
    if (this.idle) this.pool.drop(this);
  };
}

class Exchange {
  private resolve!: (r: Http1Answer | Http1Failure) => void;
  private readonly done = new Promise<Http1Answer | Http1Failure>((r) => (this.resolve = r));
  private settled = false;
  private isConnected: boolean;
  // The whole request has left for the socket: only then may the connection carry another.
  private flushed = false;
  private connectListener: (() => void) | undefined;
  // The answer as it is read.
  private headBuf: Buffer | undefined;
  private status = 0;
  private minor = 1;
  private headers: Record<string, string | string[]> = Object.create(null) as Record<string, string | string[]>;
  private mode: BodyMode = 'none';
  private remaining = 0;
  private chunks: Buffer[] = [];
  private size = 0;
  // Chunked decoding: unparsed bytes and where the decoder is.
  private pendingBytes: Buffer | undefined;
  private chunkState: 'size' | 'data' | 'data-end' | 'trailers' = 'size';

  private readonly socket: net.Socket;

  constructor(
    private readonly conn: Conn,
    reused: boolean,
    private readonly https: boolean,
    private readonly lenient: boolean,
    /** The head, and the body when it is a string. */
    private readonly bytes: Buffer,
    private readonly r: Http1Request,
  ) {
    const socket = (this.socket = conn.socket);
    this.isConnected = reused;
    socket.on('data', this.onData).on('error', this.onError).on('close', this.onClose);
    // Over TLS nothing of the request leaves before the handshake is done: until then it certainly did not arrive.
    if (!reused) socket.once(https ? 'secureConnect' : 'connect', this.onConnected);
    this.write();
  }

  pending(): Http1Pending {
    return {
      done: this.done,
      onConnect: (fn) => {
        if (this.isConnected) fn();
        else this.connectListener = fn;
      },
      abort: (code, message) => this.fail(code, message),
    };
  }

  private readonly onConnected = (): void => {
    this.isConnected = true;
    this.connectListener?.();
  };

  private write(): void {
    // Written at once: a socket still connecting holds it until connected.
    const body = this.r.body;
    if (body === undefined || typeof body === 'string') this.socket.write(this.bytes, this.onFlushed);
    else {
      this.socket.cork();
      this.socket.write(this.bytes);
      this.socket.write(body, this.onFlushed);
      this.socket.uncork();
    }
  }

  private readonly onFlushed = (err?: Error | null): void => {
    if (!err) this.flushed = true;
  };

  private readonly onError = (err: NodeJS.ErrnoException): void => {
    this.fail(typeof err.code === 'string' ? err.code : 'ERR_SOCKET', err.message);
  };

  private readonly onClose = (): void => {
    if (this.settled) return;
    // A body read to the end of the connection is complete when it closes.
    if (this.mode === 'close' && this.status !== 0) return this.complete(false);
    this.fail('ECONNRESET', this.status === 0 ? 'socket hang up' : 'The server aborted pending request');
  };

  private readonly onData = (data: Buffer): void => {
    if (this.settled) return;
    try {
      this.read(data);
    } catch (err) {
      const e = err as { code?: string; message: string };
      this.fail(e.code ?? 'HPE_INVALID', e.message);
    }
  };

  private read(data: Buffer): void {
    if (this.status === 0) {
      let buf = this.headBuf ? Buffer.concat([this.headBuf, data]) : data;
      // Empty lines before a status line are passed over, as Node's parser does.
      let lead = 0;
      while (lead < buf.length && (buf[lead] === 13 || buf[lead] === 10)) lead++;
      if (lead > 0) buf = buf.subarray(lead);
      const end = buf.indexOf(CRLF2);
      // A line ended by a bare LF is refused at once, as Node does, rather than waited on for a CR that never comes.
      for (let nl = buf.indexOf(10); nl !== -1 && (end === -1 || nl < end); nl = buf.indexOf(10, nl + 1)) {
        if (buf[nl - 1] !== 13) throw parseError('HPE_CR_EXPECTED', 'Missing expected CR after header value');
      }
      if (end === -1) {
        if (buf.length > MAX_HEAD_BYTES) throw parseError('HPE_HEADER_OVERFLOW', 'Header overflow');
        this.headBuf = buf.length > 0 ? buf : undefined;
        return;
      }
      this.headBuf = undefined;
      if (end > MAX_HEAD_BYTES) throw parseError('HPE_HEADER_OVERFLOW', 'Header overflow');
      const interim = this.parseHead(buf.toString('latin1', 0, end));
      const rest = buf.subarray(end + 4);
      if (interim) {
        // 100 Continue and the like: the real answer follows.
        this.status = 0;
        this.headers = Object.create(null) as Record<string, string | string[]>;
        if (rest.length > 0) this.read(rest);
        return;
      }
      if (this.mode === 'none') {
        if (rest.length > 0) this.socket.destroy();
        return this.complete(rest.length === 0);
      }
      if (rest.length > 0) this.body(rest);
      return;
    }
    this.body(data);
  }

  /** Reads the status line and headers; returns true for an interim (1xx) answer. */
  private parseHead(text: string): boolean {
    const lines = text.split('\r\n');
    const m = STATUS_LINE.exec(lines[0]!);
    if (!m) throw parseError('HPE_INVALID_CONSTANT', 'Expected HTTP/');
    this.minor = Number(m[1]);
    this.status = Number(m[2]);
    const h = this.headers;
    for (let i = 1; i < lines.length; i++) {
      const line = lines[i]!;
      const colon = line.indexOf(':');
      const name = colon > 0 ? line.slice(0, colon) : '';
      if (!TOKEN.test(name)) throw parseError('HPE_INVALID_HEADER_TOKEN', 'Invalid header token');
      const key = name.toLowerCase();
      const value = line.slice(colon + 1).trim();
      if (!this.lenient && BAD_ANSWER_VALUE.test(value)) throw parseError('HPE_INVALID_HEADER_TOKEN', 'Invalid header value char');
      const had = h[key];
      if (had === undefined) h[key] = key === 'set-cookie' ? [value] : value;
      else if (Array.isArray(had)) had.push(value);
      else if (key === 'content-length') {
        if (had !== value) throw parseError('HPE_UNEXPECTED_CONTENT_LENGTH', 'Duplicate Content-Length');
      } else if (!FIRST_ONLY.has(key)) h[key] = `${had}${key === 'cookie' ? '; ' : ', '}${value}`;
    }
    if (this.status < 100) throw parseError('HPE_INVALID_STATUS', 'Invalid status code');
    if (this.status < 200) {
      if (this.status === 101) throw parseError('HPE_INVALID_CONSTANT', 'Unexpected protocol switch');
      return true;
    }
    const te = h['transfer-encoding'];
    const cl = h['content-length'];
    // Both framings at once is how answers get out of step between a proxy and a client: refused, as Node does.
    if (te !== undefined && cl !== undefined) throw parseError('HPE_INVALID_TRANSFER_ENCODING', 'Transfer-Encoding can\'t be present with Content-Length');
    if (this.r.method === 'HEAD' || this.status === 204 || this.status === 304) this.mode = 'none';
    else if (typeof te === 'string') this.mode = /(?:^|,)\s*chunked\s*$/i.test(te) ? 'chunked' : 'close';
    else if (typeof cl === 'string') {
      if (!/^\d+$/.test(cl)) throw parseError('HPE_INVALID_CONTENT_LENGTH', 'Invalid character in Content-Length');
      this.remaining = Number(cl);
      if (this.remaining > this.r.maxBodyBytes) throw parseError(this.r.tooLargeCode, `The answer declares ${cl} bytes.`);
      this.mode = this.remaining === 0 ? 'none' : 'length';
    } else this.mode = 'close';
    return false;
  }

  private body(data: Buffer): void {
    if (this.mode === 'length') {
      const take = Math.min(this.remaining, data.length);
      this.keep(take === data.length ? data : data.subarray(0, take));
      this.remaining -= take;
      if (this.remaining === 0) {
        // Bytes past the declared length: the connection is out of step and is not reused.
        if (take < data.length) this.socket.destroy();
        this.complete(take === data.length);
      }
    } else if (this.mode === 'chunked') this.chunked(data);
    else this.keep(data);
  }

  private keep(data: Buffer): void {
    this.size += data.length;
    if (this.size > this.r.maxBodyBytes) throw parseError(this.r.tooLargeCode, `The answer passed ${this.r.maxBodyBytes} bytes.`);
    this.chunks.push(data);
  }

  private chunked(data: Buffer): void {
    let buf = this.pendingBytes ? Buffer.concat([this.pendingBytes, data]) : data;
    this.pendingBytes = undefined;
    for (;;) {
      if (this.chunkState === 'data') {
        const take = Math.min(this.remaining, buf.length);
        if (take > 0) this.keep(buf.subarray(0, take));
        this.remaining -= take;
        buf = buf.subarray(take);
        if (this.remaining > 0) return;
        this.chunkState = 'data-end';
      }
      if (this.chunkState === 'data-end') {
        if (buf.length < 2) break;
        if (buf[0] !== 13 || buf[1] !== 10) throw parseError('HPE_STRICT', 'Expected CRLF after chunk');
        buf = buf.subarray(2);
        this.chunkState = 'size';
      }
      const nl = buf.indexOf('\r\n');
      if (nl === -1) {
        if (buf.length > MAX_HEAD_BYTES) throw parseError('HPE_INVALID_CHUNK_SIZE', 'Chunk size line too long');
        break;
      }
      const line = buf.toString('latin1', 0, nl);
      buf = buf.subarray(nl + 2);
      if (this.chunkState === 'trailers') {
        if (line === '') {
          if (buf.length > 0) this.socket.destroy();
          return this.complete(buf.length === 0);
        }
        continue;
      }
      const hex = /^0*([0-9a-fA-F]{1,8})(?:[ \t]*;.*)?$/.exec(line);
      if (!hex) throw parseError('HPE_INVALID_CHUNK_SIZE', 'Invalid character in chunk size');
      this.remaining = parseInt(hex[1]!, 16);
      this.chunkState = this.remaining === 0 ? 'trailers' : 'data';
    }
    if (buf.length > 0) this.pendingBytes = Buffer.from(buf);
  }

  private complete(reusable: boolean): void {
    if (this.settled) return;
    this.settled = true;
    this.detach();
    const connection = this.headers.connection;
    const close = typeof connection === 'string' ? /\bclose\b/i.test(connection) : this.minor === 0;
    const keepAlive = typeof connection === 'string' && /\bkeep-alive\b/i.test(connection);
    // Reused only once the whole request is out (a server may answer before reading all of an upload).
    const writtenOut = this.flushed && this.socket.writableLength === 0;
    const idleMs = this.idleMs();
    if (reusable && writtenOut && idleMs > 0 && this.mode !== 'close' && !close && (this.minor === 1 || keepAlive) && !this.socket.destroyed) this.conn.pool.release(this.conn, idleMs);
    else this.socket.destroy();
    const body = this.chunks.length === 1 ? this.chunks[0]! : Buffer.concat(this.chunks, this.size);
    this.resolve({ status: this.status, headers: this.headers, body });
  }

  /** How long the connection may stay idle: under a second less than the server's `Keep-Alive: timeout=N`. */
  private idleMs(): number {
    const hint = this.headers['keep-alive'];
    const timeout = typeof hint === 'string' ? /\btimeout=(\d+)/i.exec(hint) : null;
    return timeout ? Math.max(0, Math.min(IDLE_MS, (Number(timeout[1]) - 1) * 1000)) : IDLE_MS;
  }

  private fail(code: string, message: string): void {
    if (this.settled) return;
    this.settled = true;
    this.detach();
    this.socket.destroy();
    this.resolve({ code, message });
  }

  private detach(): void {
    // The connection's own listeners stay (Conn): a late error is caught there.
    this.socket.off('data', this.onData).off('error', this.onError).off('close', this.onClose).off(this.https ? 'secureConnect' : 'connect', this.onConnected);
  }
}

function parseError(code: string, message: string): Error & { code: string } {
  return Object.assign(new Error(message), { code });
}
