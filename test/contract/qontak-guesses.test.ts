// Where Qontak's documents leave a choice, wa-cli takes the safe one: an unknown list progress ends the wait naming
// it; a list whose values are not where the file put them stops the send; Doorkeeper's refusals are quoted; a review
// status nobody documented is not a verdict; categories are the account's; the published OAuth pair is the default.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { layoutProblem, listOutcomeProblem, waitForList } from '../../src/core/contacts/list-upload.js';
import { waitForReview } from '../../src/core/template-review.js';
import type { ContactList, ListContact, Provider, RemoteTemplate } from '../../src/providers/port.js';
import { HttpClient } from '../../src/providers/http.js';
import { readQontakError } from '../../src/providers/qontak/errors.js';
import { QONTAK_PUBLISHED_CLIENT, requestToken } from '../../src/providers/qontak/oauth.js';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { runCli } from '../helpers/cli.js';
import { qontakAt } from '../helpers/recorded.js';
import { privateEnv, sharedTestBed } from '../helpers/sandbox.js';

const bed = sharedTestBed({ listProcessingMs: 20, bulkCooldownMs: 0 });

const list = (progress: string, extra: Partial<ContactList> = {}): ContactList => ({ id: 'l1', name: 'nov', progress, count: 1, succeeded: 1, failed: 0, variables: ['kota'], errorMessages: {}, createdAt: undefined, finishedAt: undefined, raw: {}, ...extra });

test('a list progress no source shows ends the wait at once, naming the value; processing is waited on', async () => {
  let slept = 0;
  const opts = { timeoutMs: 600_000, now: () => slept, sleep: async (ms: number) => void (slept += ms) };
  const queued = await waitForList({ get: async () => list('queued') }, list('queued'), opts);
  assert.equal(queued.kind, 'unknown');
  assert.equal(slept, 0, 'not polled for ten minutes');
  assert.match(listOutcomeProblem(queued), /reports progress "queued", which Qontak's documents do not show \(only processing → success\)/);
  for (const value of ['done', 'completed', 'finished']) assert.equal((await waitForList({ get: async () => list(value) }, list(value), opts)).kind, 'unknown', `${value} is not "success"`);
  let calls = 0;
  const later = await waitForList({ get: async () => list(++calls < 3 ? 'processing' : 'success') }, list('processing'), opts);
  assert.equal(later.kind, 'success');
  assert.equal((await waitForList({ get: async () => list('failed') }, list('failed'), opts)).kind, 'failed');
});

test('layout: the values the server holds are compared with the file; a column read from elsewhere stops the send', async () => {
  const rows = [{ rowNumber: 2, phone_number: '6281234567890', full_name: 'Budi', variables: { kota: 'Bandung' } }];
  const held = (kota: string) => ({
    contacts: async function* (): AsyncIterable<ListContact> {
      yield { phone: '6281234567890', name: 'Budi', variables: { kota } };
    },
  });
  assert.equal(await layoutProblem(held('Bandung'), list('success'), ['kota'], rows), undefined);
  assert.match((await layoutProblem(held('Budi'), list('success'), ['kota'], rows))!, /holds "Budi" under kota for 6281234567890, where the uploaded file has "Bandung"/);
  assert.match((await layoutProblem(held('Bandung'), list('success', { variables: [] }), ['kota'], rows))!, /holds the variables \(none\), not kota that the send maps/);
});

test('Doorkeeper refusals of the token endpoint are quoted in their own words', async () => {
  const tokenHttp = new HttpClient({ baseUrl: bed.sandbox.url, auth: { kind: 'none' }, env: {}, apiName: 'Qontak', readError: readQontakError, sleep: async () => {} });
  const err = await requestToken(tokenHttp, { grant_type: 'password', username: 'ops@example.com', password: 'wrong', client_id: QONTAK_PUBLISHED_CLIENT.id, client_secret: QONTAK_PUBLISHED_CLIENT.secret }).catch((e: unknown) => e);
  assert.match(String((err as Error).message), /"The provided authorization grant is invalid, expired, revoked, .* \(invalid_grant\)"/);
});

test('review: APPROVED and REJECTED are verdicts; any other status is shown as given and waited on until the timeout', async () => {
  const t = (status: string): RemoteTemplate => ({ id: 't', name: 'n', language: 'id', category: 'UTILITY', status, body: '', header: null, footer: null, buttons: [], qualityRating: null, raw: {} });
  let now = 0;
  const provider = { getTemplate: async () => t('PAUSED') } as unknown as Provider;
  const r = await waitForReview(provider, t('PAUSED'), { timeoutMs: 10_000, intervalMs: 1000, now: () => now, sleep: async (ms) => void (now += ms) });
  assert.deepEqual([r.kind, r.template.status], ['timeout', 'PAUSED']);
  assert.equal((await waitForReview(provider, t('REJECTED'), { timeoutMs: 1, intervalMs: 1, now: () => 0, sleep: async () => {} })).kind, 'rejected');
});

test('categories: online, the account\'s list (or its templates\' own) decides before any POST; offline an unknown one only warns', async () => {
  const env = bed.env('qontak-hmac');
  const file = (name: string, category: string) => {
    const f = path.join(bed.dir, `${name}.json`);
    writeFileSync(f, JSON.stringify({ name, language: 'id', category, components: [{ type: 'BODY', text: 'Halo {{1}}, pesanan Anda sudah dikirim.', example: { body_text: [['Budi']] } }] }));
    return f;
  };
  const posts = () => bed.sandbox.state.requests.filter((r) => r.method === 'POST' && r.path === '/templates/whatsapp').length;
  const before = posts();
  const odd = await runCli(['templates', 'create', file('kategori_aneh', 'TRANSACTIONAL')], { env });
  assert.equal(odd.code, 1);
  assert.match(odd.stderr, /Category "TRANSACTIONAL" is not one the account lists \(ACCOUNT_UPDATE, .*AUTO_REPLY\) nor one its templates carry \(AUTHENTICATION, MARKETING, UTILITY\); nothing was submitted/);
  assert.equal(posts(), before);
  const listed = await runCli(['templates', 'create', file('kategori_resmi', 'SHIPPING_UPDATE')], { env });
  assert.equal(listed.code, 0, listed.stderr);
  const offline = await runCli(['templates', 'validate', file('kategori_luring', 'TRANSACTIONAL')], { env: {} });
  assert.equal(offline.code, 0, offline.stderr);
  assert.match(offline.stdout + offline.stderr, /warning.*category "TRANSACTIONAL" is not one the documents list/);
});

test('OAuth: login without --client-id takes the published pair, stores no client secret, and a refresh uses that pair', async () => {
  const dir = path.join(bed.dir, 'oauth-published');
  const env = privateEnv(dir);
  mkdirSync(env.WA_CONFIG_DIR, { recursive: true });
  const login = await runCli(['auth', 'login', '--provider', 'qontak', '--method', 'oauth', '--base-url', bed.sandbox.url, '--with-secret', '--insecure-storage'], { env, stdin: bed.sandbox.credentials.accessToken });
  assert.equal(login.code, 0, login.stderr);
  const config = JSON.parse(readFileSync(path.join(env.WA_CONFIG_DIR, 'config.json'), 'utf8'));
  assert.equal(config.profiles.default.clientId, QONTAK_PUBLISHED_CLIENT.id);
  // A refresh token as a password grant would have stored it; no client secret beside it.
  const credFile = path.join(env.WA_CONFIG_DIR, 'credentials.json');
  const creds = JSON.parse(readFileSync(credFile, 'utf8'));
  creds.secrets['default/refresh-token'] = bed.sandbox.credentials.refreshToken;
  writeFileSync(credFile, JSON.stringify(creds), { mode: 0o600 });
  assert.equal(creds.secrets['default/client-secret'], undefined);
  bed.sandbox.state.expireAccessTokens();
  const r = await runCli(['channels', 'list'], { env });
  assert.equal(r.code, 0, r.stderr);
  const sent = JSON.parse(bed.sandbox.state.requests.filter((q) => q.path === '/oauth/token').at(-1)!.body);
  assert.deepEqual([sent.grant_type, sent.client_id, sent.client_secret], ['refresh_token', QONTAK_PUBLISHED_CLIENT.id, QONTAK_PUBLISHED_CLIENT.secret]);
});

test('a listing that gives only keyset cursors, no offset, is refused at its second page rather than read with gaps', async () => {
  const server = http.createServer((req, res) => {
    const cursor = new URL(req.url!, 'http://x').searchParams.get('cursor');
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ status: 'success', data: Array.from({ length: 50 }, (_, i) => ({ id: `b${cursor ?? ''}${i}`, name: `x${i}` })), meta: { pagination: { cursor: { next: 'MTcwMDAwMDAwMC4wMDA=', prev: 'MTYwMDAwMDAwMC4wMDA=' }, limit: 50, total: 500 } } }));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  try {
    const p = await qontakAt(`http://127.0.0.1:${(server.address() as AddressInfo).port}`);
    const seen: string[] = [];
    const err = await (async () => {
      for await (const b of p.broadcasts.list({})) seen.push(b.id);
    })().catch((e: unknown) => e);
    assert.equal(seen.length, 50, 'the first page is read');
    assert.match(String((err as Error).message), /gave no usable offset to page by, only a keyset cursor, which can skip items that share a timestamp/);
  } finally {
    server.closeAllConnections();
    await new Promise((r) => server.close(r));
  }
});
