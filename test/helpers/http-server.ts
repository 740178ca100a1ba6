// Local servers for the client's tests: an HTTP server (each request's body read whole, its number passed to the
// handler, the requests and connections it saw counted) and a raw TCP one that answers exact bytes. 127.0.0.1 only.
import http from 'node:http';
import net from 'node:net';
import type { AddressInfo } from 'node:net';
import { HttpClient, type HttpClientOptions } from '../../src/providers/http.js';
import { readKonekwaError } from '../../src/providers/konekwa/errors.js';

export type Handler = (req: http.IncomingMessage & { body: string }, res: http.ServerResponse, n: number) => void;

/** A JSON answer. */
export function json(res: http.ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  res.writeHead(status, { 'content-type': 'application/json', ...headers });
  res.end(JSON.stringify(body));
}

export async function listen(server: net.Server): Promise<number> {
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return (server.address() as AddressInfo).port;
}

export async function withServer(handler: Handler, fn: (url: string, seen: { hits: number; connections: number }) => Promise<void>): Promise<void> {
  const seen = { hits: 0, connections: 0 };
  const server = http.createServer((req, res) => {
    const n = ++seen.hits;
    let body = '';
    req.on('data', (d) => (body += d));
    req.on('end', () => handler(Object.assign(req, { body }), res, n));
  });
  server.on('connection', () => seen.connections++);
  const port = await listen(server);
  try {
    await fn(`http://127.0.0.1:${port}`, seen);
  } finally {
    server.closeAllConnections();
    await new Promise((r) => server.close(r));
  }
}

/** What a raw server saw: connections, and each request's head and body as it arrived (Latin-1). */
export interface RawSeen {
  connections: number;
  requests: string[];
}

/**
 * A TCP server on 127.0.0.1 that answers exact bytes: `answer(n, socket)` for the n-th request (from 1, counted over
 * all connections) writes whatever it likes, or nothing. Requests are framed by their Content-Length.
 */
export async function withRawServer(answer: (n: number, socket: net.Socket) => void, fn: (url: string, seen: RawSeen) => Promise<void>): Promise<void> {
  const seen: RawSeen = { connections: 0, requests: [] };
  const sockets = new Set<net.Socket>();
  const server = net.createServer((socket) => {
    seen.connections++;
    sockets.add(socket);
    socket.on('error', () => undefined);
    socket.on('close', () => sockets.delete(socket));
    let buf = '';
    socket.on('data', (d) => {
      buf += d.toString('latin1');
      for (;;) {
        const end = buf.indexOf('\r\n\r\n');
        if (end === -1) return;
        const length = Number(/\r\ncontent-length: *(\d+)/i.exec(buf.slice(0, end))?.[1] ?? 0);
        if (buf.length < end + 4 + length) return;
        seen.requests.push(buf.slice(0, end + 4 + length));
        buf = buf.slice(end + 4 + length);
        answer(seen.requests.length, socket);
      }
    });
  });
  const port = await listen(server);
  try {
    await fn(`http://127.0.0.1:${port}`, seen);
  } finally {
    for (const s of sockets) s.destroy();
    await new Promise((r) => server.close(r));
  }
}

/** A Konekwa HttpClient for `url` whose sleeps are recorded, not slept: `waits` lists the ones it asked for. */
export function konekwaClient(url: string, extra: Partial<HttpClientOptions> = {}): { c: HttpClient; waits: number[] } {
  const waits: number[] = [];
  const c = new HttpClient({
    baseUrl: url,
    auth: { kind: 'api-key', key: 'k' },
    env: {},
    apiName: 'Konekwa',
    readError: readKonekwaError,
    sleep: async (ms) => {
      waits.push(ms);
    },
    random: () => 0.5,
    ...extra,
  });
  return { c, waits };
}
