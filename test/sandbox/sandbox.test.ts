// The simulator's own strictness, over raw HTTP: if the sandbox were lenient, every other test would be worth less.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { startSandbox, type Sandbox } from '../../src/sandbox/index.js';

let sb: Sandbox;
let clock = Date.now();
before(async () => (sb = await startSandbox({ now: () => clock, bulkCooldownMs: 5000, listProcessingMs: 1000 })));
after(() => sb.close());

function sign(method: string, pathWithQuery: string, secret = sb.credentials.hmacClientSecret, date = new Date(clock).toUTCString()) {
  const sig = createHmac('sha256', secret).update(`date: ${date}\n${method} ${pathWithQuery} HTTP/1.1`).digest('base64');
  return { date, authorization: `hmac username="${sb.credentials.hmacClientId}", algorithm="hmac-sha256", headers="date request-line", signature="${sig}"` };
}

async function q(method: string, path: string, body?: unknown, headers: Record<string, string> = {}) {
  const full = `/qontak/chat/v1${path}`;
  const res = await fetch(`${sb.url}${full}`, {
    method,
    headers: { ...sign(method, full), ...(body !== undefined ? { 'content-type': 'application/json' } : {}), ...headers },
    ...(body !== undefined ? { body: typeof body === 'string' ? body : JSON.stringify(body) } : {}),
  });
  return { status: res.status, headers: res.headers, body: (await res.json()) as any };
}

async function k(method: string, path: string, body?: unknown) {
  const res = await fetch(`${sb.konekwaBaseUrl}${path}`, {
    method,
    headers: { 'x-api-key': sb.credentials.konekwaApiKey, ...(body ? { 'content-type': 'application/json' } : {}) },
    ...(body ? { body: JSON.stringify(body) } : {}),
  });
  return { status: res.status, headers: res.headers, body: (await res.json()) as any };
}

test('HMAC: a valid signature passes; wrong secret, stale Date and a different path are refused', async () => {
  assert.equal((await q('GET', '/integrations')).status, 200);
  const path = '/qontak/chat/v1/integrations';
  const bad = async (h: Record<string, string>, url = path) => (await fetch(`${sb.url}${url}`, { headers: h })).status;
  assert.equal(await bad(sign('GET', path, 'wrong')), 401);
  assert.equal(await bad(sign('GET', path, undefined, new Date(clock - 301_000).toUTCString())), 401);
  assert.equal(await bad(sign('GET', path), `${path}?target_channel=wa`), 401, 'the query is part of the signed request line');
  const res = await fetch(`${sb.url}${path}`, { headers: sign('GET', path, 'wrong') });
  assert.deepEqual(await res.json(), { message: 'Unauthorized' });
});

test('OAuth: password grant issues a token that works; refresh rotates it', async () => {
  const c = sb.credentials;
  const token = async (body: object) => (await fetch(`${sb.url}/oauth/token`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ client_id: c.oauthClientId, client_secret: c.oauthClientSecret, ...body }) })).json() as Promise<any>;
  const t = await token({ grant_type: 'password', username: c.oauthUsername, password: c.oauthPassword });
  assert.ok(t.access_token && t.refresh_token && t.expires_in > 0);
  const use = (tok: string) => fetch(`${sb.url}/api/open/v1/integrations`, { headers: { authorization: `Bearer ${tok}` } }).then((r) => r.status);
  assert.equal(await use(t.access_token), 200);
  const r = await token({ grant_type: 'refresh_token', refresh_token: t.refresh_token });
  assert.ok(r.access_token);
  assert.equal((await token({ grant_type: 'refresh_token', refresh_token: t.refresh_token })).error, 'invalid_grant', 'a refresh token works once');
  assert.equal((await token({ grant_type: 'password', username: c.oauthUsername, password: 'wrong' })).error, 'invalid_grant');
  assert.equal(await use('nope'), 401);
});

test('templates: every template exactly once across pages, by offset and by cursor', async () => {
  const total = sb.state.templates.length;
  const byOffset: string[] = [];
  for (let offset = 1; ; offset++) {
    const r = await q('GET', `/templates/whatsapp?limit=10&offset=${offset}`);
    if (r.body.data.length === 0) break;
    byOffset.push(...r.body.data.map((t: any) => t.id));
  }
  const byCursor: string[] = [];
  let cursor: string | null = null;
  do {
    const r: any = await q('GET', `/templates/whatsapp?limit=10${cursor ? `&cursor=${cursor}` : ''}`);
    byCursor.push(...r.body.data.map((t: any) => t.id));
    cursor = r.body.meta.pagination.cursor.next;
  } while (cursor);
  assert.ok(total > 30);
  assert.equal(new Set(byOffset).size, total);
  assert.deepEqual(byCursor, byOffset);
});

test('template create: the real API\'s refusals as a 422 envelope, success as PENDING', async () => {
  const bad = await q('POST', '/templates/whatsapp', { name: 'Bad Name', language: 'id', category: 'PROMO', components: [] });
  assert.equal(bad.status, 422);
  assert.equal(bad.body.status, 'error');
  assert.deepEqual(bad.body.error.messages, [
    'Name must only contain lowercase letters, numbers and underscores',
    'Category must be one of AUTHENTICATION, MARKETING, UTILITY',
    'Components must have exactly one BODY',
  ]);
  const good = await q('POST', '/templates/whatsapp', { name: 'new_one', language: 'id', category: 'UTILITY', components: [{ type: 'BODY', text: 'Halo {{1}}' }] });
  assert.equal(good.status, 201);
  assert.equal(good.body.data.data[0].status, 'PENDING');
});

function form(fields: Record<string, string>, file?: { name: string; data: string }) {
  const f = new FormData();
  for (const [k2, v] of Object.entries(fields)) f.append(k2, v);
  if (file) f.append('file', new Blob([file.data], { type: 'text/csv' }), file.name);
  return f;
}

async function upload(fields: Record<string, string>, file?: { name: string; data: string }) {
  // fetch writes the multipart body; the signature covers only the request line.
  const path = '/qontak/chat/v1/contacts/contact_lists/async';
  const res = await fetch(`${sb.url}${path}`, { method: 'POST', headers: sign('POST', path), body: form(fields, file) });
  return { status: res.status, body: (await res.json()) as any };
}

test('contact list upload: processing, then success with per-row failures; bad headers fail', async () => {
  const csv = 'phone_number,full_name,city\r\n6281234567890,Budi,Bandung\r\n12ab,Sari,Medan\r\n';
  const r = await upload({ name: 'nov', source_type: 'spreadsheet' }, { name: 'nov.csv', data: csv });
  assert.equal(r.status, 201);
  assert.equal(r.body.data.progress, 'processing');
  assert.deepEqual(sb.state.uploads.at(-1)!.bytes.toString(), csv, 'the file arrives byte for byte');
  const id = r.body.data.id;
  assert.equal((await q('GET', `/contacts/contact_lists/${id}`)).body.data.progress, 'processing');
  clock += 1001;
  const done = (await q('GET', `/contacts/contact_lists/${id}`)).body.data;
  assert.equal(done.progress, 'success');
  assert.equal(done.contacts_count_success, 1);
  assert.equal(done.contacts_count_failed, 1);
  assert.deepEqual(done.contact_variables, ['city']);
  assert.deepEqual(done.error_messages, ['Row 3: phone_number is invalid']);
  const upper = await upload({ name: 'x', source_type: 'spreadsheet' }, { name: 'x.csv', data: 'Phone_Number,full_name\r\n6281234567890,A\r\n' });
  clock += 1001;
  const failed = (await q('GET', `/contacts/contact_lists/${upper.body.data.id}`)).body.data;
  assert.equal(failed.progress, 'failed');
  const missing = await upload({ source_type: 'spreadsheet' });
  assert.deepEqual(missing.body.error.messages, ["Name can't be blank", "File can't be blank"]);
  const unknown = await q('GET', '/contacts/contact_lists/nope');
  assert.equal(unknown.status, 422);
  assert.equal(unknown.body.error.messages[0], "Couldn't find contact list with 'id'=nope");
});

test('bulk broadcast: every field required, placeholder count checked, "please wait" when too soon', async () => {
  const csv = 'phone_number,full_name,order_id\r\n6281234567890,Budi,A-1\r\n6281234567891,Sari,A-2\r\n';
  const list = (await upload({ name: 'bulk', source_type: 'spreadsheet' }, { name: 'b.csv', data: csv })).body.data.id;
  clock += 1001;
  const t = sb.state.templates.find((x) => x.name === 'order_update' && x.language === 'id')!;
  const ch = sb.state.integrations[0]!.id;
  const missing = await q('POST', '/broadcasts/whatsapp', { name: 'x' });
  assert.equal(missing.status, 422);
  assert.deepEqual(missing.body.error.messages, ["message_template_id can't be blank", "contact_list_id can't be blank", "channel_integration_id can't be blank"]);
  const base = { name: 'b1', message_template_id: t.id, contact_list_id: list, channel_integration_id: ch };
  const count = await q('POST', '/broadcasts/whatsapp', { ...base, parameters: { body: [{ key: '1', value: 'full_name' }] } });
  assert.equal(count.body.error.messages[0], 'Message Template has 2 variable, please adjust your payload.');
  const good = await q('POST', '/broadcasts/whatsapp', { ...base, parameters: { body: [{ key: '1', value: 'full_name' }, { key: '2', value: 'order_id' }] } });
  assert.equal(good.status, 201, JSON.stringify(good.body));
  const again = await q('POST', '/broadcasts/whatsapp', { ...base, name: 'b2', parameters: { body: [{ key: '1', value: 'full_name' }, { key: '2', value: 'order_id' }] } });
  assert.equal(again.status, 422);
  assert.equal(again.body.error.messages[0], 'Please wait a moment to send a new broadcast message.');
  // Delivery progresses with the clock; the log renders each recipient's message.
  const id = good.body.data.id;
  assert.equal((await q('GET', `/broadcasts/${id}/whatsapp`)).body.data.message_status_count.pending, 2);
  clock += 10_000;
  const log = (await q('GET', `/broadcasts/${id}/whatsapp/log`)).body.data;
  assert.equal(log.length, 2);
  assert.equal(log[0].messages.body.template, 'Halo Budi, pesanan A-1 sudah kami kirim. Terima kasih sudah berbelanja!');
  assert.ok(log.every((e: any) => e.status !== 'pending'));
  assert.equal((await q('GET', `/broadcasts/${id}/whatsapp`)).body.data.execute_status, 'done');
});

test('direct send: six fields required, button index must be a string, 60 per minute then 429 with reset', async () => {
  const t = sb.state.templates.find((x) => x.name === 'welcome_member' && x.language === 'id')!;
  const ch = sb.state.integrations[0]!.id;
  const body = (extra: object = {}) => ({
    to_name: 'Budi',
    to_number: '6281234567890',
    message_template_id: t.id,
    channel_integration_id: ch,
    language: { code: 'id' },
    parameters: { body: [{ key: '1', value_text: 'Budi', value: 'full_name' }] },
    ...extra,
  });
  clock += 61_000;
  const { to_name: _n, ...noName } = body();
  assert.deepEqual((await q('POST', '/broadcasts/whatsapp/direct', noName)).body.error.messages, ["to_name can't be blank"]);
  const numericIndex = await q('POST', '/broadcasts/whatsapp/direct', body({ parameters: { body: [{ key: '1', value_text: 'Budi', value: 'full_name' }], buttons: [{ index: 0, type: 'url', value: 'x' }] } }));
  assert.equal(numericIndex.body.error.messages[0], 'parameters.buttons.index must be a string');
  const wrongCount = await q('POST', '/broadcasts/whatsapp/direct', body({ parameters: { body: [] } }));
  assert.equal(wrongCount.body.error.messages[0], 'Message Template has 1 variable, please adjust your payload.');
  clock += 61_000;
  let limited: any;
  for (let i = 0; i < 61; i++) {
    const r = await q('POST', '/broadcasts/whatsapp/direct', body());
    if (r.status === 429) {
      limited = { i, body: r.body };
      break;
    }
    assert.equal(r.status, 201);
  }
  assert.equal(limited.i, 60);
  assert.deepEqual(limited.body.error.messages.slice(0, 1), ['Too many requests']);
  assert.match(limited.body.error.messages.at(-1), /^rate_limit_reset: \d+$/);
});

test('Konekwa: 202 QUEUED then SENT; placeholders checked; 429 with Retry-After when flooding', async () => {
  const send = (extra: object = {}) => k('POST', '/v1/messages', { session_id: 'ses_main01', recipient: '6281234567890', message_type: 'text', template_id: 'tpl_promo_nov', placeholder_values: { name: 'Budi', company: 'Acme' }, ...extra });
  const r = await send();
  assert.equal(r.status, 202);
  assert.equal(r.body.status, 'QUEUED');
  clock += 1000;
  assert.equal((await k('GET', `/v1/messages/${r.body.message_id}`)).body.status, 'SENT');
  const missing = await send({ placeholder_values: { name: 'Budi' } });
  assert.equal(missing.status, 400);
  assert.equal(missing.body.error.details, 'company');
  assert.equal((await send({ session_id: 'ses_backup' })).body.error.code, 'SESSION_NOT_CONNECTED');
  let flood: any;
  for (let i = 0; i < 30 && !flood; i++) {
    const x = await send({ recipient: `62812000000${String(i).padStart(2, '0')}` });
    if (x.status === 429) flood = x;
  }
  assert.ok(flood, 'flooding is refused');
  assert.ok(Number(flood.headers.get('retry-after')) >= 1);
  assert.equal((await fetch(`${sb.konekwaBaseUrl}/v1/sessions`)).status, 401, 'X-API-Key required');
  assert.equal((await fetch(`${sb.konekwaBaseUrl}/health`)).status, 200, 'health is public');
});

test('faults: each kind does what it says, once', async () => {
  clock += 10_000;
  const path = '/integrations';
  sb.faults.add({ kind: 'status', status: 503, match: { path } });
  assert.equal((await q('GET', path)).status, 503);
  assert.equal((await q('GET', path)).status, 200, 'used up');
  sb.faults.add({ kind: 'rate-limit', form: 'x-ratelimit-reset', seconds: 3, match: { path } });
  assert.equal((await q('GET', path)).headers.get('x-ratelimit-reset'), '3');
  sb.faults.add({ kind: 'html', match: { path } });
  const html = await fetch(`${sb.url}/qontak/chat/v1${path}`, { headers: sign('GET', `/qontak/chat/v1${path}`) });
  assert.match(await html.text(), /502 Bad Gateway/);
  sb.faults.add({ kind: 'truncated-json', match: { path } });
  const trunc = await fetch(`${sb.url}/qontak/chat/v1${path}`, { headers: sign('GET', `/qontak/chat/v1${path}`) });
  const truncText = await trunc.text();
  assert.throws(() => JSON.parse(truncText), SyntaxError);
  sb.faults.add({ kind: 'drop-before', match: { path } });
  await assert.rejects(fetch(`${sb.url}/qontak/chat/v1${path}`, { headers: sign('GET', `/qontak/chat/v1${path}`) }));
  const before = sb.state.konekwa.order.length;
  sb.faults.add({ kind: 'drop-after', match: { path: '/v1/messages', method: 'POST' } });
  clock += 5000;
  await assert.rejects(k('POST', '/v1/messages', { session_id: 'ses_main01', recipient: '6289999999999', message_type: 'text', content: 'x' }));
  assert.equal(sb.state.konekwa.order.length, before + 1, 'drop-after: the server acted, the client heard nothing');
  sb.faults.add({ kind: 'bad-header', match: { path } });
  const http = await import('node:http');
  await assert.rejects(
    new Promise((resolve, reject) => http.get(`${sb.url}/qontak/chat/v1${path}`, { headers: sign('GET', `/qontak/chat/v1${path}`) }, resolve).on('error', reject)),
    /HPE_INVALID_HEADER_TOKEN|Invalid header/,
  );
  assert.deepEqual(sb.faults.fired.map((f) => f.kind), ['status', 'rate-limit', 'html', 'truncated-json', 'drop-before', 'drop-after', 'bad-header']);
});
