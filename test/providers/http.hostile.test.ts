// Hostile and broken servers on 127.0.0.1, answering exact bytes: each request ends in one line with the right exit
// code, within its timeout, with what it holds bounded, and a POST the server may have acted on is never sent again.
// A value with a line break never reaches a header: such a request is refused before anything is sent.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import https from 'node:https';
import type net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { HttpClient, type HttpAuth } from '../../src/providers/http.js';
import { TransportError } from '../../src/providers/errors.js';
import { AuthError, UsageError } from '../../src/errors.js';
import { konekwaClient, listen, withRawServer } from '../helpers/http-server.js';
import { selfSignedCert } from '../helpers/tls-cert.js';

const client = konekwaClient;

const post = (c: HttpClient) => c.request({ method: 'POST', path: '/v1/messages', json: { recipient: '6281234567890' } }).catch((e: unknown) => e);
const get = (c: HttpClient) => c.request({ method: 'GET', path: '/v1/messages' }).catch((e: unknown) => e);
const OK = 'HTTP/1.1 201 Created\r\ncontent-type: application/json\r\ncontent-length: 2\r\n\r\n{}';

/** The error is a transient one, on one line. */
function transient(err: unknown): TransportError {
  assert.ok(err instanceof TransportError, String(err));
  assert.equal(err.exitCode, 6);
  assert.doesNotMatch(err.message, /[\r\n]/, 'one line');
  return err;
}

test('an answer with a 1 MB header: refused at 16 KB as not valid HTTP; a POST is reported as maybe received and not sent again, a GET not asked again', async () => {
  const big = `HTTP/1.1 200 OK\r\nx-big: ${'a'.repeat(1024 * 1024)}\r\ncontent-length: 2\r\n\r\n{}`;
  await withRawServer(
    (_n, socket) => socket.write(big),
    async (url, seen) => {
      const { c, waits } = client(url);
      const err = transient(await post(c));
      assert.equal(err.maybeActed, true);
      assert.match(err.message, /^Konekwa sent an answer to POST 127\.0\.0\.1:\d+\/v1\/messages that is not valid HTTP \(its headers passed 16 KB\)\. The server may have received it\.$/);
      const again = transient(await get(c));
      assert.match(again.message, /not valid HTTP/);
      assert.equal(seen.requests.length, 2, 'each sent once');
      assert.equal(waits.length, 0);
    },
  );
});

test('an endless chunked answer of 1-byte chunks: cut off at the body limit, counted in bytes however it is cut, and a POST is not sent again', async () => {
  const piece = Buffer.from('1\r\nx\r\n'.repeat(4096));
  await withRawServer(
    (_n, socket) => {
      socket.write('HTTP/1.1 201 Created\r\ncontent-type: application/json\r\ntransfer-encoding: chunked\r\n\r\n');
      const pump = (): void => {
        while (!socket.destroyed && socket.write(piece));
        if (!socket.destroyed) socket.once('drain', pump);
      };
      pump();
    },
    async (url, seen) => {
      const { c, waits } = client(url, { maxBodyBytes: 64 * 1024 });
      const err = transient(await post(c));
      assert.equal(err.maybeActed, true);
      assert.match(err.message, /^Konekwa answered POST 127\.0\.0\.1:\d+\/v1\/messages with more than 64 KB; wa-cli stopped reading there\. The server may have received it\.$/);
      assert.equal(seen.requests.length, 1);
      assert.equal(waits.length, 0);
    },
  );
});

test('an endless answer that stays under the limit: the whole-request timeout ends it (undici\'s body timeout never sees a pause)', async () => {
  await withRawServer(
    (_n, socket) => {
      socket.write('HTTP/1.1 201 Created\r\ncontent-type: application/json\r\ntransfer-encoding: chunked\r\n\r\n');
      const drip = setInterval(() => (socket.destroyed ? clearInterval(drip) : socket.write('1\r\n \r\n')), 5);
    },
    async (url, seen) => {
      const { c } = client(url, { timeoutMs: 300 });
      const err = transient(await post(c));
      assert.equal(err.maybeActed, true);
      assert.match(err.message, /^POST 127\.0\.0\.1:\d+\/v1\/messages timed out after 0 s\. The server may have received it\.$/);
      assert.equal(seen.requests.length, 1);
    },
  );
});

test('a body larger than the limit it declares, and one it does not: a POST is cut off once and not repeated', async () => {
  for (const declared of [true, false]) {
    await withRawServer(
      (_n, socket) => {
        socket.write(`HTTP/1.1 201 Created\r\ncontent-type: application/json\r\n${declared ? 'content-length: 70000' : 'connection: close'}\r\n\r\n`);
        socket.write(Buffer.alloc(70_000, 0x20));
      },
      async (url, seen) => {
        const { c } = client(url, { maxBodyBytes: 64 * 1024 });
        const err = transient(await post(c));
        assert.equal(err.maybeActed, true);
        assert.match(err.message, /with more than 64 KB; wa-cli stopped reading there\. The server may have received it\.$/);
        assert.equal(seen.requests.length, 1, declared ? 'declared' : 'read to the close');
      },
    );
  }
});

test('a server that takes the request and never answers: a GET ends at its timeout on every attempt and says how many and how long in all', async () => {
  let clock = 0;
  await withRawServer(
    () => undefined,
    async (url, seen) => {
      const { c, waits } = client(url, { timeoutMs: 100, maxAttempts: 3, now: () => (clock += 20_000) });
      const err = transient(await get(c));
      assert.equal(seen.requests.length, 3);
      assert.equal(waits.length, 2);
      assert.match(err.message, /^GET 127\.0\.0\.1:\d+\/v1\/messages timed out after 0 s on each of 3 attempts \(\d+ s in all\)\.$/);
      assert.doesNotMatch(err.message, /may have received/, 'a GET acts on nothing');
    },
  );
});

test('a reset in the middle of the body: a POST may have acted and is not sent again; a GET is asked again and answered', async () => {
  await withRawServer(
    (n, socket) => {
      if (n === 3) return void socket.write('HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: 2\r\n\r\n{}');
      socket.write('HTTP/1.1 201 Created\r\ncontent-type: application/json\r\ncontent-length: 100\r\n\r\n{"message_id":"m');
      setImmediate(() => socket.resetAndDestroy());
    },
    async (url, seen) => {
      const { c } = client(url);
      const err = transient(await post(c));
      assert.equal(err.maybeActed, true);
      assert.match(err.message, /^POST 127\.0\.0\.1:\d+\/v1\/messages failed: .*\. The server may have received it\.$/);
      assert.equal(seen.requests.length, 1, 'the POST went once');
      const read = await c.request({ method: 'GET', path: '/v1/messages' });
      assert.equal(read.status, 200);
      assert.equal(seen.requests.length, 3, 'the GET was asked again after its reset');
    },
  );
});

test('a server that half closes every kept-alive connection right after its answer: each POST goes once, on a connection the server still reads', async () => {
  const ended: Promise<void>[] = [];
  await withRawServer(
    (_n, socket) => {
      socket.write(OK);
      socket.end();
      ended.push(new Promise((r) => socket.once('close', () => r())));
    },
    async (url, seen) => {
      const { c } = client(url);
      for (let i = 0; i < 6; i++) {
        const r = await c.request<Record<string, never>>({ method: 'POST', path: '/v1/messages', json: { i } });
        assert.equal(r.status, 201, `POST ${i + 1}`);
      }
      assert.equal(seen.requests.length, 6, 'none lost, none sent twice');
      assert.equal(seen.connections, 6, 'a half-closed connection is never given a request');
      await Promise.all(ended);
    },
  );
});

test('broken answers (a bare LF, a control character in a header, both framings, a bad chunk size): not valid HTTP, not asked again, the connection not reused', async () => {
  const cases: [string, RegExp][] = [
    ['HTTP/1.1 200 OK\nContent-Length: 2\n\n{}', /Missing expected CR after response line/],
    ['HTTP/1.1 200 OK\r\nX-Id: a\u0001b\r\nContent-Length: 2\r\n\r\n{}', /Invalid header value char/],
    ['HTTP/1.1 200 OK\r\nContent-Length: 2\r\nTransfer-Encoding: chunked\r\n\r\n2\r\n{}\r\n0\r\n\r\n', /not valid HTTP/],
    ['HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n', /Invalid character in chunk size/],
    ['HTTQ/1.1 200 OK\r\n\r\n', /not valid HTTP/],
  ];
  for (const [answer, why] of cases) {
    await withRawServer(
      (n, socket) => socket.write(n === 1 ? answer : 'HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: 2\r\n\r\n{}', 'latin1'),
      async (url, seen) => {
        const { c, waits } = client(url);
        const err = transient(await get(c));
        assert.match(err.message, /^Konekwa sent an answer to GET 127\.0\.0\.1:\d+\/v1\/messages that is not valid HTTP \(.+\)\.$/, JSON.stringify(answer));
        assert.match(err.message, why);
        assert.equal(waits.length, 0, 'the same answer would come again');
        assert.equal((await c.request({ method: 'GET', path: '/v1/sessions' })).status, 200);
        assert.equal(seen.requests.length, 2);
        assert.ok(seen.connections >= 2, 'the broken connection was not reused');
      },
    );
  }
});

for (const [name, auth, header, exit] of [
  ['an API key with CR LF', { kind: 'api-key', key: 'kk_abc\r\nx-evil: 1' }, 'x-api-key', 4],
  ['an API key past Latin-1', { kind: 'api-key', key: 'kk_kunci€' }, 'x-api-key', 4],
  ['a bearer token with a line feed', { kind: 'bearer', token: () => 'tok\nx-evil: 1' }, 'authorization', 4],
] as [string, HttpAuth, string, number][]) {
  test(`${name} never reaches a header: refused before anything is sent (exit ${exit}), not retried`, async () => {
    await withRawServer(
      (_n, socket) => socket.write(OK),
      async (url, seen) => {
        const { c, waits } = client(url, { auth });
        const err = await post(c);
        assert.ok(err instanceof AuthError, String(err));
        assert.equal(err.exitCode, exit);
        assert.match(err.message, new RegExp(`^Konekwa POST /v1/messages was not sent: the ${header} header would carry a line break, a control character or a character past Latin-1, which comes from the credentials\\.$`));
        assert.equal(seen.connections, 0, 'nothing reached the server');
        assert.equal(waits.length, 0);
      },
    );
  });
}

test('a query value with a line break is escaped into the request line, never a header', async () => {
  await withRawServer(
    (_n, socket) => socket.write(OK),
    async (url, seen) => {
      const { c } = client(url);
      await c.request({ method: 'GET', path: '/v1/messages', query: { q: 'a\r\nx-evil: 1' } });
      assert.equal(seen.requests.length, 1);
      assert.match(seen.requests[0]!, /^GET \/v1\/messages\?q=a%0D%0Ax-evil%3A\+1 HTTP\/1\.1\r\n/);
      assert.doesNotMatch(seen.requests[0]!, /\r\nx-evil/i);
    },
  );
});

test('a header the client builds with a line break is a usage error naming the header, and nothing is sent', async () => {
  await withRawServer(
    (_n, socket) => socket.write(OK),
    async (url, seen) => {
      const { c } = client(url, { auth: { kind: 'none' } });
      const err = await c.request({ method: 'POST', path: '/upload', body: { contentType: 'text/plain\r\nx-evil: 1', data: Buffer.from('x') } }).catch((e: unknown) => e);
      assert.ok(err instanceof UsageError, String(err));
      assert.match(err.message, /the content-type header would carry a line break/);
      assert.equal(seen.connections, 0);
    },
  );
});

test('requests in parallel open a connection each, and later rounds reuse them', async () => {
  await withRawServer(
    (_n, socket) => socket.write('HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: 2\r\n\r\n{}'),
    async (url, seen) => {
      const { c } = client(url);
      for (let round = 0; round < 3; round++) {
        const answers = await Promise.all(Array.from({ length: 8 }, () => c.request({ method: 'GET', path: '/v1/sessions' })));
        assert.ok(answers.every((a) => a.status === 200));
      }
      assert.equal(seen.requests.length, 24);
      assert.ok(seen.connections <= 9, `${seen.connections} connections for three rounds of eight`);
    },
  );
});

test('over TLS: a certificate trusted through NODE_EXTRA_CA_CERTS is accepted, and the connection is kept for the next request', async (t) => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'wa-tls-ok-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const pem = selfSignedCert(dir);
  if ('skip' in pem) return t.skip(pem.skip);
  let handshakes = 0;
  const server = https.createServer({ key: readFileSync(pem.key), cert: readFileSync(pem.cert) }, (req, res) => {
    req.resume();
    req.on('end', () => res.writeHead(200, { 'content-type': 'application/json' }).end(`{"path":"${req.url}"}`));
  });
  server.on('secureConnection', (s: net.Socket) => {
    handshakes++;
    s.on('error', () => undefined);
  });
  const port = await listen(server);
  t.after(() => new Promise<void>((r) => server.close(() => r())));
  // NODE_EXTRA_CA_CERTS is read when Node starts: the client runs in a child.
  const child = `
    const { HttpClient } = await import(${JSON.stringify(new URL('../../src/providers/http.js', import.meta.url).href)});
    const c = new HttpClient({ baseUrl: 'https://127.0.0.1:${port}', auth: { kind: 'none' }, env: {}, apiName: 'Konekwa', readError: () => ({ messages: [] }), sleep: async () => {} });
    const out = [];
    for (let i = 0; i < 4; i++) out.push((await c.request({ method: 'GET', path: '/v1/sessions' })).body.path);
    console.log(JSON.stringify(out));`;
  const p = spawn(process.execPath, ['--input-type=module', '-e', child], { env: { ...process.env, NODE_EXTRA_CA_CERTS: pem.cert }, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  p.stdout.on('data', (d: Buffer) => (stdout += d));
  p.stderr.on('data', (d: Buffer) => (stderr += d));
  await new Promise((r) => p.on('exit', r));
  assert.deepEqual(JSON.parse(stdout.trim() || 'null'), ['/v1/sessions', '/v1/sessions', '/v1/sessions', '/v1/sessions'], stderr);
  assert.ok(handshakes <= 2, `${handshakes} handshakes for four requests`);
});
