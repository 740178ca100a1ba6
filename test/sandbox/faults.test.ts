// Fault injection: each kind breaks the exchange the way it says, for as many requests as it says, and only for the
// requests it matches. Side effects happen for drop-after and not for drop-before.
import { test, before, after, beforeEach } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import { startSandbox, type Sandbox } from '../../src/sandbox/index.js';
import { clients, hmacHeaders, rawGet } from '../helpers/sandbox-client.js';

let sb: Sandbox;
let c: ReturnType<typeof clients>;
before(async () => {
  sb = await startSandbox({ seed: 21, konekwaRatePerSecond: 10_000, konekwaBurst: 10_000 });
  c = clients(sb, Date.now);
});
after(() => sb.close());
beforeEach(() => sb.faults.clear());

const P = '/integrations';
const full = `/qontak/chat/v1${P}`;
const konekwaSend = (recipient: string) => c.k('POST', '/v1/messages', { session_id: 'ses_main01', recipient, message_type: 'text', content: 'Halo' });

test('status: 5xx in the API\'s own error shape, or a given body; used up after `times`', async () => {
  sb.faults.add({ kind: 'status', status: 503, match: { path: P }, times: 2 });
  const first = await c.q('GET', P);
  assert.deepEqual([first.status, first.body.status, first.body.error.code], [503, 'error', 503]);
  assert.equal((await c.q('GET', P)).status, 503);
  assert.equal((await c.q('GET', P)).status, 200, 'used up after two');
  sb.faults.add({ kind: 'status', status: 500, match: { api: 'konekwa' } });
  const k = await c.k('GET', '/v1/sessions');
  assert.deepEqual([k.status, typeof k.body.error.code], [500, 'string']);
  sb.faults.add({ kind: 'status', status: 502, body: { message: 'upstream' } });
  assert.deepEqual([(await c.q('GET', P)).status, (await c.q('GET', P)).status], [502, 200]);
});

test('rate-limit: Retry-After, x-ratelimit-reset, or the 429 body with rate_limit_reset', async () => {
  sb.faults.add({ kind: 'rate-limit', form: 'retry-after', seconds: 2, match: { path: P } });
  const a = await c.q('GET', P);
  assert.deepEqual([a.status, a.headers.get('retry-after')], [429, '2']);
  sb.faults.add({ kind: 'rate-limit', form: 'x-ratelimit-reset', seconds: 3, match: { path: P } });
  const b = await c.q('GET', P);
  assert.deepEqual([b.status, b.headers.get('x-ratelimit-reset'), b.headers.get('retry-after')], [429, '3', null]);
  sb.faults.add({ kind: 'rate-limit', form: 'body', seconds: 4, match: { path: P } });
  const d = await c.q('GET', P);
  assert.equal(d.status, 429);
  assert.deepEqual(d.body.error.messages.filter((m: string) => !m.startsWith('organization_id')), ['Too many requests', 'rate_limit_limit: 100', 'rate_limit_remaining: 0', 'rate_limit_reset: 4']);
  sb.faults.add({ kind: 'rate-limit', form: 'retry-after', match: { api: 'konekwa' } });
  const k = await konekwaSend('6281600000001');
  assert.deepEqual([k.status, k.body.error.code, k.headers.get('retry-after')], [429, 'RATE_LIMIT_EXCEEDED', '1']);
  assert.equal(sb.state.sendsByRecipient.has('6281600000001'), false);
});

test('rate-limit after: the server carries the request out, then answers 429 in its own shape', async () => {
  sb.faults.add({ kind: 'rate-limit', form: 'retry-after', seconds: 3, after: true, match: { method: 'POST', path: '/v1/messages' } });
  const k = await konekwaSend('6281600000009');
  assert.deepEqual([k.status, k.body.error.code, k.headers.get('retry-after')], [429, 'RATE_LIMIT_EXCEEDED', '3']);
  assert.equal(sb.state.sendsByRecipient.get('6281600000009'), 1, 'queued although the client was told 429');
});

test('latency delays the answer and then answers normally', async () => {
  sb.faults.add({ kind: 'latency', ms: 1000, match: { path: P } });
  const order: string[] = [];
  const delayed = c.q('GET', P).then((r) => (order.push('delayed'), r));
  // The rule's one use goes to the first request; one asked after it is not delayed and overtakes it.
  for (let i = 0; i < 400 && !sb.faults.fired.some((f) => f.kind === 'latency'); i++) await new Promise((r) => setTimeout(r, 5));
  const next = await c.q('GET', P);
  order.push('next');
  const r = await delayed;
  assert.equal(r.status, 200);
  assert.deepEqual(r.body, next.body, 'the delayed answer is the normal one');
  assert.deepEqual(order, ['next', 'delayed']);
});

test('drop-before: the socket closes before anything happens; drop-after: the work is done, the answer lost', async () => {
  const count = () => sb.state.konekwa.order.length;
  const start = count();
  sb.faults.add({ kind: 'drop-before', match: { method: 'POST', path: '/v1/messages' } });
  await assert.rejects(konekwaSend('6281600000002'));
  assert.equal(count(), start, 'nothing queued');
  assert.equal(sb.state.sendsByRecipient.get('6281600000002'), undefined);
  sb.faults.add({ kind: 'drop-after', match: { method: 'POST', path: /\/v1\/messages$/ } });
  await assert.rejects(konekwaSend('6281600000003'));
  assert.equal(count(), start + 1, 'queued although the client heard nothing');
  assert.equal(sb.state.sendsByRecipient.get('6281600000003'), 1);
  // A GET to the same path is not matched by a POST-only rule.
  sb.faults.add({ kind: 'drop-before', match: { method: 'POST', path: '/v1/messages' } });
  assert.equal((await c.k('GET', '/v1/messages')).status, 200);
});

test('broken bodies: malformed JSON, truncated JSON, a proxy HTML page, a wrong content type', async () => {
  const normal = await c.q('GET', P);
  sb.faults.add({ kind: 'malformed-json', match: { path: P } });
  const m = await c.q('GET', P);
  assert.deepEqual([m.status, m.headers.get('content-type'), m.body], [200, 'application/json', undefined]);
  assert.throws(() => JSON.parse(m.text), SyntaxError);

  sb.faults.add({ kind: 'truncated-json', match: { path: P } });
  const t = await c.q('GET', P);
  assert.ok(t.text.length < normal.text.length && normal.text.startsWith(t.text));
  assert.throws(() => JSON.parse(t.text), SyntaxError);

  sb.faults.add({ kind: 'html', match: { path: P } });
  const h = await c.q('GET', P);
  assert.deepEqual([h.status, h.headers.get('content-type')], [502, 'text/html']);
  assert.match(h.text, /<title>502 Bad Gateway<\/title>/);

  sb.faults.add({ kind: 'wrong-content-type', match: { path: P } });
  const w = await c.q('GET', P);
  assert.equal(w.headers.get('content-type'), 'text/plain');
  assert.deepEqual(JSON.parse(w.text), normal.body, 'the body itself is intact');
});

test('bad-header: Node\'s strict parser refuses the answer; the lenient parser reads it', async () => {
  const headers = () => hmacHeaders(sb, 'GET', full);
  sb.faults.add({ kind: 'bad-header', match: { path: P } });
  await assert.rejects(rawGet(`${sb.url}${full}`, headers()), (err: NodeJS.ErrnoException) => err.code === 'HPE_INVALID_HEADER_TOKEN');
  sb.faults.add({ kind: 'bad-header', match: { path: P } });
  const lenient = await new Promise<number>((resolve, reject) =>
    http.get(`${sb.url}${full}`, { headers: headers(), insecureHTTPParser: true }, (res) => resolve(res.statusCode ?? 0)).on('error', reject),
  );
  assert.equal(lenient, 200);
});

test('matching: by api and path RegExp; the token endpoint only when a rule names api oauth', async () => {
  sb.faults.add({ kind: 'status', status: 503, match: { api: 'konekwa', path: /^\/konekwa\/health$/ } });
  assert.equal((await c.q('GET', P)).status, 200, 'a Qontak request is not a Konekwa one');
  assert.equal((await fetch(`${sb.konekwaBaseUrl}/health`)).status, 503);
  const token = () =>
    fetch(sb.oauthTokenUrl, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ grant_type: 'password', username: sb.credentials.oauthUsername, password: sb.credentials.oauthPassword, client_id: sb.credentials.oauthClientId, client_secret: sb.credentials.oauthClientSecret }) }).then((r) => r.status);
  sb.faults.add({ kind: 'status', status: 500 });
  assert.equal(await token(), 200, 'an unscoped rule leaves the token endpoint alone');
  sb.faults.clear();
  sb.faults.add({ kind: 'status', status: 503, match: { api: 'oauth' } });
  assert.equal(await token(), 503);
  assert.equal(sb.faults.pending, 0);
});

test('probability: a seeded share of matching requests, the same pattern for the same seed', async () => {
  const pattern = async (s: Sandbox) => {
    s.faults.add({ kind: 'status', status: 503, probability: 0.25, match: { path: '/health' } });
    const out: number[] = [];
    for (let i = 0; i < 200; i++) out.push((await fetch(`${s.konekwaBaseUrl}/health`)).status);
    s.faults.clear();
    return out;
  };
  const twin = await startSandbox({ seed: 21 });
  try {
    const a = await pattern(sb);
    const b = await pattern(twin);
    const failures = a.filter((x) => x === 503).length;
    assert.ok(failures > 25 && failures < 75, `${failures} of 200`);
    assert.deepEqual(a, b);
    assert.ok(sb.faults.fired.filter((f) => f.path === '/konekwa/health').length >= failures);
  } finally {
    await twin.close();
  }
});
