// The client over its transport (undici, straight to the API or through a proxy): what reached the server decides
// retries and "may have acted", answers are bounded in size, connections are kept alive. Only 127.0.0.1 is ever
// contacted.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import net from 'node:net';
import { gzipSync } from 'node:zlib';
import { HttpClient, MAX_BODY_BYTES } from '../../src/providers/http.js';
import { ApiError, TransportError } from '../../src/providers/errors.js';
import { json, konekwaClient, listen, withServer } from '../helpers/http-server.js';

const client = konekwaClient;

const send = (c: HttpClient, extra: Partial<Parameters<HttpClient['request']>[0]> = {}) =>
  c.request({ method: 'POST', path: '/v1/messages', json: { recipient: '6281234567890' }, ...extra }).catch((e: unknown) => e);

async function closedPort(): Promise<number> {
  const s = net.createServer();
  const port = await listen(s);
  await new Promise((r) => s.close(r));
  return port;
}

test('nothing listening (ECONNREFUSED): a POST never reached the server, is tried again, and the message names where the base URL came from', async () => {
  const port = await closedPort();
  const { c, waits } = client(`http://127.0.0.1:${port}`, { baseUrlSource: 'KONEKWA_BASE_URL' });
  const err = await send(c);
  assert.ok(err instanceof TransportError, String(err));
  assert.equal(err.maybeActed, false);
  assert.equal(waits.length, 3, 'three retries after the first attempt');
  assert.match(err.message, new RegExp(`nothing is listening at 127\\.0\\.0\\.1:${port} \\(ECONNREFUSED\\)\\. The base URL http://127\\.0\\.0\\.1:${port} comes from KONEKWA_BASE_URL\\.`));
});

test('a server that takes the request and never answers: the whole-request timeout says the POST may have been received, and it is not repeated', async () => {
  await withServer(
    () => undefined,
    async (url, seen) => {
      const { c, waits } = client(url, { timeoutMs: 150 });
      const err = await send(c);
      assert.ok(err instanceof TransportError, String(err));
      assert.equal(err.maybeActed, true);
      assert.match(err.message, /^POST 127\.0\.0\.1:\d+\/v1\/messages timed out after 0 s\. The server may have received it\.$/);
      assert.equal(seen.hits, 1);
      assert.equal(waits.length, 0);
    },
  );
});

test('a GET that times out is safe to repeat and is tried again', async () => {
  await withServer(
    () => undefined,
    async (url, seen) => {
      const { c } = client(url, { timeoutMs: 100, maxAttempts: 2 });
      const err = await c.request({ method: 'GET', path: '/v1/sessions' }).catch((e: unknown) => e);
      assert.ok(err instanceof TransportError);
      assert.equal(seen.hits, 2);
    },
  );
});

// A proxy on 127.0.0.1 that tunnels every CONNECT to `to` (or, with `hang`, accepts it and never answers). With
// `auth`, a CONNECT without that Proxy-Authorization is answered 407.
async function withProxy(to: number | 'hang', fn: (proxyUrl: string, connects: string[]) => Promise<void>, auth?: string): Promise<void> {
  const connects: string[] = [];
  const sockets = new Set<net.Socket>();
  const proxy = http.createServer((_q, res) => res.writeHead(405).end());
  proxy.on('connection', (s: net.Socket) => sockets.add(s));
  proxy.on('connect', (req: http.IncomingMessage, socket: net.Socket, head: Buffer) => {
    connects.push(req.url ?? '');
    if (to === 'hang') return;
    if (auth !== undefined && req.headers['proxy-authorization'] !== auth) return void socket.end('HTTP/1.1 407 Proxy Authentication Required\r\ncontent-length: 0\r\n\r\n');
    const upstream = net.connect(to, '127.0.0.1', () => {
      socket.write('HTTP/1.1 200 Connection Established\r\n\r\n');
      upstream.write(head);
      upstream.pipe(socket).pipe(upstream);
    });
    sockets.add(upstream);
    upstream.on('error', () => socket.destroy());
    socket.on('error', () => upstream.destroy());
  });
  const port = await listen(proxy);
  try {
    await fn(`http://127.0.0.1:${port}`, connects);
  } finally {
    for (const s of sockets) s.destroy();
    await new Promise((r) => proxy.close(r));
  }
}

test('no connection made in time (a proxy that never answers CONNECT): the POST certainly did not reach the API and is tried again', async () => {
  await withProxy('hang', async (proxyUrl, connects) => {
    const env = { HTTP_PROXY: proxyUrl, WA_ALLOW_HTTP: '1' };
    const { c, waits } = client('http://gateway.konekwa.test', { env, connectTimeoutMs: 100, maxAttempts: 2 });
    const err = await send(c);
    assert.ok(err instanceof TransportError, String(err));
    assert.equal(err.maybeActed, false, 'no connection: nothing was sent');
    assert.doesNotMatch(err.message, /may have received it/);
    assert.match(err.message, /timed out after 0 s without a connection on each of 2 attempts \(\d+ s in all\)\./, 'the connect timeout, not the request timeout');
    assert.equal(connects.length, 2, 'the POST was tried again');
    assert.equal(waits.length, 1);
  });
});

test('an HTTPS server that takes the connection but never finishes the TLS handshake: nothing was sent, and the POST is tried again', async () => {
  let connections = 0;
  const open = new Set<net.Socket>();
  const server = net.createServer((socket) => {
    connections++;
    open.add(socket);
    socket.on('error', () => undefined);
  });
  const port = await listen(server);
  try {
    const { c, waits } = client(`https://127.0.0.1:${port}`, { connectTimeoutMs: 100, maxAttempts: 2 });
    const err = await send(c);
    assert.ok(err instanceof TransportError, String(err));
    assert.equal(err.maybeActed, false, 'no request leaves before the handshake');
    assert.match(err.message, /timed out after 0 s without a connection on each of 2 attempts/);
    assert.equal(connections, 2, 'the POST was tried again');
    assert.equal(waits.length, 1);
  } finally {
    for (const socket of open) socket.destroy();
    server.close();
  }
});

test('through HTTP_PROXY: requests go over CONNECT tunnels to the target host, kept alive between requests', async () => {
  await withServer(
    (req, res) => json(res, 201, { message_id: `m-${req.headers.host}` }),
    async (url, seen) => {
      await withProxy(Number(new URL(url).port), async (proxyUrl, connects) => {
        const lines: string[] = [];
        const { c } = client('http://gateway.konekwa.test', { env: { HTTP_PROXY: proxyUrl, NO_PROXY: 'elsewhere.test', WA_ALLOW_HTTP: '1' }, log: (l) => lines.push(l) });
        const answers = [];
        for (let i = 0; i < 6; i++) answers.push(await c.request<{ message_id: string }>({ method: 'POST', path: '/v1/messages', json: {} }));
        assert.equal(answers[0]!.body.message_id, 'm-gateway.konekwa.test');
        assert.ok(answers.every((a) => a.status === 201));
        // undici hands a request to a second connection while the first is being put back: two at most, then reused.
        assert.ok(connects.length <= 2 && connects.every((c) => c === 'gateway.konekwa.test:80'), connects.join());
        assert.equal(seen.connections, connects.length);
        assert.ok(lines.includes(`using HTTP_PROXY=${proxyUrl} (NO_PROXY=elsewhere.test)`), lines.join('\n'));
      });
    },
  );
});

test('a proxy with nothing listening: named as the proxy and the variable it came from; nothing reached the API, so a POST is tried again', async () => {
  const port = await closedPort();
  const { c, waits } = client('http://gateway.konekwa.test', { env: { HTTP_PROXY: `http://127.0.0.1:${port}`, WA_ALLOW_HTTP: '1' }, baseUrlSource: 'KONEKWA_BASE_URL' });
  const err = await send(c);
  assert.ok(err instanceof TransportError, String(err));
  assert.equal(err.maybeActed, false);
  assert.equal(waits.length, 3);
  assert.match(err.message, new RegExp(`^POST gateway\\.konekwa\\.test/v1/messages failed: nothing is listening at the proxy 127\\.0\\.0\\.1:${port} \\(HTTP_PROXY\\) \\(ECONNREFUSED\\)\\. The base URL http://gateway\\.konekwa\\.test comes from KONEKWA_BASE_URL\\. Tried 4 times over \\d+ s\\.$`));
  assert.match(err.hint ?? '', /proxy setting/);
});

test('a proxy that wants credentials: the user and password in the proxy URL are sent, and never shown when it refuses them', async () => {
  await withServer(
    (_q, res) => json(res, 201, { message_id: 'm1' }),
    async (url) => {
      const basic = `Basic ${Buffer.from('ops:pr0xy-pa55').toString('base64')}`;
      await withProxy(
        Number(new URL(url).port),
        async (proxyUrl, connects) => {
          const withPassword = (pw: string) => proxyUrl.replace('http://', `http://ops:${pw}@`);
          const good = client('http://gateway.konekwa.test', { env: { HTTP_PROXY: withPassword('pr0xy-pa55'), WA_ALLOW_HTTP: '1' } }).c;
          assert.equal((await good.request({ method: 'POST', path: '/v1/messages', json: {} })).status, 201);
          const lines: string[] = [];
          const bad = client('http://gateway.konekwa.test', { env: { HTTP_PROXY: withPassword('wr0ng-pa55'), WA_ALLOW_HTTP: '1' }, log: (l) => lines.push(l), maxAttempts: 1 }).c;
          const err = await send(bad);
          assert.ok(err instanceof TransportError, String(err));
          assert.equal(err.maybeActed, false, 'the tunnel was refused: nothing reached the API');
          assert.match(err.message, /failed: the proxy 127\.0\.0\.1:\d+ \(HTTP_PROXY\) answered 407 to the tunnel to gateway\.konekwa\.test\./);
          assert.match(err.hint ?? '', /wants credentials/);
          assert.doesNotMatch(`${err.message} ${err.hint} ${lines.join(' ')}`, /wr0ng-pa55/);
          assert.ok(lines.some((l) => l.startsWith('using HTTP_PROXY=http://***@127.0.0.1:')), lines.join('\n'));
          assert.equal(connects.length, 2);
        },
        basic,
      );
    },
  );
});

test('requests to one server share kept-alive connections; headers go as documented and come back lower-case', async () => {
  const heard: http.IncomingHttpHeaders[] = [];
  await withServer(
    (req, res) => {
      heard.push(req.headers);
      json(res, 200, { ok: true }, { 'X-Request-Id': 'abc' });
    },
    async (url, seen) => {
      const { c } = client(url);
      const first = await c.request({ method: 'POST', path: '/v1/messages', json: { content: 'Halo é' } });
      await c.request({ method: 'GET', path: '/v1/sessions' });
      for (let i = 0; i < 8; i++) await c.request({ method: 'GET', path: '/v1/sessions' });
      // undici hands a request to a second connection while the first is being put back: two at most, then reused.
      assert.ok(seen.connections <= 2, `${seen.connections} connections for ten requests`);
      assert.equal(first.headers['x-request-id'], 'abc');
      const [post, get] = heard;
      assert.equal(post!['content-length'], String(Buffer.byteLength(JSON.stringify({ content: 'Halo é' }))));
      assert.equal(post!['content-type'], 'application/json');
      assert.equal(post!['user-agent'], 'wa-cli');
      assert.equal(post!.accept, 'application/json');
      assert.equal(post!['x-api-key'], 'k');
      assert.equal(get!['content-length'], undefined, 'no body, no content-length');
    },
  );
});

test('a redirect is not followed: the 3xx is the answer', async () => {
  await withServer(
    (req, res) => {
      if (req.url === '/elsewhere') return json(res, 200, {});
      res.writeHead(302, { location: '/elsewhere' }).end();
    },
    async (url, seen) => {
      const { c } = client(url);
      const err = await c.request({ method: 'GET', path: '/v1/sessions' }).catch((e: unknown) => e);
      assert.ok(err instanceof ApiError, String(err));
      assert.match(err.message, /\(302\)/);
      assert.equal(seen.hits, 1);
    },
  );
});

test('a gzip answer is read decompressed', async () => {
  await withServer(
    (req, res) => {
      assert.match(String(req.headers['accept-encoding']), /gzip/);
      res.writeHead(200, { 'content-type': 'application/json', 'content-encoding': 'gzip' });
      res.end(gzipSync(JSON.stringify({ sessions: [{ id: 's1' }] })));
    },
    async (url) => {
      const { c } = client(url);
      const r = await c.request<{ sessions: { id: string }[] }>({ method: 'GET', path: '/v1/sessions' });
      assert.deepEqual(r.body, { sessions: [{ id: 's1' }] });
    },
  );
});

for (const form of ['declared', 'streamed', 'gzip bomb'] as const) {
  test(`an answer over ${MAX_BODY_BYTES / 1024 / 1024} MB (${form}) is cut off with an error, not held in memory or asked for again`, async () => {
    await withServer(
      (_q, res) => {
        if (form === 'declared') {
          res.writeHead(200, { 'content-type': 'application/json', 'content-length': String(MAX_BODY_BYTES + 1) });
          return void res.write('{"messages":[');
        }
        if (form === 'gzip bomb') {
          res.writeHead(200, { 'content-type': 'application/json', 'content-encoding': 'gzip' });
          return void res.end(gzipSync(Buffer.alloc(MAX_BODY_BYTES + 1, 0x20)));
        }
        res.writeHead(200, { 'content-type': 'application/json' });
        const chunk = Buffer.alloc(1024 * 1024, 0x20);
        let sent = 0;
        const pump = (): void => {
          while (sent <= MAX_BODY_BYTES && !res.destroyed) {
            sent += chunk.length;
            if (!res.write(chunk)) return void res.once('drain', pump);
          }
          res.end();
        };
        res.on('error', () => undefined);
        pump();
      },
      async (url, seen) => {
        const { c, waits } = client(url);
        const err = await c.request({ method: 'GET', path: '/v1/messages' }).catch((e: unknown) => e);
        assert.ok(err instanceof TransportError, String(err));
        assert.match(err.message, /^Konekwa answered GET 127\.0\.0\.1:\d+\/v1\/messages with more than 50 MB; wa-cli stopped reading there\.$/);
        assert.equal(seen.hits, 1, 'not retried: the same answer would come again');
        assert.equal(waits.length, 0);
      },
    );
  });
}

test('aborting mid-request destroys it: the server sees the connection close and the POST is reported as maybe received', async () => {
  const stop = new AbortController();
  let closed!: Promise<void>;
  await withServer(
    (req) => {
      closed = new Promise((r) => req.socket.once('close', () => r()));
      stop.abort();
    },
    async (url, seen) => {
      const { c, waits } = client(url);
      const err = await send(c, { signal: stop.signal });
      assert.ok(err instanceof TransportError, String(err));
      assert.equal(err.maybeActed, true);
      assert.match(err.message, /failed: ERR_ABORTED This operation was aborted\.+ The server may have received it\./);
      await closed;
      assert.equal(seen.hits, 1);
      assert.equal(waits.length, 0);
    },
  );
});

test('a signal already aborted sends nothing', async () => {
  await withServer(
    (_q, res) => json(res, 201, {}),
    async (url, seen) => {
      const { c } = client(url);
      const err = await send(c, { signal: AbortSignal.abort() });
      assert.ok(err instanceof TransportError, String(err));
      assert.match(err.message, /ERR_ABORTED/);
      assert.equal(seen.hits, 0);
    },
  );
});

test('a connection dropped mid-answer is a failure that may have acted, not a short body', async () => {
  await withServer(
    (_q, res) => {
      res.writeHead(201, { 'content-type': 'application/json', 'content-length': '100' });
      res.write('{"message_id":"m');
      setImmediate(() => res.socket?.destroy());
    },
    async (url, seen) => {
      const { c } = client(url);
      const err = await send(c);
      assert.ok(err instanceof TransportError, String(err));
      assert.equal(err.maybeActed, true);
      assert.match(err.message, /^POST 127\.0\.0\.1:\d+\/v1\/messages failed: the connection closed before the answer was complete \(other side closed\)\. The server may have received it\.$/);
      assert.equal(seen.hits, 1);
    },
  );
});

test('a request URL is taken as it is only when URL parsing would give the same path and query; anything else is parsed', async () => {
  const { plainTarget } = await import('../../src/providers/http-target.js');
  const origin = new URL('https://api.konekwa.example:8443/base');
  const samples = [
    '/v1/messages',
    '/qontak/chat/v1/broadcasts/6f1d0c1e-1111-2222-3333-444455556666/whatsapp/log?limit=100&offset=2',
    '/v1/messages?session_id=s%201&since=2026-11-30T08%3A00%3A00.000Z',
    '/a/./b', '/a/../b', '/a/%2E%2E/b', '/a/%2e/b', '/a b', '/a%zz', '/a%2f', "/a?x='y'", '/a?', '/a#frag', '/a\\b', '/ä', '/a?q=ä', '/a/..', '/.', '/a//b', '',
  ];
  const taken: string[] = [];
  for (const rest of samples) {
    const url = `${origin.origin}${rest}`;
    const parsed = new URL(url);
    const quick = plainTarget(origin, url);
    if (quick === undefined) continue;
    taken.push(rest);
    assert.deepEqual(
      { href: quick.href, pathname: quick.pathname, search: quick.search, hostname: quick.hostname, port: quick.port, protocol: quick.protocol },
      { href: parsed.href, pathname: parsed.pathname, search: parsed.search, hostname: parsed.hostname, port: parsed.port, protocol: parsed.protocol },
      rest,
    );
  }
  // The plain ones are taken, the rest left to URL.
  assert.deepEqual(taken, [samples[0], samples[1], samples[2], '/a//b']);
  assert.equal(plainTarget(origin, 'https://elsewhere.example/v1/messages'), undefined);
});
