import { test } from 'node:test';
import assert from 'node:assert/strict';
import { HttpClient, parseResetHeader, type HttpAuth } from '../../src/providers/http.js';
import { proxySettings } from '../../src/providers/http-target.js';
import { readQontakError } from '../../src/providers/qontak/errors.js';
import { hmacSignature } from '../../src/providers/hmac.js';
import { TransportError, ApiAuthError, ApiNotFoundError, ApiError } from '../../src/providers/errors.js';
import { UsageError } from '../../src/errors.js';
import { json, withServer } from '../helpers/http-server.js';

function client(url: string, extra: Partial<ConstructorParameters<typeof HttpClient>[0]> = {}) {
  const waits: number[] = [];
  const c = new HttpClient({
    baseUrl: url,
    auth: { kind: 'none' },
    env: {},
    apiName: 'Qontak',
    readError: readQontakError,
    sleep: async (ms) => {
      waits.push(ms);
    },
    random: () => 0.5,
    ...extra,
  });
  return { c, waits };
}

test('a GET is retried on 503 and succeeds', async () => {
  await withServer(
    (_q, res, n) => (n < 3 ? json(res, 503, { message: 'busy' }) : json(res, 200, { status: 'success', data: [1] })),
    async (url, seen) => {
      const { c, waits } = client(url);
      const r = await c.request<{ data: number[] }>({ method: 'GET', path: '/x' });
      assert.deepEqual(r.body.data, [1]);
      assert.equal(seen.hits, 3);
      assert.equal(waits.length, 2);
      assert.ok(waits[1]! > waits[0]!, 'backoff grows');
    },
  );
});

test('a POST is not retried after a 500: the server may have acted', async () => {
  await withServer(
    (_q, res) => json(res, 500, { status: 'error', error: { code: 500, messages: ['boom'] } }),
    async (url, seen) => {
      const { c } = client(url);
      const err = await c.request({ method: 'POST', path: '/broadcasts/whatsapp', json: {} }).catch((e: unknown) => e);
      assert.ok(err instanceof TransportError);
      assert.equal(err.maybeActed, true);
      assert.equal(err.exitCode, 6);
      assert.match(err.message, /"boom"/);
      assert.equal(seen.hits, 1);
    },
  );
});

for (const form of ['retry-after', 'x-ratelimit-reset', 'body'] as const) {
  test(`a POST is retried after 429 and waits as told by ${form}`, async () => {
    await withServer(
      (_q, res, n) => {
        if (n > 1) return json(res, 201, { status: 'success', data: { id: 'b1' } });
        if (form === 'body') {
          return json(res, 429, {
            status: 'error',
            error: { code: 429, messages: ['Too many requests', 'organization_id: o', 'rate_limit_limit: 60', 'rate_limit_remaining: 0', 'rate_limit_reset: 7'] },
          });
        }
        json(res, 429, { status: 'error', error: { code: 429, messages: ['Too many requests'] } }, { [form]: '7' });
      },
      async (url, seen) => {
        const { c, waits } = client(url);
        const r = await c.request<{ data: { id: string } }>({ method: 'POST', path: '/broadcasts/whatsapp/direct', json: {} });
        assert.equal(r.body.data.id, 'b1');
        assert.equal(seen.hits, 2);
        assert.ok(waits[0]! >= 7000 && waits[0]! < 7300, `waited ${waits[0]}`);
      },
    );
  });
}

test('Qontak\'s 422 "please wait" is waited out and the POST retried', async () => {
  await withServer(
    (_q, res, n) =>
      n === 1
        ? json(res, 422, { status: 'error', error: { code: 422, messages: ['Please wait a moment to send a new broadcast message.'] } })
        : json(res, 200, { status: 'success', data: { id: 'ok' } }),
    async (url, seen) => {
      const { c } = client(url);
      await c.request({ method: 'POST', path: '/broadcasts/whatsapp', json: {} });
      assert.equal(seen.hits, 2);
    },
  );
});

test('a connection dropped after the request is unknown outcome and not retried for POST', async () => {
  await withServer(
    (req) => req.socket.destroy(),
    async (url, seen) => {
      const { c } = client(url);
      const err = await c.request({ method: 'POST', path: '/v1/messages', json: {} }).catch((e: unknown) => e);
      assert.ok(err instanceof TransportError);
      assert.equal(err.maybeActed, true);
      assert.match(err.message, /may have received it/);
      assert.equal(seen.hits, 1);
    },
  );
});

test('a refused connection never reached the server: POST is retried, then reported as not acted', async () => {
  const { c, waits } = client('http://127.0.0.1:9');
  const err = await c.request({ method: 'POST', path: '/v1/messages', json: {} }).catch((e: unknown) => e);
  assert.ok(err instanceof TransportError);
  assert.equal(err.maybeActed, false);
  assert.equal(waits.length, 3);
});

test('a timeout on POST is not retried and is flagged as maybe acted', async () => {
  await withServer(
    () => undefined,
    async (url, seen) => {
      const { c } = client(url, { timeoutMs: 200 });
      const err = await c.request({ method: 'POST', path: '/v1/messages', json: {} }).catch((e: unknown) => e);
      assert.ok(err instanceof TransportError);
      assert.equal(err.maybeActed, true);
      assert.match(err.message, /timed out/);
      assert.equal(seen.hits, 1);
    },
  );
});

test('HMAC is signed afresh on every attempt over the exact path and query sent', async () => {
  const seen: { date: string; ok: boolean }[] = [];
  let clock = Date.parse('2026-01-01T00:00:00Z');
  await withServer(
    (req, res, n) => {
      const date = req.headers.date!;
      const sig = /signature="([^"]+)"/.exec(req.headers.authorization ?? '')?.[1];
      seen.push({ date, ok: sig === hmacSignature('s3cret', date, req.method!, req.url!) });
      if (n === 1) return json(res, 503, {});
      json(res, 200, { status: 'success', data: [] });
    },
    async (url) => {
      const auth: HttpAuth = { kind: 'hmac', clientId: 'cid', secret: 's3cret' };
      const { c } = client(url, { auth, prefix: '/qontak/chat/v1', now: () => (clock += 5000) });
      await c.request({ method: 'GET', path: '/templates/whatsapp', query: { limit: 10, 'statuses[]': ['APPROVED', 'PENDING'], query: 'a b' } });
      assert.equal(seen.length, 2);
      assert.ok(seen.every((s) => s.ok), 'both signatures verify');
      assert.notEqual(seen[0]!.date, seen[1]!.date, 'a retry carries a new Date');
    },
  );
});

test('401 becomes an auth error (exit 4) quoting the API; 422 "Couldn\'t find" becomes not found (exit 3)', async () => {
  await withServer(
    (req, res) =>
      req.url!.startsWith('/a')
        ? json(res, 401, { message: 'Unauthorized' })
        : json(res, 422, { status: 'error', error: { code: 422, messages: ["Couldn't find contact list with 'id'=x"] } }),
    async (url) => {
      const { c } = client(url);
      const a = await c.request({ method: 'GET', path: '/a' }).catch((e: unknown) => e);
      assert.ok(a instanceof ApiAuthError);
      assert.equal(a.exitCode, 4);
      assert.match(a.message, /"Unauthorized"/);
      const b = await c.request({ method: 'GET', path: '/b' }).catch((e: unknown) => e);
      assert.ok(b instanceof ApiNotFoundError);
      assert.equal(b.exitCode, 3);
    },
  );
});

test('a 422 validation error is an operation failure with the messages quoted', async () => {
  await withServer(
    (_q, res) => json(res, 422, { status: 'error', error: { code: 422, messages: ['Message Template has 2 variable, please adjust your payload.'] } }),
    async (url) => {
      const { c } = client(url);
      const e = await c.request({ method: 'POST', path: '/broadcasts/whatsapp', json: {} }).catch((x: unknown) => x);
      assert.ok(e instanceof ApiError);
      assert.equal(e.exitCode, 1);
      assert.match(e.message, /Message Template has 2 variable/);
    },
  );
});

test('an HTML page on a 2xx is reported, not parsed', async () => {
  await withServer(
    (_q, res) => {
      res.writeHead(200, { 'content-type': 'text/html' });
      res.end('<html><body>proxy</body></html>');
    },
    async (url) => {
      const { c } = client(url);
      const e = await c.request({ method: 'GET', path: '/x' }).catch((x: unknown) => x);
      assert.ok(e instanceof TransportError);
      assert.match(e.message, /HTML page/);
    },
  );
});

test('plain HTTP is refused for a non-loopback host', () => {
  assert.throws(() => client('http://api.example.com'), (e: unknown) => e instanceof UsageError && /not HTTPS/.test(e.message));
});

test('--verbose logging redacts credentials', async () => {
  const lines: string[] = [];
  await withServer(
    (_q, res) => json(res, 200, { ok: 1 }),
    async (url) => {
      const { c } = client(url, { auth: { kind: 'api-key', key: 'KEY-123-SECRET' }, log: (l) => lines.push(l) });
      await c.request({ method: 'GET', path: '/v1/sessions' });
    },
  );
  const all = lines.join('\n');
  assert.match(all, /x-api-key":"\[redacted\]/);
  assert.doesNotMatch(all, /KEY-123-SECRET/);
});

test('reset headers: seconds, epoch seconds and HTTP dates', () => {
  const now = Date.parse('2026-01-01T00:00:00Z');
  assert.equal(parseResetHeader('10', now), 10_000);
  assert.equal(parseResetHeader(String(now / 1000 + 20), now), 20_000);
  assert.equal(parseResetHeader('Thu, 01 Jan 2026 00:00:30 GMT', now), 30_000);
  assert.equal(parseResetHeader(undefined, now), undefined);
});

test('proxy settings: the variable of the origin\'s scheme (lower case first), NO_PROXY handed to undici, loopback never proxied', () => {
  const env = { HTTPS_PROXY: 'http://proxy:3128', NO_PROXY: '.internal.example,other.example:8443' };
  assert.deepEqual(proxySettings(new URL('https://api.mekari.com/x'), env), {
    httpProxy: 'http://proxy:3128',
    httpsProxy: 'http://proxy:3128',
    noProxy: '.internal.example,other.example:8443',
    used: { name: 'HTTPS_PROXY', url: 'http://proxy:3128' },
  });
  assert.equal(proxySettings(new URL('https://api.mekari.com/x'), { ...env, https_proxy: 'http://lower:1' })?.used.name, 'https_proxy');
  // HTTP_PROXY does not carry HTTPS requests, nor HTTPS_PROXY plain ones.
  assert.equal(proxySettings(new URL('https://api.mekari.com/x'), { HTTP_PROXY: 'http://p:1' }), undefined);
  assert.equal(proxySettings(new URL('http://gateway.lan:8080/x'), env), undefined);
  assert.equal(proxySettings(new URL('http://127.0.0.1:8080/x'), { ...env, HTTP_PROXY: 'http://p:1' }), undefined);
  assert.equal(proxySettings(new URL('http://localhost:8080/x'), { HTTP_PROXY: 'http://p:1' }), undefined);
  assert.equal(proxySettings(new URL('http://[::1]:8080/x'), { HTTP_PROXY: 'http://p:1' }), undefined);
});

test('a server that echoes a secret in its error text: every secret the client knows is [redacted] in the message and the details, whatever the form', async () => {
  const key = 'kk_live/AbC+123_secret';
  const refresh = 'rt_refresh_0987654321';
  const bodies: [number, string, string][] = [
    [422, 'application/json', JSON.stringify({ status: 'error', error: { code: 422, messages: [`invalid key ${key}`, `refresh ${refresh} expired`] } })],
    // PHP-style escaping: the key's slash arrives as \/ inside the JSON text.
    [422, 'application/json', JSON.stringify({ status: 'error', error: { code: 422, messages: [`key ${key}`] } }).replace(/\//g, '\\/')],
    [500, 'application/json', JSON.stringify({ message: `crashed on ${key}`, [key]: { nested: [key] } })],
    [502, 'text/plain', `upstream said: bad header x-api-key: ${key}\r\nand more`],
  ];
  for (const [status, type, text] of bodies) {
    await withServer(
      (_q, res) => res.writeHead(status, { 'content-type': type }).end(text),
      async (url) => {
        const { c } = client(url, { auth: { kind: 'api-key', key }, secrets: [refresh], maxAttempts: 1 });
        const err = await c.request({ method: 'POST', path: '/v1/messages', json: {} }).catch((e: unknown) => e);
        assert.ok(err instanceof Error, String(err));
        const shown = `${err.message} ${JSON.stringify((err as { details?: unknown }).details ?? '')}`;
        assert.doesNotMatch(shown, /AbC\+123|rt_refresh/, `${status}: ${shown}`);
        assert.match(shown, /\[redacted\]/);
        assert.doesNotMatch(err.message, /[\r\n]/, 'one line');
      },
    );
  }
});

test('an answer that succeeded is handed over as it is: redaction is for error text only', async () => {
  await withServer(
    (_q, res) => json(res, 200, { access_token: 'tok_new_1234', refresh_token: 'rt_same_5678' }),
    async (url) => {
      const { c } = client(url, { secrets: ['rt_same_5678'] });
      const r = await c.request<{ refresh_token: string }>({ method: 'POST', path: '/oauth/token', json: {} });
      assert.equal(r.body.refresh_token, 'rt_same_5678');
    },
  );
});

test('a 404 under a base URL with a path: the hint shows the base URL with its password masked', async () => {
  await withServer(
    (_q, res) => json(res, 404, { message: 'Not Found' }),
    async (url) => {
      const withPassword = url.replace('http://', 'http://ops:pa55w0rd-x@') + '/base';
      const { c } = client(withPassword);
      const err = await c.request({ method: 'GET', path: '/v1/sessions' }).catch((e: unknown) => e);
      assert.ok(err instanceof ApiNotFoundError, String(err));
      assert.equal(err.exitCode, 3);
      assert.match(err.hint ?? '', new RegExp(`^The base URL http://\\*\\*\\*@127\\.0\\.0\\.1:\\d+/base has a path \\(/base\\)`));
      assert.doesNotMatch(`${err.message} ${err.hint}`, /pa55w0rd/);
    },
  );
});

test('a GET retried on 503 until the attempts run out says how many attempts and over how long', async () => {
  let clock = 0;
  await withServer(
    (_q, res) => json(res, 503, { message: 'busy' }),
    async (url, seen) => {
      const { c } = client(url, { now: () => (clock += 10_000) });
      const err = await c.request({ method: 'GET', path: '/x' }).catch((e: unknown) => e);
      assert.ok(err instanceof TransportError, String(err));
      assert.equal(seen.hits, 4);
      assert.match(err.message, /^Qontak GET \/x failed on the server \(503\): "busy"\. Tried 4 times over \d+ s\.$/);
    },
  );
});
