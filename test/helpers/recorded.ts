// Replays Qontak's recorded responses (fixtures/api/qontak-recorded) over real HTTP on 127.0.0.1, so the adapters are
// tested against what the real API sent, not against our own idea of it.
import http from 'node:http';
import { readFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { recordedFile } from './paths.js';

export interface Recorded {
  _path: string;
  _method: string;
  _status: number;
  body: unknown;
}

export function loadRecorded(name: string): Recorded {
  return JSON.parse(readFileSync(recordedFile(name), 'utf8')) as Recorded;
}

export interface ReplayServer {
  url: string;
  requests: { method: string; url: string; headers: http.IncomingHttpHeaders; body: string }[];
  close(): Promise<void>;
}

/** Answers every request with the recorded status and body of `name` (or of route(req) when given). */
export async function replay(route: string | ((req: http.IncomingMessage) => string)): Promise<ReplayServer> {
  const requests: ReplayServer['requests'] = [];
  const server = http.createServer((req, res) => {
    let body = '';
    req.on('data', (d) => (body += d));
    req.on('end', () => {
      requests.push({ method: req.method!, url: req.url!, headers: req.headers, body });
      const rec = loadRecorded(typeof route === 'string' ? route : route(req));
      res.writeHead(rec._status, { 'content-type': 'application/json' });
      res.end(JSON.stringify(rec.body));
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    close: () => {
      server.closeAllConnections();
      return new Promise((r) => server.close(() => r()));
    },
  };
}

/** The Qontak adapter over HMAC against a replay server. */
export async function qontakAt(url: string) {
  const { HttpClient } = await import('../../src/providers/http.js');
  const { QontakProvider, QONTAK_PREFIX } = await import('../../src/providers/qontak/adapter.js');
  const { readQontakError } = await import('../../src/providers/qontak/errors.js');
  const http = new HttpClient({
    baseUrl: url,
    prefix: QONTAK_PREFIX.hmac,
    auth: { kind: 'hmac', clientId: 'cid', secret: 'sec' },
    env: {},
    apiName: 'Qontak',
    readError: readQontakError,
    sleep: async () => {},
  });
  return new QontakProvider(http, 'hmac');
}
