// CPU per request of the one HTTP client (HttpClient.request, as a fan-out POST goes: signing, timers, retries policy,
// its own HTTP/1.1 reader) next to a bare node:http request over a keep-alive agent, in the same run, against a
// 127.0.0.1 server in a child process (so its CPU is not counted).
// `node dist/bench/http.js [requests] [concurrency] [rounds]`
import { spawn } from 'node:child_process';
import http from 'node:http';
import { HttpClient } from '../src/providers/http.js';
import { readKonekwaError } from '../src/providers/konekwa/errors.js';

const total = Number(process.argv[2] ?? 5000);
const concurrency = Number(process.argv[3] ?? 16);
const rounds = Number(process.argv[4] ?? 3);

// Answers every POST as Konekwa does a queued message, after reading the body.
const SERVER = `
const http = require('node:http');
let n = 0;
const s = http.createServer((req, res) => {
  req.on('data', () => {});
  req.on('end', () => {
    const body = JSON.stringify({ message_id: 'msg_' + (++n), status: 'queued' });
    res.writeHead(201, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) });
    res.end(body);
  });
});
s.keepAliveTimeout = 60000;
s.listen(0, '127.0.0.1', () => process.stdout.write(String(s.address().port) + '\\n'));
`;

async function startServer(): Promise<{ url: string; stop: () => void }> {
  const child = spawn(process.execPath, ['-e', SERVER], { stdio: ['ignore', 'pipe', 'inherit'] });
  const port = await new Promise<string>((resolve, reject) => {
    child.stdout.once('data', (d: Buffer) => resolve(d.toString().trim()));
    child.once('exit', (code) => reject(new Error(`bench server exited (${code})`)));
  });
  return { url: `http://127.0.0.1:${port}`, stop: () => child.kill() };
}

const payload = (i: number) => ({
  session_id: 'sess_1',
  recipient: `62812${String(i).padStart(8, '0')}`,
  message_type: 'text',
  content: `Halo Pelanggan ${i}, pesanan Anda sudah dikirim.`,
  template_id: 'tpl_1',
  placeholder_values: { name: `Pelanggan ${i}` },
});

function bare(url: string): (i: number) => Promise<void> {
  const agent = new http.Agent({ keepAlive: true });
  const target = new URL('/v1/messages', url);
  return (i) =>
    new Promise((resolve, reject) => {
      const body = JSON.stringify(payload(i));
      const req = http.request(
        target,
        { method: 'POST', agent, headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body), 'x-api-key': 'k', accept: 'application/json' } },
        (res) => {
          let text = '';
          res.setEncoding('utf8');
          res.on('data', (d: string) => (text += d));
          res.on('end', () => {
            JSON.parse(text);
            resolve();
          });
          res.on('error', reject);
        },
      );
      req.on('error', reject);
      req.end(body);
    });
}

function client(url: string): (i: number) => Promise<void> {
  const c = new HttpClient({
    baseUrl: url,
    auth: { kind: 'api-key', key: 'k' },
    env: {},
    apiName: 'Konekwa',
    readError: readKonekwaError,
    sleep: (ms) => new Promise((r) => setTimeout(r, ms)),
  });
  return async (i) => {
    await c.request({ method: 'POST', path: '/v1/messages', json: payload(i), maxAttempts: 1 });
  };
}

async function run(send: (i: number) => Promise<void>, n: number): Promise<number> {
  let next = 0;
  const before = process.cpuUsage();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < n) await send(next++);
    }),
  );
  const used = process.cpuUsage(before);
  return (used.user + used.system) / 1000 / n;
}

const server = await startServer();
try {
  const kinds = { 'node:http (baseline)': bare(server.url), 'HttpClient.request': client(server.url) };
  const best: Record<string, number> = {};
  for (const send of Object.values(kinds)) await run(send, 1000); // warm-up: JIT and sockets
  // Interleaved rounds, the best of each kept: other load on the machine only ever adds CPU.
  for (let r = 0; r < rounds; r++) {
    for (const [name, send] of Object.entries(kinds)) {
      const ms = await run(send, total);
      best[name] = Math.min(best[name] ?? Infinity, ms);
    }
  }
  const base = best['node:http (baseline)']!;
  const ours = best['HttpClient.request']!;
  console.log(`${total} POSTs × ${rounds} rounds at concurrency ${concurrency}, CPU ms per request (best round):`);
  console.log(`  node:http (baseline)  ${base.toFixed(3)}`);
  const diff = ours - base;
  console.log(`  HttpClient.request    ${ours.toFixed(3)}  (${(ours / base).toFixed(2)}× baseline, ${diff < 0 ? '−' : '+'}${Math.abs(diff).toFixed(3)} ms)`);
} finally {
  server.stop();
}
