// Qontak sends over real HTTP against the sandbox: media headers and URL buttons, rejected rows, schedules read back,
// the key found on the account by a fresh state folder, POST after 429, please-wait deadline, OAuth refresh, Digest.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import type { Sandbox } from '../../src/sandbox/index.js';
import { buttonParams, planExtras, resolveMedia, sendNeeds } from '../../src/core/broadcast/needs.js';
import { listRejections, rejectedRowsProblem, waitForList } from '../../src/core/contacts/list-upload.js';
import { verifySchedule } from '../../src/core/broadcast/schedule.js';
import { broadcastName, findKeyOnAccount, findKeyUse, keyInName } from '../../src/core/broadcast/key-use.js';
import { Ledger } from '../../src/core/runs/ledger.js';
import { fromQontakLogEntry } from '../../src/providers/qontak/mapping.js';
import { DELIVERY_STATUSES } from '../../src/providers/port.js';
import { FoundOnAccountError, TransportError } from '../../src/providers/errors.js';
import { HttpClient } from '../../src/providers/http.js';
import { readQontakError } from '../../src/providers/qontak/errors.js';
import { requestToken } from '../../src/providers/qontak/oauth.js';
import { qontakOnSandbox } from '../helpers/qontak-sandbox.js';
import { sharedTestBed } from '../helpers/sandbox.js';
import type { QontakProvider } from '../../src/providers/qontak/adapter.js';

let sb: Sandbox;
let clock = Date.UTC(2026, 10, 2, 9, 0, 0);
let p: QontakProvider;
let dir: string;
sharedTestBed({ now: () => clock, seed: 12, speed: 1000 }, async (bed) => {
  sb = bed.sandbox;
  p = (await qontakOnSandbox(sb, { now: () => clock })).provider;
  dir = bed.dir;
});

const channel = () => sb.state.integrations.find((i) => i.target_channel === 'wa' && i.is_active)!.id;
const templateNamed = async (name: string) => {
  for await (const t of p.listTemplates({})) if (t.name === name) return t;
  throw new Error(name);
};
const logOf = async (id: string) => {
  clock += 60_000;
  return (await p.broadcasts.logPage(id, null)).entries;
};

test('sendNeeds: media format and dynamic URL buttons; planExtras names the missing flag', async () => {
  const image = await templateNamed('promo_image');
  const doc = await templateNamed('invoice_document');
  assert.deepEqual(sendNeeds(image), { media: 'IMAGE', urlButtons: [] });
  assert.deepEqual(sendNeeds(doc), { media: 'DOCUMENT', urlButtons: [0] });
  assert.deepEqual(sendNeeds(await templateNamed('order_update')), { media: null, urlButtons: [] });
  const a = planExtras('promo_image', sendNeeds(image), {});
  assert.equal(a.ok, false);
  assert.equal(!a.ok && a.flag, '--media');
  const b = planExtras('invoice_document', sendNeeds(doc), { media: 'https://cdn.example.com/files/' });
  assert.equal(!b.ok && b.flag, '--media-filename');
  const c = planExtras('invoice_document', sendNeeds(doc), { media: 'https://cdn.example.com/inv.pdf' });
  assert.equal(!c.ok && c.flag, '--button');
  assert.match(!c.ok ? c.problem : '', /--button 0=COLUMN/);
  const d = planExtras('invoice_document', sendNeeds(doc), { media: 'https://cdn.example.com/inv.pdf', buttons: ['2=x'] });
  assert.equal(!d.ok && d.flag, '--button');
  const e = planExtras('order_update', sendNeeds(await templateNamed('order_update')), { media: 'x.png' });
  assert.equal(!e.ok && e.flag, '--media');
});

test('a direct send of a media-header template: without the media every entry fails; with it (a local file uploaded) it is delivered', async () => {
  const t = await templateNamed('promo_image');
  const base = { toName: 'Budi', toNumber: '6281234500001', templateId: t.id, channelId: channel(), language: t.language, body: [{ key: '1', valueText: 'Budi', value: 'full_name' }] };
  const bare = await p.broadcasts.sendDirect(base);
  const failed = await logOf(bare.id);
  assert.equal(failed[0]!.status, 'failed');
  assert.equal(failed[0]!.error, 'header: Format mismatch, expected a media parameter');

  const file = path.join(dir, 'promo.png');
  writeFileSync(file, Buffer.from('89504e470d0a1a0a', 'hex'));
  const plan = planExtras(t.name, sendNeeds(t), { media: file });
  assert.ok(plan.ok);
  const header = await resolveMedia(plan.extras.media!, { provider: p, readFile: (f) => readFile(f) });
  assert.equal(sb.state.uploads.at(-1)!.name, 'file_uploader');
  assert.match(header.params[0]!.value, /^https:\/\/cdn\.qontak\.com\//);
  assert.deepEqual(header.params[1], { key: 'filename', value: 'promo.png' });
  const good = await p.broadcasts.sendDirect({ ...base, toNumber: '6281234500002', header });
  const entries = await logOf(good.id);
  assert.notEqual(entries[0]!.error, 'header: Format mismatch, expected a media parameter');
  assert.ok(['sent', 'delivered', 'read', 'failed'].includes(entries[0]!.status));
  assert.deepEqual((sb.state.broadcasts.get(good.id)!.parameters as { header: unknown }).header, header);
});

test('a bulk send with a document header and a URL button carries both in the documented shapes and is not failed per entry', async () => {
  const t = await templateNamed('invoice_document');
  const csv = 'phone_number,full_name,invoice\r\n6281234567890,Budi,INV-1\r\n6281234567891,Sari,INV-2\r\n';
  const list = await p.lists.upload('invoices', { filename: 'inv.csv', contentType: 'text/csv', data: Buffer.from(csv) });
  clock += 5000;
  const plan = planExtras(t.name, sendNeeds(t), { media: 'https://cdn.example.com/inv.pdf', mediaFilename: 'Tagihan.pdf', buttons: ['0=invoice'] });
  assert.ok(plan.ok);
  const header = await resolveMedia(plan.extras.media!, { provider: p, readFile: () => Promise.reject(new Error('no file')) });
  const buttons = buttonParams(plan.extras.buttons);
  assert.deepEqual(buttons, [{ index: '0', type: 'url', value: 'invoice' }]);
  const b = await p.broadcasts.sendBulk({ name: 'inv', templateId: t.id, contactListId: list.id, channelId: channel(), body: [{ key: '1', value: 'full_name' }, { key: '2', value: 'invoice' }], header, buttons });
  const sent = JSON.parse(sb.state.requests.filter((r) => r.method === 'POST' && r.path === '/broadcasts/whatsapp').at(-1)!.body);
  assert.deepEqual(sent.parameters.header, { format: 'DOCUMENT', params: [{ key: 'url', value: 'https://cdn.example.com/inv.pdf' }, { key: 'filename', value: 'Tagihan.pdf' }] });
  assert.equal(sent.parameters.buttons[0].index, '0');
  const entries = await logOf(b.id);
  assert.equal(entries.length, 2);
  assert.ok(entries.every((e) => !/Format mismatch/.test(e.error ?? '')));
});

test('rejected rows: the list keeps 2 of 3; the send is stopped with how many and why', async () => {
  const csv = 'phone_number,full_name\r\n6281234567890,Budi\r\n12ab,Sari\r\n6281234567892,Tono\r\n';
  const first = await p.lists.upload('three', { filename: 'three.csv', contentType: 'text/csv', data: Buffer.from(csv) });
  clock += 5000;
  const done = await waitForList(p.lists, first, { timeoutMs: 10_000, now: () => clock, sleep: async (ms) => void (clock += ms) });
  assert.equal(done.kind, 'success');
  const r = listRejections(done.list);
  assert.deepEqual([r.kept, r.rejected], [2, 1]);
  assert.deepEqual(r.reasons, ['row 3: phone_number is invalid']);
  const problem = rejectedRowsProblem(done.list, 3);
  assert.match(problem!, /kept 2 of 3 rows .* rejected 1: row 3: phone_number is invalid/);
  assert.match(problem!, /--skip-invalid/);
  assert.equal(rejectedRowsProblem({ ...done.list, failed: 0, succeeded: 3, errorMessages: {} }, 3), undefined);
});

// How a schedule is asked for is inferred (qontak.md: no client sends execute_type or send_at); what decides is the
// broadcast read back.
test('schedules: asked as execute_type specific with send_at in UTC [inferred]; only the broadcast read back can say "scheduled"', async () => {
  const t = await templateNamed('order_update');
  const csv = 'phone_number,full_name,order_id\r\n6281234567890,Budi,A-1\r\n';
  const list = await p.lists.upload('sched', { filename: 's.csv', contentType: 'text/csv', data: Buffer.from(csv) });
  clock += 10_000;
  const asked = '2026-11-03T09:00:00+07:00';
  const b = await p.broadcasts.sendBulk({ name: 'later', templateId: t.id, contactListId: list.id, channelId: channel(), body: [{ key: '1', value: 'full_name' }, { key: '2', value: 'order_id' }], sendAt: asked });
  const sent = JSON.parse(sb.state.requests.filter((r) => r.path === '/broadcasts/whatsapp' && r.method === 'POST').at(-1)!.body);
  assert.equal(sent.send_at, '2026-11-03T02:00:00.000Z');
  const held = await p.broadcasts.get(b.id);
  assert.deepEqual(verifySchedule(asked, held), { kind: 'scheduled', sendAt: '2026-11-03T02:00:00.000Z' });
  assert.equal(verifySchedule(asked, { ...held, executeType: 'immediately' }).kind, 'mismatch');
  assert.equal(verifySchedule(asked, { ...held, sendAt: '2026-11-03T09:00:00.000Z' }).kind, 'mismatch');
  assert.equal(verifySchedule(asked, { ...held, executeType: undefined }).kind, 'unknown');
});

test('remote idempotency: the key first in a short name; a fresh state folder finds it by listing, not by search', async () => {
  const key = 'wa-0123456789abcdef';
  const name = broadcastName(key, 'promo november untuk semua pelanggan setia toko maju jaya di seluruh indonesia');
  assert.ok(name.startsWith(`[${key}] promo`));
  assert.ok([...name].length <= 64);
  assert.equal(keyInName(name), key);
  assert.equal(keyInName('nov-orders [wa-fedcba9876543210]'), 'wa-fedcba9876543210');
  const t = await templateNamed('order_update');
  const csv = 'phone_number,full_name,order_id\r\n6281234567890,Budi,A-1\r\n';
  const list = await p.lists.upload('idem', { filename: 'i.csv', contentType: 'text/csv', data: Buffer.from(csv) });
  clock += 10_000;
  await p.broadcasts.sendBulk({ name, templateId: t.id, contactListId: list.id, channelId: channel(), body: [{ key: '1', value: 'full_name' }, { key: '2', value: 'order_id' }] });
  const ledger = new Ledger(path.join(dir, 'fresh-state'));
  const use = await findKeyUse(ledger, p, key, true, { now: () => clock });
  assert.equal(use?.where, 'account');
  assert.equal(use?.where === 'account' && use.broadcast.name, name);
  const gets = sb.state.requests.filter((r) => r.method === 'GET' && r.path === '/broadcasts/whatsapp');
  assert.ok(gets.length > 0 && gets.every((r) => /[?&]start_date=/.test(r.query) && !/[?&]query=/.test(r.query)), 'listed by date, names compared locally');
  assert.equal(await findKeyUse(ledger, p, 'wa-0000000000000000', true, { now: () => clock }), undefined);
  // Outside the window it is not searched for.
  assert.equal(await findKeyUse(ledger, p, key, true, { now: () => clock + 40 * 86_400_000 }), undefined);
});

test('POST after 429: a bulk send the server carried out is found by name, not sent again; a direct send is unknown', async () => {
  const t = await templateNamed('order_update');
  const csv = 'phone_number,full_name,order_id\r\n6281234567890,Budi,A-1\r\n';
  const list = await p.lists.upload('r429', { filename: 'r.csv', contentType: 'text/csv', data: Buffer.from(csv) });
  clock += 10_000;
  const before = sb.state.broadcasts.size;
  // A proxy that lets the bulk POST reach the sandbox, then answers 429 (as a gateway can after processing).
  const proxy = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const fwd = http.request(`${sb.url}${req.url}`, { method: req.method, headers: req.headers }, (up) => {
        const body: Buffer[] = [];
        up.on('data', (c: Buffer) => body.push(c));
        up.on('end', () => {
          const late429 = req.method === 'POST' && req.url!.endsWith('/broadcasts/whatsapp');
          res.writeHead(late429 ? 429 : up.statusCode!, { 'content-type': 'application/json' });
          res.end(late429 ? JSON.stringify({ status: 'error', error: { code: 429, messages: ['Too many requests'] } }) : Buffer.concat(body));
        });
      });
      fwd.end(Buffer.concat(chunks));
    });
  });
  await new Promise<void>((r) => proxy.listen(0, '127.0.0.1', r));
  const viaProxy = (await qontakOnSandbox({ ...sb, url: `http://127.0.0.1:${(proxy.address() as AddressInfo).port}` } as Sandbox, { now: () => clock })).provider;
  const name = broadcastName('wa-1111111111111111', 'after-429');
  const findSent = () => findKeyOnAccount(p.broadcasts, 'wa-1111111111111111', { now: () => clock, windowDays: 1 });
  try {
    const result = await viaProxy.broadcasts.sendBulk({ name, templateId: t.id, contactListId: list.id, channelId: channel(), body: [{ key: '1', value: 'full_name' }, { key: '2', value: 'order_id' }], findSent });
    assert.equal(sb.state.broadcasts.size - before, 1, 'one broadcast, not two');
    assert.equal(result.name, name, 'the broadcast found on the account is returned');
  } finally {
    proxy.closeAllConnections();
    await new Promise((r) => proxy.close(r));
  }

  sb.faults.add({ kind: 'rate-limit', form: 'body', seconds: 1, match: { method: 'POST', path: '/broadcasts/whatsapp/direct' } });
  const err = await p.broadcasts.sendDirect({ toName: 'B', toNumber: '6281234500009', templateId: t.id, channelId: channel(), language: t.language, body: [{ key: '1', valueText: 'B', value: 'full_name' }, { key: '2', valueText: 'x', value: 'order_id' }] }).catch((e: unknown) => e);
  sb.faults.clear();
  assert.ok(err instanceof TransportError);
  assert.equal(err.acted, 'unknown');
  assert.equal(err.maybeActed, true);
  assert.equal(sb.state.directSendsByRecipient.get('6281234500009') ?? 0, 0);
});

test('please wait: waited out with a notice per wait up to the deadline, then given up as transient', async () => {
  const waits: { ms: number; remainingMs: number }[] = [];
  const { provider } = await qontakOnSandbox(sb, { now: () => clock, onWait: (w) => waits.push(w), pleaseWaitDeadlineMs: 50_000 });
  const t = await templateNamed('order_update');
  const csv = 'phone_number,full_name,order_id\r\n6281234567890,Budi,A-1\r\n';
  const list = await provider.lists.upload('pw', { filename: 'p.csv', contentType: 'text/csv', data: Buffer.from(csv) });
  clock += 10_000;
  sb.setLimits({ bulkCooldownMs: 30_000 * 1000 }); // 30 s at speed 1000
  clock += 60_000; // clear of the previous tests' broadcasts
  const send = (n: string) => provider.broadcasts.sendBulk({ name: n, templateId: t.id, contactListId: list.id, channelId: channel(), body: [{ key: '1', value: 'full_name' }, { key: '2', value: 'order_id' }] });
  await send('pw-1');
  // The test's sleep does not move the sandbox clock, so move it from the notice.
  const moving = await qontakOnSandbox(sb, { now: () => clock, onWait: (w) => ((clock += w.ms), waits.push(w)), pleaseWaitDeadlineMs: 50_000 });
  await moving.provider.broadcasts.sendBulk({ name: 'pw-2', templateId: t.id, contactListId: list.id, channelId: channel(), body: [{ key: '1', value: 'full_name' }, { key: '2', value: 'order_id' }] });
  assert.ok(waits.length >= 3, `waited ${waits.length} times`);
  assert.ok(waits.reduce((a, w) => a + w.ms, 0) >= 30_000);
  assert.ok(waits.every((w) => w.remainingMs <= 50_000));
  waits.length = 0;
  const stuck = await send('pw-3').catch((e: unknown) => e);
  assert.ok(stuck instanceof TransportError);
  assert.ok(waits.length > 0);
  sb.setLimits({ bulkCooldownMs: 5000 });
});

test('OAuth refresh is sent once: a lost answer is not retried (the sandbox rotated the pair once)', async () => {
  const tokenHttp = new HttpClient({ baseUrl: sb.url, auth: { kind: 'none' }, env: {}, apiName: 'Qontak', readError: readQontakError, sleep: async () => {}, now: () => clock });
  sb.faults.add({ kind: 'drop-after', match: { method: 'POST', path: '/oauth/token', api: 'oauth' } });
  const before = sb.state.refreshTokens.size;
  const err = await requestToken(tokenHttp, { grant_type: 'refresh_token', refresh_token: sb.credentials.refreshToken, client_id: sb.credentials.oauthClientId, client_secret: sb.credentials.oauthClientSecret }).catch((e: unknown) => e);
  sb.faults.clear();
  assert.ok(err instanceof TransportError && err.maybeActed);
  assert.equal(sb.state.requests.filter((r) => r.path === '/oauth/token').length, 1, 'one attempt');
  assert.equal(sb.state.refreshTokens.size, before, 'rotated exactly once (old spent, one new issued)');
});

test('HMAC Digest: opt-in header over the body, checked by the sandbox', async () => {
  const { HttpClient: H } = await import('../../src/providers/http.js');
  const http = new H({ baseUrl: sb.url, prefix: '/qontak/chat/v1', auth: { kind: 'hmac', clientId: sb.credentials.hmacClientId, secret: sb.credentials.hmacClientSecret, digest: true }, env: {}, apiName: 'Qontak', readError: readQontakError, sleep: async () => {}, now: () => clock });
  const res = await http.request({ method: 'POST', path: '/file_uploader', body: { contentType: 'multipart/form-data; boundary=x', data: Buffer.from('--x\r\nContent-Disposition: form-data; name="file"; filename="a.png"\r\nContent-Type: image/png\r\n\r\nabc\r\n--x--\r\n') } });
  assert.equal(res.status, 201);
  assert.match(String(sb.state.requests.at(-1)!.headers.digest), /^SHA-256=[A-Za-z0-9+/]+=*$/);
});

test('unknown log statuses are shown as they are, never a failure and never final: a documented status later moves them', () => {
  const e = fromQontakLogEntry({ id: 'x', status: 'expired', whatsapp_error_message: 'n/a' });
  assert.equal(e.rawStatus, 'expired');
  assert.equal(e.status, 'sent', 'not failed: a failed recipient invites a second send');
  assert.match(e.error!, /status "expired" \(not one of Qontak's documented statuses; counted as sent, not final\)/);
  const later = fromQontakLogEntry({ id: 'x', status: 'delivered', whatsapp_error_message: 'n/a' });
  assert.ok(DELIVERY_STATUSES.indexOf(later.status) > DELIVERY_STATUSES.indexOf(e.status), 'a follower moves it on to delivered');
  assert.equal(fromQontakLogEntry({ id: 'y', status: 'read' }).rawStatus, undefined);
});

test('please wait means look again: a broadcast with the same key on the account stops the repeat (FoundOnAccountError, exit 5), nothing posted twice', async () => {
  const t = await templateNamed('order_update');
  const csv = 'phone_number,full_name,order_id\r\n6281234567890,Budi,A-1\r\n';
  const list = await p.lists.upload('pw-look', { filename: 'l.csv', contentType: 'text/csv', data: Buffer.from(csv) });
  clock += 120_000;
  sb.setLimits({ bulkCooldownMs: 30_000 * 1000 });
  try {
    const key = 'wa-2222222222222222';
    const body = [{ key: '1', value: 'full_name' }, { key: '2', value: 'order_id' }];
    const findSent = () => findKeyOnAccount(p.broadcasts, key, { now: () => clock, windowDays: 1 });
    // Another runner's broadcast of the key, made just now.
    await p.broadcasts.sendBulk({ name: broadcastName(key, 'host-a'), templateId: t.id, contactListId: list.id, channelId: channel(), body });
    const posted = () => sb.state.requests.filter((r) => r.method === 'POST' && r.path === '/broadcasts/whatsapp').length;
    const before = posted();
    const err = await p.broadcasts.sendBulk({ name: broadcastName(key, 'host-b'), templateId: t.id, contactListId: list.id, channelId: channel(), body, findSent }).catch((e: unknown) => e);
    assert.ok(err instanceof FoundOnAccountError, String(err));
    assert.equal(err.exitCode, 5);
    assert.match(err.message, /While Qontak asked to wait, broadcast [0-9a-f-]{36} "\[wa-2222222222222222\] host-a"/);
    assert.equal(posted() - before, 1, 'the refused POST only; not posted again');
    assert.equal([...sb.state.broadcasts.values()].filter((b) => b.name.startsWith(`[${key}]`)).length, 1);
  } finally {
    sb.setLimits({ bulkCooldownMs: 5000 });
  }
});
