// The policy layer as a command meets it: a credential no header can carry is refused naming where it came from
// (exit 4, nothing sent), a secret a server echoes is not printed, a base URL's password is not printed.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { runCli } from '../helpers/cli.js';
import { withServer } from '../helpers/http-server.js';

const konekwa = (url: string, key: string) => ({ WA_PROVIDER: 'konekwa', KONEKWA_BASE_URL: url, KONEKWA_API_KEY: key, WA_CONFIG_DIR: '/nonexistent-wa-cli-config' });

for (const [name, env, variable, what] of [
  ['KONEKWA_API_KEY with a trailing CR LF', (url: string) => konekwa(url, 'kk_abc123\r\n'), 'KONEKWA_API_KEY', /a line break \(CR or LF\)/],
  ['KONEKWA_API_KEY past Latin-1', (url: string) => konekwa(url, 'kk_kunci€'), 'KONEKWA_API_KEY', /a character past Latin-1 \("€"\)/],
  [
    'MEKARI_API_CLIENT_ID past Latin-1',
    (url: string) => ({ WA_PROVIDER: 'qontak', MEKARI_API_BASE_URL: url, MEKARI_API_CLIENT_ID: 'klien-ş', MEKARI_API_CLIENT_SECRET: 's3cret', WA_CONFIG_DIR: '/nonexistent-wa-cli-config' }),
    'MEKARI_API_CLIENT_ID',
    /a character past Latin-1 \("ş"\)/,
  ],
  [
    'QONTAK_ACCESS_TOKEN with a line feed',
    (url: string) => ({ WA_PROVIDER: 'qontak', QONTAK_BASE_URL: url, QONTAK_ACCESS_TOKEN: 'tok\nx-evil: 1', WA_CONFIG_DIR: '/nonexistent-wa-cli-config' }),
    'QONTAK_ACCESS_TOKEN',
    /a line break/,
  ],
] as [string, (url: string) => Record<string, string>, string, RegExp][]) {
  test(`${name}: an auth error naming the variable (exit 4), and nothing sent`, async () => {
    await withServer(
      (_q, res) => res.writeHead(200, { 'content-type': 'application/json' }).end('{"sessions":[]}'),
      async (url, seen) => {
        const r = await runCli(['channels', 'list'], { env: env(url) });
        assert.equal(r.code, 4, r.stderr);
        assert.match(r.stderr, new RegExp(`^error: ${variable} holds `));
        assert.match(r.stderr, what);
        assert.match(r.stderr, new RegExp(`Set ${variable} again without it`));
        assert.equal(seen.connections, 0);
      },
    );
  });
}

test('a server whose error text echoes the API key: the key is not printed', async () => {
  const key = 'kk_live_0123456789abcdef';
  await withServer(
    (req, res) => res.writeHead(400, { 'content-type': 'application/json' }).end(JSON.stringify({ error: { code: 'INVALID_REQUEST', message: `bad key ${String(req.headers['x-api-key'])}` } })),
    async (url) => {
      const r = await runCli(['channels', 'list'], { env: konekwa(url, key) });
      assert.equal(r.code, 1, r.stderr);
      assert.match(r.stderr, /INVALID_REQUEST: bad key \[redacted\]/);
      assert.doesNotMatch(r.stderr + r.stdout, /0123456789abcdef/);
    },
  );
});

test('a base URL with a password and a path that answers 404: the hint masks the password', async () => {
  await withServer(
    (_q, res) => res.writeHead(404, { 'content-type': 'application/json' }).end('{"error":{"code":"NOT_FOUND","message":"no route"}}'),
    async (url) => {
      const r = await runCli(['channels', 'list'], { env: konekwa(`${url.replace('http://', 'http://ops:pa55w0rd-x@')}/gw`, 'kk_abc123') });
      assert.equal(r.code, 3, r.stderr);
      assert.match(r.stderr, /The base URL http:\/\/\*\*\*@127\.0\.0\.1:\d+\/gw has a path \(\/gw\)/);
      assert.doesNotMatch(r.stderr, /pa55w0rd/);
    },
  );
});
