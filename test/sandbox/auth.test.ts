// Authentication in the sandbox is the real services' authentication: HMAC with its clock window, OAuth with
// rotating refresh tokens, Konekwa's API key. A lenient simulator here would let a broken signer pass every test.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { startSandbox, type Sandbox } from '../../src/sandbox/index.js';
import { clients, hmacHeaders } from '../helpers/sandbox-client.js';

let sb: Sandbox;
let clock = Date.UTC(2026, 10, 2, 9, 0, 0);
let c: ReturnType<typeof clients>;
before(async () => {
  sb = await startSandbox({ now: () => clock, seed: 7 });
  c = clients(sb, () => clock);
});
after(() => sb.close());

const path = '/qontak/chat/v1/integrations?target_channel=wa';
const status = async (headers: Record<string, string>, url = path, method = 'GET', body?: string) =>
  (await fetch(`${sb.url}${url}`, { method, headers, ...(body !== undefined ? { body } : {}) })).status;

test('the handle names the origin, both Qontak prefixes, the token URL and the Konekwa base', () => {
  assert.match(sb.url, /^http:\/\/127\.0\.0\.1:\d+$/);
  assert.equal(sb.baseUrl, sb.url);
  assert.equal(sb.qontakHmacBaseUrl, `${sb.url}/qontak/chat/v1`);
  assert.equal(sb.qontakOauthBaseUrl, `${sb.url}/api/open/v1`);
  assert.equal(sb.oauthTokenUrl, `${sb.url}/oauth/token`);
  assert.equal(sb.konekwaBaseUrl, `${sb.url}/konekwa`);
});

test('HMAC: a fresh signature over the exact request line passes, at either edge of the 300 s window', async () => {
  assert.equal(await status(hmacHeaders(sb, 'GET', path, { clock })), 200);
  assert.equal(await status(hmacHeaders(sb, 'GET', path, { clock: clock - 299_000 })), 200);
  assert.equal(await status(hmacHeaders(sb, 'GET', path, { clock: clock + 299_000 })), 200);
});

test('HMAC: wrong secret, stale or future Date, another path, a changed query, another method are all 401 {"message":"Unauthorized"}', async () => {
  const cases: [string, Record<string, string>, string?, string?][] = [
    ['wrong secret', hmacHeaders(sb, 'GET', path, { clock, secret: 'not-the-secret' })],
    ['Date 301 s old', hmacHeaders(sb, 'GET', path, { clock: clock - 301_000 })],
    ['Date 301 s ahead', hmacHeaders(sb, 'GET', path, { clock: clock + 301_000 })],
    ['path signed without the query', hmacHeaders(sb, 'GET', '/qontak/chat/v1/integrations', { clock })],
    ['query changed after signing', hmacHeaders(sb, 'GET', path, { clock }), '/qontak/chat/v1/integrations?target_channel=web_chat'],
    ['signed as POST, sent as GET', hmacHeaders(sb, 'POST', path, { clock })],
    ['ISO date instead of RFC 7231', hmacHeaders(sb, 'GET', path, { date: new Date(clock).toISOString() })],
  ];
  for (const [name, headers, url] of cases) {
    const res = await fetch(`${sb.url}${url ?? path}`, { headers });
    assert.equal(res.status, 401, name);
    assert.equal(await res.text(), '{"message":"Unauthorized"}', name);
  }
  const { date: _d, ...noDate } = hmacHeaders(sb, 'GET', path, { clock });
  assert.equal(await status(noDate), 401, 'no Date header');
  const other = hmacHeaders(sb, 'GET', path, { clock });
  assert.equal(await status({ ...other, authorization: other.authorization!.replace(sb.credentials.hmacClientId, 'someone-else') }), 401, 'unknown client id');
  assert.equal(await status({ ...other, authorization: other.authorization!.replace('hmac-sha256', 'hmac-sha1') }), 401, 'other algorithm');
  assert.equal(await status({}), 401, 'no authorization');
  assert.equal(sb.state.lastAuthFailure, 'no hmac authorization');
});

test('HMAC: a Digest header, when sent, must match the body', async () => {
  const p = '/qontak/chat/v1/templates/whatsapp';
  const body = JSON.stringify({ name: 'digest_check', language: 'id', category: 'UTILITY', components: [{ type: 'BODY', text: 'Halo {{1}}, terima kasih.' }] });
  const digest = `SHA-256=${createHash('sha256').update(body).digest('base64')}`;
  const h = { ...hmacHeaders(sb, 'POST', p, { clock }), 'content-type': 'application/json' };
  assert.equal(await status({ ...h, digest: 'SHA-256=AAAA' }, p, 'POST', body), 401);
  assert.equal(await status({ ...h, digest }, p, 'POST', body), 201);
});

test('the HMAC prefix does not take a Bearer token and the Bearer prefix does not take HMAC', async () => {
  assert.equal(await status({ authorization: `Bearer ${sb.credentials.accessToken}` }), 401);
  const legacy = '/api/open/v1/integrations';
  assert.equal(await status(hmacHeaders(sb, 'GET', legacy, { clock }), legacy), 401);
  assert.equal((await c.bearer('GET', '/integrations', sb.credentials.accessToken)).status, 200);
});

test('OAuth: password grant, refresh rotates both tokens and each refresh token works once', async () => {
  const cr = sb.credentials;
  const token = async (body: object) => {
    const res = await fetch(sb.oauthTokenUrl, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ client_id: cr.oauthClientId, client_secret: cr.oauthClientSecret, ...body }) });
    return { status: res.status, body: (await res.json()) as any };
  };
  const t = await token({ grant_type: 'password', username: cr.oauthUsername, password: cr.oauthPassword });
  assert.equal(t.status, 200);
  assert.deepEqual(Object.keys(t.body).sort(), ['access_token', 'created_at', 'expires_in', 'refresh_token', 'token_type']);
  assert.equal(t.body.created_at, Math.floor(clock / 1000));
  assert.ok(t.body.expires_in > 30 * 24 * 3600);
  assert.equal((await c.bearer('GET', '/integrations', t.body.access_token)).status, 200);

  const r = await token({ grant_type: 'refresh_token', refresh_token: t.body.refresh_token });
  assert.equal(r.status, 200);
  assert.notEqual(r.body.access_token, t.body.access_token);
  assert.notEqual(r.body.refresh_token, t.body.refresh_token);
  assert.equal((await c.bearer('GET', '/integrations', r.body.access_token)).status, 200);
  const reused = await token({ grant_type: 'refresh_token', refresh_token: t.body.refresh_token });
  assert.deepEqual([reused.status, reused.body.error], [400, 'invalid_grant'], 'a refresh token works once');
  const badPassword = await token({ grant_type: 'password', username: cr.oauthUsername, password: 'nope' });
  assert.deepEqual([badPassword.status, badPassword.body.error], [400, 'invalid_grant']);
  const badClient = await token({ grant_type: 'password', username: cr.oauthUsername, password: cr.oauthPassword, client_secret: 'nope' });
  assert.deepEqual([badClient.status, badClient.body.error], [401, 'invalid_client']);
  const badGrant = await token({ grant_type: 'client_credentials' });
  assert.deepEqual([badGrant.status, badGrant.body.error], [400, 'unsupported_grant_type']);
});

test('OAuth: a wrong or expired Bearer token is a 401 error envelope', async () => {
  const wrong = await c.bearer('GET', '/templates/whatsapp', 'not-a-token');
  assert.equal(wrong.status, 401);
  assert.deepEqual(wrong.body, { status: 'error', error: { code: 401, messages: ['The access token is invalid'] } });
  assert.match(wrong.headers.get('www-authenticate') ?? '', /^Bearer /);
  sb.state.expireAccessTokens();
  assert.equal((await c.bearer('GET', '/integrations', sb.credentials.accessToken)).status, 401);
});

test('Konekwa: X-API-Key on /v1, /health open to all', async () => {
  const missing = await fetch(`${sb.konekwaBaseUrl}/v1/sessions`);
  assert.equal(missing.status, 401);
  assert.equal(((await missing.json()) as any).error.code, 'UNAUTHORIZED');
  assert.equal((await c.k('GET', '/v1/sessions', undefined, 'kk_wrong')).status, 401);
  assert.equal((await c.k('GET', '/v1/sessions')).status, 200);
  const health = await fetch(`${sb.konekwaBaseUrl}/health`);
  assert.deepEqual([health.status, await health.json()], [200, { status: 'ok' }]);
});
