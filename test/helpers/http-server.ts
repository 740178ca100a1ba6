// A local HTTP server for the client's tests: each request's body read whole, its number passed to the handler, and
// the requests and connections it saw counted. Listens on 127.0.0.1 only.
import http from 'node:http';
import type net from 'node:net';
import type { AddressInfo } from 'node:net';

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
