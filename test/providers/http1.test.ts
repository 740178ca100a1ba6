// The client's own HTTP/1.1 reader and kept-alive connections, against a raw TCP server on 127.0.0.1 that answers
// with exact bytes: framing by length, chunks and close, answers cut into single bytes, interim answers, broken
// answers named with Node's parser codes, and connections reused only when that is safe.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import https from 'node:https';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { Http1Pool, type Http1Answer, type Http1Failure } from '../../src/providers/http1.js';
import { listen } from '../helpers/http-server.js';
import { selfSignedCert } from '../helpers/tls-cert.js';

interface Seen {
  connections: number;
  requests: string[];
}

/** A server that answers the n-th request (counted over all connections) with `answers[n]`, optionally byte by byte. */
async function rawServer(answers: (string | ((socket: net.Socket) => void))[], opts: { byteByByte?: boolean } = {}) {
  const seen: Seen = { connections: 0, requests: [] };
  const sockets = new Set<net.Socket>();
  const server = net.createServer((socket) => {
    seen.connections++;
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    let buf = '';
    socket.on('data', async (d) => {
      buf += d.toString('latin1');
      for (;;) {
        const end = buf.indexOf('\r\n\r\n');
        if (end === -1) return;
        const length = Number(/\r\ncontent-length: (\d+)/i.exec(buf.slice(0, end))?.[1] ?? 0);
        if (buf.length < end + 4 + length) return;
        const request = buf.slice(0, end + 4 + length);
        buf = buf.slice(end + 4 + length);
        const answer = answers[seen.requests.length];
        seen.requests.push(request);
        if (typeof answer === 'function') answer(socket);
        else if (answer === undefined) socket.destroy();
        else if (opts.byteByByte) {
          for (const ch of answer) {
            socket.write(ch, 'latin1');
            await new Promise((r) => setImmediate(r));
          }
        } else socket.write(answer, 'latin1');
      }
    });
  });
  const port = await listen(server);
  return {
    port,
    seen,
    close: async () => {
      for (const s of sockets) s.destroy();
      await new Promise((r) => server.close(r));
    },
  };
}

const get = (pool: Http1Pool, path = '/x', extra: Partial<Parameters<Http1Pool['request']>[0]> = {}): Promise<Http1Answer | Http1Failure> =>
  pool.request({ method: 'GET', path, headers: { accept: 'application/json' }, body: undefined, maxBodyBytes: 1000, tooLargeCode: 'TOO_LARGE', ...extra }).done;

const ok = (r: Http1Answer | Http1Failure): Http1Answer => {
  assert.ok(!('code' in r), `expected an answer, got ${JSON.stringify(r)}`);
  return r as Http1Answer;
};

const pool = (port: number) => new Http1Pool({ protocol: 'http:', hostname: '127.0.0.1', port: String(port) });

test('answers framed by length, by chunks (extensions, trailers) and arriving one byte at a time are read whole, on one kept connection', async () => {
  const s = await rawServer(
    [
      'HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 11\r\nSet-Cookie: a=1\r\nSet-Cookie: b=2\r\nX-Dup: one\r\nX-Dup: two\r\n\r\n{"ok":true}',
      'HTTP/1.1 201 Created\r\nTransfer-Encoding: chunked\r\n\r\n4;name=value\r\n{"a"\r\nA\r\n:"bcdefgh"\r\n1\r\n}\r\n0\r\nX-Trailer: t\r\n\r\n',
      'HTTP/1.1 204 No Content\r\n\r\n',
    ],
    { byteByByte: true },
  );
  try {
    const p = pool(s.port);
    const a = ok(await get(p));
    assert.equal(a.status, 200);
    assert.equal(a.body.toString(), '{"ok":true}');
    assert.deepEqual(a.headers['set-cookie'], ['a=1', 'b=2']);
    assert.equal(a.headers['x-dup'], 'one, two');
    assert.equal(a.headers['content-type'], 'application/json');
    const b = ok(await get(p));
    assert.equal(b.status, 201);
    assert.equal(b.body.toString(), '{"a":"bcdefgh"}');
    const c = ok(await get(p));
    assert.equal(c.status, 204);
    assert.equal(c.body.length, 0);
    assert.equal(s.seen.connections, 1, 'all three went over one connection');
    assert.match(s.seen.requests[0]!, new RegExp(`^GET /x HTTP/1\\.1\\r\\nhost: 127\\.0\\.0\\.1:${s.port}\\r\\naccept: application/json\\r\\nconnection: keep-alive\\r\\n\\r\\n$`));
    p.close();
  } finally {
    await s.close();
  }
});

test('a body is sent with its length; an interim 100 answer is passed over; a body read to the close ends the connection', async () => {
  const s = await rawServer([
    'HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nhi',
    (socket) => socket.end('HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\n\r\nuntil the end'),
    'HTTP/1.0 200 OK\r\nContent-Length: 3\r\n\r\nold',
    'HTTP/1.1 200 OK\r\nContent-Length: 3\r\n\r\nnew',
  ]);
  try {
    const p = pool(s.port);
    const body = JSON.stringify({ recipient: '6281234567890', content: 'Halo ✓' });
    const a = ok(await p.request({ method: 'POST', path: '/v1/messages', headers: { 'content-type': 'application/json', 'x-note': 'café' }, body, maxBodyBytes: 1000, tooLargeCode: 'TOO_LARGE' }).done);
    assert.equal(a.body.toString(), 'hi');
    assert.ok(s.seen.requests[0]!.includes('\r\nx-note: café\r\n'), 'a header goes as Latin-1, one byte a character, as Node sends it');
    assert.ok(s.seen.requests[0]!.includes(`\r\ncontent-length: ${Buffer.byteLength(body)}\r\n`));
    assert.ok(Buffer.from(s.seen.requests[0]!, 'latin1').toString('utf8').endsWith(body), 'the body goes as UTF-8');
    assert.equal(ok(await get(p)).body.toString(), 'until the end');
    // The close-framed answer ended its connection: the next request opens a new one.
    assert.equal(ok(await get(p)).body.toString(), 'old');
    // An HTTP/1.0 answer without keep-alive is not reused either.
    assert.equal(ok(await get(p)).body.toString(), 'new');
    assert.equal(s.seen.connections, 3);
    p.close();
  } finally {
    await s.close();
  }
});

test('broken answers fail with the code Node would give, and the connection is not reused', async () => {
  const cases: [string, string][] = [
    ['HTTQ/1.1 200 OK\r\n\r\n', 'HPE_INVALID_CONSTANT'],
    ['HTTP/1.1 200 OK\r\nContent-Length: 2\r\nContent-Length: 3\r\n\r\nhi', 'HPE_UNEXPECTED_CONTENT_LENGTH'],
    ['HTTP/1.1 200 OK\r\nContent-Length: 2x\r\n\r\nhi', 'HPE_INVALID_CONTENT_LENGTH'],
    ['HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n', 'HPE_INVALID_CHUNK_SIZE'],
    ['HTTP/1.1 200 OK\r\nBad Header: x\r\n\r\n', 'HPE_INVALID_HEADER_TOKEN'],
    ['HTTP/1.1 200 OK\r\nX-Request-Id: a\u0001b\r\nContent-Length: 0\r\n\r\n', 'HPE_INVALID_HEADER_TOKEN'],
    [`HTTP/1.1 200 OK\r\nX-Big: ${'a'.repeat(17_000)}\r\n\r\n`, 'HPE_HEADER_OVERFLOW'],
    ['HTTP/1.1 200 OK\r\nContent-Length: 5000\r\n\r\n', 'TOO_LARGE'],
    ['HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nshort', 'ECONNRESET'],
    // Both framings at once: refused, as answers get out of step that way.
    ['HTTP/1.1 200 OK\r\nContent-Length: 2\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nhi\r\n0\r\n\r\n', 'HPE_INVALID_TRANSFER_ENCODING'],
    ['HTTP/1.1 000 Nothing\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nno', 'HPE_INVALID_STATUS'],
    // Bare LF line ends fail at once instead of waiting for a CR that never comes (the server keeps the line open).
    ['HTTP/1.1 200 OK\nContent-Length: 2\n\nhi', 'HPE_CR_EXPECTED'],
  ];
  for (const [answer, code] of cases) {
    const s = await rawServer([code === 'ECONNRESET' ? (socket: net.Socket) => socket.end(answer, 'latin1') : answer, 'HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok']);
    try {
      const p = pool(s.port);
      const r = await get(p);
      assert.equal((r as Http1Failure).code, code, `${JSON.stringify(answer.slice(0, 60))} → ${JSON.stringify(r)}`);
      assert.equal(ok(await get(p)).body.toString(), 'ok');
      assert.equal(s.seen.connections, 2, `${code}: the broken connection was not reused`);
      p.close();
    } finally {
      await s.close();
    }
  }
});

test('a header value with a line break or a path with a space is refused before anything is sent', async () => {
  const s = await rawServer([]);
  try {
    const p = pool(s.port);
    assert.throws(() => p.request({ method: 'GET', path: '/x', headers: { 'x-api-key': 'k\r\nx-evil: 1' }, body: undefined, maxBodyBytes: 10, tooLargeCode: 'T' }), { code: 'ERR_INVALID_CHAR' });
    assert.throws(() => p.request({ method: 'GET', path: '/a b', headers: {}, body: undefined, maxBodyBytes: 10, tooLargeCode: 'T' }), { code: 'ERR_UNESCAPED_CHARACTERS' });
    await new Promise((r) => setTimeout(r, 20));
    assert.equal(s.seen.connections, 0);
  } finally {
    await s.close();
  }
});

test('a kept connection the server closes while idle is dropped: the next request opens a new one and is answered', async () => {
  const s = await rawServer([
    (socket) => {
      socket.write('HTTP/1.1 200 OK\r\nContent-Length: 1\r\n\r\na');
      setTimeout(() => socket.end(), 10);
    },
    'HTTP/1.1 200 OK\r\nContent-Length: 1\r\n\r\nb',
  ]);
  try {
    const p = pool(s.port);
    assert.equal(ok(await get(p)).body.toString(), 'a');
    await new Promise((r) => setTimeout(r, 60));
    assert.equal(ok(await get(p)).body.toString(), 'b');
    assert.equal(s.seen.connections, 2);
    p.close();
  } finally {
    await s.close();
  }
});

test('nothing listening fails with ECONNREFUSED and never calls back as connected', async () => {
  const probe = net.createServer();
  const port = await listen(probe);
  await new Promise((r) => probe.close(r));
  const pending = pool(port).request({ method: 'POST', path: '/v1/messages', headers: {}, body: '{}', maxBodyBytes: 10, tooLargeCode: 'T' });
  let connected = false;
  pending.onConnect(() => (connected = true));
  const r = (await pending.done) as Http1Failure;
  assert.equal(r.code, 'ECONNREFUSED');
  assert.equal(connected, false);
});

test('as Node reads answers: a repeated Retry-After keeps the first, empty lines before a status line are passed over, chunk sizes may have leading zeros', async () => {
  const s = await rawServer([
    'HTTP/1.1 429 Too Many Requests\r\nRetry-After: 5\r\nRetry-After: 5\r\nVia: a\r\nVia: b\r\nContent-Length: 0\r\n\r\n',
    '\r\nHTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n000000002\r\nok\r\n0\r\n\r\n',
  ]);
  try {
    const p = pool(s.port);
    const a = ok(await get(p));
    assert.equal(a.headers['retry-after'], '5');
    assert.equal(a.headers.via, 'a, b');
    assert.equal(Object.getPrototypeOf(a.headers), null, 'header names like "constructor" cannot clash with anything');
    assert.equal(ok(await get(p)).body.toString(), 'ok');
    assert.equal(s.seen.connections, 1);
    p.close();
  } finally {
    await s.close();
  }
});

test('a connection is reused only after the whole request went out, and not past the server\'s Keep-Alive timeout', async () => {
  // The server answers a large upload before reading it: the rest of that body must not become the next request.
  const big = Buffer.alloc(8 * 1024 * 1024, 120);
  let early = 0;
  const open = new Set<net.Socket>();
  const server = net.createServer((socket) => {
    open.add(socket);
    socket.on('error', () => undefined);
    socket.once('data', () => {
      early++;
      socket.write('HTTP/1.1 413 Payload Too Large\r\nContent-Length: 0\r\n\r\n');
      socket.pause();
    });
  });
  const port = await listen(server);
  try {
    const p = pool(port);
    const r = ok(await p.request({ method: 'POST', path: '/upload', headers: { 'content-type': 'application/octet-stream' }, body: big, maxBodyBytes: 10, tooLargeCode: 'T' }).done);
    assert.equal(r.status, 413);
    const next = p.request({ method: 'GET', path: '/x', headers: {}, body: undefined, maxBodyBytes: 10, tooLargeCode: 'T' });
    await Promise.race([next.done, new Promise((res) => setTimeout(res, 200))]);
    assert.equal(early, 2, 'the next request went over a new connection');
    p.close();
  } finally {
    for (const socket of open) socket.destroy();
    server.close();
  }
  const s = await rawServer(['HTTP/1.1 200 OK\r\nKeep-Alive: timeout=1\r\nContent-Length: 1\r\n\r\na', 'HTTP/1.1 200 OK\r\nContent-Length: 1\r\n\r\nb']);
  try {
    const p = pool(s.port);
    ok(await get(p));
    ok(await get(p));
    // timeout=1 leaves no second to reuse the connection safely: it was closed, not kept.
    assert.equal(s.seen.connections, 2);
    p.close();
  } finally {
    await s.close();
  }
});

test("an idle connection is closed by the client once its idle time is over (the server's Keep-Alive timeout less a second)", async () => {
  let closedAt = 0;
  const s = await rawServer([
    (socket) => {
      socket.on('end', () => (closedAt = Date.now()));
      socket.write('HTTP/1.1 200 OK\r\nKeep-Alive: timeout=2\r\nContent-Length: 1\r\n\r\na');
    },
    'HTTP/1.1 200 OK\r\nContent-Length: 1\r\n\r\nb',
  ]);
  try {
    const p = pool(s.port);
    ok(await get(p));
    const answeredAt = Date.now();
    const idle = (p as unknown as { idle: unknown[] }).idle;
    assert.equal(idle.length, 1, 'kept after the answer');
    // Still kept well inside its second; gone, and closed by the client, a while after it.
    await new Promise((r) => setTimeout(r, 400));
    assert.equal(idle.length, 1);
    assert.equal(closedAt, 0);
    await new Promise((r) => setTimeout(r, 1400));
    assert.equal(idle.length, 0, 'dropped after its idle time');
    assert.ok(closedAt >= answeredAt + 900, `the client closed it after ${closedAt - answeredAt} ms`);
    // The next request opens a new connection.
    assert.equal(ok(await get(p)).body.toString(), 'b');
    assert.equal(s.seen.connections, 2);
    p.close();
  } finally {
    await s.close();
  }
});

test('a kept connection the server has half closed is not handed out', async () => {
  const s = await rawServer([
    (socket) => {
      socket.write('HTTP/1.1 200 OK\r\nContent-Length: 1\r\n\r\na');
      setTimeout(() => socket.end(), 20);
    },
    'HTTP/1.1 200 OK\r\nContent-Length: 1\r\n\r\nb',
  ]);
  try {
    const p = pool(s.port);
    assert.equal(ok(await get(p)).body.toString(), 'a');
    // Asked again the moment the server's end arrives, before the socket reports itself closed.
    const idle = (p as unknown as { idle: { socket: net.Socket }[] }).idle[0]!.socket;
    const second = await new Promise<Http1Answer | Http1Failure>((resolve) => idle.once('end', () => resolve(get(p))));
    assert.equal(ok(second).body.toString(), 'b');
    assert.equal(s.seen.connections, 2);
    p.close();
  } finally {
    await s.close();
  }
});

test('requests in parallel open one connection each, and the next round reuses every one of them', async () => {
  const answer = 'HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok';
  const s = await rawServer(Array.from({ length: 24 }, () => answer));
  try {
    const p = pool(s.port);
    for (let round = 0; round < 3; round++) {
      const answers = await Promise.all(Array.from({ length: 8 }, () => get(p)));
      for (const a of answers) assert.equal(ok(a).body.toString(), 'ok');
    }
    assert.equal(s.seen.connections, 8, 'eight connections for three rounds of eight');
    p.close();
  } finally {
    await s.close();
  }
});

test('a control character in an answer header is refused, unless the pool is lenient (--insecure-http-parser)', async () => {
  const answer = 'HTTP/1.1 200 OK\r\nX-Request-Id: a\u0001b\r\nContent-Length: 2\r\n\r\nok';
  const s = await rawServer([answer, answer]);
  try {
    assert.equal(((await get(pool(s.port))) as Http1Failure).code, 'HPE_INVALID_HEADER_TOKEN');
    const lenient = new Http1Pool({ protocol: 'http:', hostname: '127.0.0.1', port: String(s.port) }, { lenientHeaders: true });
    const a = ok(await get(lenient));
    assert.equal(a.headers['x-request-id'], 'a\u0001b');
    lenient.close();
  } finally {
    await s.close();
  }
});

test('over TLS: a certificate trusted through NODE_EXTRA_CA_CERTS is accepted, and the connection is kept for the next request', async (t) => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'wa-tls-ok-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const pem = selfSignedCert(dir);
  if ('skip' in pem) return t.skip(pem.skip);
  let connections = 0;
  const server = https.createServer({ key: readFileSync(pem.key), cert: readFileSync(pem.cert) }, (req, res) => {
    req.resume();
    req.on('end', () => res.end(`{"path":"${req.url}"}`));
  });
  server.on('secureConnection', () => connections++);
  const port = await listen(server);
  t.after(() => new Promise<void>((r) => server.close(() => r())));
  // NODE_EXTRA_CA_CERTS is read when Node starts: the client runs in a child.
  const client = `
    const { Http1Pool } = await import(${JSON.stringify(new URL('../../src/providers/http1.js', import.meta.url).href)});
    const p = new Http1Pool({ protocol: 'https:', hostname: '127.0.0.1', port: '${port}' });
    const out = [];
    for (const path of ['/a', '/b']) {
      const pending = p.request({ method: 'GET', path, headers: {}, body: undefined, maxBodyBytes: 1000, tooLargeCode: 'T' });
      let connected = false;
      pending.onConnect(() => (connected = true));
      const r = await pending.done;
      out.push({ status: r.status ?? r.code, body: r.body ? r.body.toString() : r.message, connected });
    }
    p.close();
    console.log(JSON.stringify(out));`;
  const child = spawn(process.execPath, ['--input-type=module', '-e', client], { env: { ...process.env, NODE_EXTRA_CA_CERTS: pem.cert }, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => (stdout += d));
  child.stderr.on('data', (d: Buffer) => (stderr += d));
  await new Promise((r) => child.on('exit', r));
  assert.deepEqual(JSON.parse(stdout.trim() || 'null'), [
    { status: 200, body: '{"path":"/a"}', connected: true },
    { status: 200, body: '{"path":"/b"}', connected: true },
  ], stderr);
  assert.equal(connections, 1, 'one handshake for both requests');
});
