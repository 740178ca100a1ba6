// Broadcasts: bulk and direct sends refused exactly as Qontak refuses them, the please-wait rule, the direct rate
// limit, scheduling, and delivery logs that progress with the clock in the recorded shape.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { startSandbox, type Sandbox } from '../../src/sandbox/index.js';
import { recordedFile } from '../helpers/paths.js';
import { clients, keyPaths } from '../helpers/sandbox-client.js';

let sb: Sandbox;
let clock = Date.UTC(2026, 10, 2, 9, 0, 0);
let c: ReturnType<typeof clients>;
let listId: string;
before(async () => {
  sb = await startSandbox({ now: () => clock, seed: 5 });
  c = clients(sb, () => clock);
  const csv = 'phone_number,full_name,order_id\r\n6281234567890,Budi,A-1\r\n6281234567891,Sari,A-2\r\n6281234567892,Tono,A-3\r\n';
  listId = (await c.upload({ name: 'orders', source_type: 'spreadsheet' }, { name: 'orders.csv', data: csv })).body.data.id;
  clock += 2000;
});
after(() => sb.close());

const recorded = (name: string) => JSON.parse(readFileSync(recordedFile(name), 'utf8')).body;
const template = (name: string, language = 'id') => sb.state.templates.find((t) => t.name === name && t.language === language)!;
const channel = () => sb.state.integrations.find((i) => i.target_channel === 'wa' && i.is_active)!.id;
const orderParams = { body: [{ key: '1', value: 'full_name' }, { key: '2', value: 'order_id' }] };
const bulk = (extra: object = {}) => ({ name: 'nov-orders', message_template_id: template('order_update').id, contact_list_id: listId, channel_integration_id: channel(), parameters: orderParams, ...extra });

test('channels: the WhatsApp integrations, filtered by target_channel, shaped like the recorded ones', async () => {
  const all = await c.q('GET', '/integrations');
  const wa = await c.q('GET', '/integrations?target_channel=wa');
  assert.ok(all.body.data.some((i: any) => i.target_channel !== 'wa'), 'a non-WhatsApp integration exists');
  assert.ok(wa.body.data.length >= 2 && wa.body.data.every((i: any) => i.target_channel === 'wa'));
  const rec = recorded('get_integrations_200.json').data.find((i: any) => i.target_channel === 'wa');
  assert.deepEqual(keyPaths(wa.body.data[0]).sort(), keyPaths(rec).sort());
  assert.match(wa.body.data[0].settings.server_wa_id, /^62\d+$/);
});

test('bulk: each missing field named, unknown template/list 422, a list still processing refused; a template not APPROVED accepted, then every entry fails (2001)', async () => {
  const missing = await c.q('POST', '/broadcasts/whatsapp', { name: 'x' });
  assert.deepEqual([missing.status, missing.body.error.messages], [422, ["message_template_id can't be blank", "contact_list_id can't be blank", "channel_integration_id can't be blank"]]);
  const unknownTemplate = await c.q('POST', '/broadcasts/whatsapp', bulk({ message_template_id: 'nope' }));
  assert.deepEqual(unknownTemplate.body.error.messages, ["Couldn't find message template with 'id'=nope"]);
  const pending = sb.state.templates.find((t) => t.status === 'PENDING')!;
  const pendingKeys = [...new Set([...pending.body.matchAll(/\{\{(\d+)\}\}/g)].map((m) => m[1]!))];
  const notApproved = await c.q('POST', '/broadcasts/whatsapp', bulk({ message_template_id: pending.id, parameters: { body: pendingKeys.map((key) => ({ key, value: 'full_name' })) } }));
  assert.equal(notApproved.status, 201, `accepted, as the recorded log shows: ${JSON.stringify(notApproved.body)}`);
  const failing = sb.state.broadcasts.get(notApproved.body.data.id)!;
  assert.equal(failing.failAllWith?.code, 2001);
  assert.match(failing.failAll!, new RegExp(`The template \\(${pending.name}\\) does not exist .* or the template has not been approved`));
  // The later tests count broadcasts and the "please wait" window: leave the sandbox as a refusal would have.
  sb.state.broadcasts.delete(notApproved.body.data.id);
  sb.state.lastBulkAtMs = -Infinity;
  const unknownList = await c.q('POST', '/broadcasts/whatsapp', bulk({ contact_list_id: 'nope' }));
  assert.deepEqual(unknownList.body.error.messages, ["Couldn't find contact list with 'id'=nope"]);
  const fresh = await c.upload({ name: 'fresh', source_type: 'spreadsheet' }, { name: 'f.csv', data: 'phone_number,full_name\n6281234567890,Budi\n' });
  const processing = await c.q('POST', '/broadcasts/whatsapp', bulk({ contact_list_id: fresh.body.data.id, message_template_id: template('welcome_member').id, parameters: { body: [{ key: '1', value: 'full_name' }] } }));
  assert.deepEqual(processing.body.error.messages, ['Contact list is not ready']);
});

test('bulk: parameter count, keys and columns checked with the exact texts', async () => {
  const one = await c.q('POST', '/broadcasts/whatsapp', bulk({ parameters: { body: [{ key: '1', value: 'full_name' }] } }));
  assert.deepEqual([one.status, one.body.error.messages], [422, ['Message Template has 2 variable, please adjust your payload.']]);
  const none = await c.q('POST', '/broadcasts/whatsapp', bulk({ parameters: undefined }));
  assert.deepEqual(none.body.error.messages, ['Message Template has 2 variable, please adjust your payload.']);
  const column = await c.q('POST', '/broadcasts/whatsapp', bulk({ parameters: { body: [{ key: '1', value: 'full_name' }, { key: '2', value: 'invoice' }] } }));
  assert.deepEqual(column.body.error.messages, ['Parameter value invoice is not a column of the contact list']);
  assert.equal(sb.state.broadcasts.size, 0, 'nothing was created by a refused request');
});

test('bulk: accepted with only the fields public clients read, then "please wait" within the cooldown, accepted again after it; scheduling', async () => {
  const ok = await c.q('POST', '/broadcasts/whatsapp', bulk());
  assert.equal(ok.status, 201, JSON.stringify(ok.body));
  // qontak.md, "Evidence from public clients": id, name, send_at, created_at, message_status_count; nothing else.
  assert.deepEqual(Object.keys(ok.body.data).sort(), ['created_at', 'id', 'message_status_count', 'name', 'send_at']);
  assert.deepEqual(ok.body.data.message_status_count, { failed: 0, delivered: 0, read: 0, pending: 3, sent: 0 });
  clock += 4999;
  const soon = await c.q('POST', '/broadcasts/whatsapp', bulk({ name: 'second' }));
  assert.deepEqual([soon.status, soon.body.error.messages], [422, ['Please wait a moment to send a new broadcast message.']]);
  clock += 1;
  const sendAt = new Date(clock + 3_600_000).toISOString();
  const scheduled = await c.q('POST', '/broadcasts/whatsapp', bulk({ name: 'scheduled', execute_type: 'specific', send_at: sendAt }));
  assert.equal(scheduled.status, 201);
  assert.equal(scheduled.body.data.send_at, sendAt);
  clock += 10_000;
  const detail = (await c.q('GET', `/broadcasts/${scheduled.body.data.id}/whatsapp`)).body.data;
  assert.deepEqual([detail.execute_type, detail.send_at], ['specific', sendAt], 'the schedule is read back from the detail');
  assert.deepEqual([detail.execute_status, detail.message_status_count.pending], ['todo', 3], 'nothing goes out before send_at');
  const past = await c.q('POST', '/broadcasts/whatsapp', bulk({ name: 'late', execute_type: 'specific', send_at: new Date(clock - 3_600_000).toISOString() }));
  assert.deepEqual(past.body.error.messages, ['send_at must be in the future']);

  const first = (await c.q('GET', `/broadcasts/${ok.body.data.id}/whatsapp`)).body;
  assert.equal(first.data.execute_status, 'done');
  assert.deepEqual(Object.keys(first.data).sort(), Object.keys(recorded('get_broadcasts_ID_whatsapp_200.json').data).sort());
  assert.equal(Object.values(first.data.message_status_count as Record<string, number>).reduce((a, b) => a + b), 3);
  // Each entry carries the template's text with its placeholders and the recipient's own values beside it, as the
  // notes' log example does, never a text rendered for the client.
  const log = (await c.q('GET', `/broadcasts/${ok.body.data.id}/whatsapp/log`)).body.data;
  const text = 'Halo {{1}}, pesanan {{2}} sudah kami kirim. Terima kasih sudah berbelanja!';
  assert.deepEqual(log.map((e: any) => [e.contact_phone_number, e.messages.body.template, e.messages.body.parameters]), [
    ['6281234567890', text, { 1: 'Budi', 2: 'A-1' }],
    ['6281234567891', text, { 1: 'Sari', 2: 'A-2' }],
    ['6281234567892', text, { 1: 'Tono', 2: 'A-3' }],
  ]);
});

test('broadcast list: name query (idempotency keys live in names), date range, pagination', async () => {
  const byName = await c.q('GET', '/broadcasts/whatsapp?query=scheduled');
  assert.deepEqual(byName.body.data.map((b: any) => b.name), ['scheduled']);
  const all = await c.q('GET', '/broadcasts/whatsapp?limit=1');
  assert.equal(all.body.meta.pagination.total, 2);
  // The recorded list item lacks contact_list_name, which the recorded detail has: so does the sandbox's.
  const listKeys = keyPaths(recorded('get_broadcasts_whatsapp_200.json').data[0], '', 0);
  assert.deepEqual(keyPaths(all.body.data[0], '', 0).sort(), [...listKeys].sort());
  // Cursors as recorded: epoch milliseconds; the last page's next is null.
  assert.equal(typeof all.body.meta.pagination.cursor.next, 'number');
  const last = await c.q('GET', '/broadcasts/whatsapp?limit=1&offset=2');
  assert.equal(last.body.meta.pagination.cursor.next, null);
  const tomorrow = new Date(clock + 86_400_000).toISOString().slice(0, 10);
  assert.equal((await c.q('GET', `/broadcasts/whatsapp?start_date=${tomorrow}`)).body.data.length, 0);
  const today = new Date(clock).toISOString().slice(0, 10);
  assert.equal((await c.q('GET', `/broadcasts/whatsapp?start_date=${today}&end_date=${today}`)).body.data.length, 2);
  assert.equal((await c.q('GET', '/broadcasts/whatsapp?start_date=yesterday')).status, 422);
});

test('direct: the six fields, language code, numeric button index and the count are refused with exact texts', async () => {
  clock += 61_000;
  const t = template('welcome_member');
  const body = (extra: object = {}) => ({
    to_name: 'Budi',
    to_number: '6281234567890',
    message_template_id: t.id,
    channel_integration_id: channel(),
    language: { code: 'id' },
    parameters: { body: [{ key: '1', value_text: 'Budi', value: 'full_name' }] },
    ...extra,
  });
  for (const field of ['to_name', 'to_number', 'message_template_id', 'channel_integration_id', 'language', 'parameters']) {
    const r = await c.q('POST', '/broadcasts/whatsapp/direct', { ...body(), [field]: undefined });
    assert.deepEqual([r.status, r.body.error.messages], [422, [`${field} can't be blank`]], field);
  }
  const index = await c.q('POST', '/broadcasts/whatsapp/direct', body({ parameters: { body: [{ key: '1', value_text: 'Budi', value: 'full_name' }], buttons: [{ index: 0, type: 'url', value: 'x' }] } }));
  assert.deepEqual(index.body.error.messages, ['parameters.buttons.index must be a string']);
  const count = await c.q('POST', '/broadcasts/whatsapp/direct', body({ parameters: { body: [] } }));
  assert.deepEqual(count.body.error.messages, ['Message Template has 1 variable, please adjust your payload.']);
  const noText = await c.q('POST', '/broadcasts/whatsapp/direct', body({ parameters: { body: [{ key: '1', value: 'full_name' }] } }));
  assert.deepEqual(noText.body.error.messages, ['parameters.body.value_text is required']);
  const lang = await c.q('POST', '/broadcasts/whatsapp/direct', body({ language: { code: 'en_US' } }));
  assert.deepEqual(lang.body.error.messages, [`Message template ${t.name} is not available in en_US`]);
  assert.equal(sb.state.directSendsByRecipient.size, 0);
  const ok = await c.q('POST', '/broadcasts/whatsapp/direct', body({ parameters: { body: [{ key: '1', value_text: 'Budi', value: 'full_name' }], buttons: [{ index: '0', type: 'url', value: 'x' }] } }));
  assert.equal(ok.status, 201);
  assert.equal(sb.state.directSendsByRecipient.get('6281234567890'), 1);
  // qontak.md: "`data.id` is the broadcast id"; nothing else of the answer is documented.
  assert.deepEqual(ok.body, { status: 'success', data: { id: ok.body.data.id } });
  clock += 10_000;
  const log = (await c.q('GET', `/broadcasts/${ok.body.data.id}/whatsapp/log`)).body.data;
  assert.equal(log[0].messages.body.template, 'Selamat datang, {{1}}! Kartu member Anda sudah aktif.');
  assert.deepEqual(log[0].messages.body.parameters, { 1: 'Budi' });
});

test('direct: the 61st request within a minute is a 429 with the documented body; it resets after the window', async () => {
  clock += 61_000;
  const t = template('otp_login');
  const body = { to_name: 'Sari', to_number: '6281234567891', message_template_id: t.id, channel_integration_id: channel(), language: { code: 'id' }, parameters: { body: [{ key: '1', value_text: '123456', value: 'otp' }] } };
  for (let i = 0; i < 60; i++) {
    clock += 500;
    assert.equal((await c.q('POST', '/broadcasts/whatsapp/direct', body)).status, 201, `request ${i + 1}`);
  }
  const limited = await c.q('POST', '/broadcasts/whatsapp/direct', body);
  assert.equal(limited.status, 429);
  const orgId = sb.state.integrations[0]!.organization_id;
  // The first request is 29.5 s old: the window frees a slot in 30.5 s.
  assert.deepEqual(limited.body, { status: 'error', error: { code: 429, messages: ['Too many requests', `organization_id: ${orgId}`, 'rate_limit_limit: 60', 'rate_limit_remaining: 0', 'rate_limit_reset: 31'] } });
  assert.equal(sb.state.directSendsByRecipient.get('6281234567891'), 60, 'the refused one was not sent');
  clock += 31_000;
  assert.equal((await c.q('POST', '/broadcasts/whatsapp/direct', body)).status, 201);
  sb.setLimits({ directPerMinute: 1 });
  clock += 61_000;
  assert.equal((await c.q('POST', '/broadcasts/whatsapp/direct', body)).status, 201);
  assert.equal((await c.q('POST', '/broadcasts/whatsapp/direct', body)).status, 429, 'setLimits applies at once');
  sb.setLimits({ directPerMinute: 60 });
});

test('log: pending → sent → delivered → read on the clock, failures with WhatsApp reasons, recorded shape', async () => {
  const b = sb.state.seedBroadcast({ recipients: 2000, startAtMs: clock });
  const statuses = async () => {
    const out: string[] = [];
    for (let offset = 1; ; offset++) {
      const page = (await c.q('GET', `/broadcasts/${b.id}/whatsapp/log?limit=100&offset=${offset}`)).body.data;
      if (!page.length) return out;
      out.push(...page.map((e: any) => e.status));
    }
  };
  const atStart = await statuses();
  assert.equal(atStart.length, 2000);
  assert.ok(atStart.every((s) => s === 'pending'));
  const rank: Record<string, number> = { pending: 0, sent: 1, delivered: 2, read: 3, failed: 9 };
  let previous: string[] = atStart;
  for (const step of [600, 900, 1500, 3000]) {
    clock += step;
    const now = await statuses();
    now.forEach((s, i) => assert.ok(rank[s]! >= rank[previous[i]!]!, `entry ${i} went from ${previous[i]} back to ${s}`));
    previous = now;
  }
  const failed = previous.filter((s) => s === 'failed').length;
  assert.ok(failed >= 100 && failed <= 200, `${failed} of 2000 failed`);
  assert.ok(previous.every((s) => s === 'failed' || s === 'delivered' || s === 'read'), 'all settled');
  assert.ok(previous.filter((s) => s === 'read').length > 500);

  const page = (await c.q('GET', `/broadcasts/${b.id}/whatsapp/log?limit=100`)).body.data;
  const bad = page.find((e: any) => e.status === 'failed');
  const good = page.find((e: any) => e.status === 'read');
  assert.notEqual(bad.whatsapp_error_message, 'n/a');
  assert.equal(bad.whatsapp_message_id, 'n/a');
  assert.equal(bad.messages_response.errors[0].details, bad.whatsapp_error_message);
  assert.equal(good.whatsapp_error_message, 'n/a');
  assert.deepEqual(Object.keys(good.messages_response).sort(), ['contacts', 'delivered', 'messages', 'meta', 'read', 'sent']);
  assert.equal(good.messages_response.read.statuses[0].id, good.whatsapp_message_id);
  const rec = recorded('get_broadcasts_ID_whatsapp_log_200.json');
  const shape = (e: unknown) => keyPaths(e, '', 1).filter((k) => !k.startsWith('messages_response.')).sort();
  assert.deepEqual(shape(bad), shape(rec.data[0]));
  assert.deepEqual(keyPaths(bad.messages_response, '', 1).filter((k) => !k.startsWith('errors[].')).sort(), keyPaths(rec.data[0].messages_response, '', 1).filter((k) => !k.startsWith('errors[].')).sort());

  const detail = (await c.q('GET', `/broadcasts/${b.id}/whatsapp`)).body.data;
  assert.equal(detail.message_status_count.failed, failed);
  assert.equal(detail.execute_status, 'done');
});

test('log: offsets cover every entry once; keyset cursors skip entries tied at a page boundary and the last page repeats its cursor', async () => {
  const b = sb.state.seedBroadcast({ recipients: 230, startAtMs: clock - 60_000 });
  const byOffset: string[] = [];
  for (let offset = 1; offset <= 5; offset++) {
    const r: any = await c.q('GET', `/broadcasts/${b.id}/whatsapp/log?limit=50&offset=${offset}`);
    assert.equal(r.body.meta.pagination.target_offset, (offset - 1) * 50);
    byOffset.push(...r.body.data.map((e: any) => e.id));
  }
  assert.equal(new Set(byOffset).size, 230);

  const byCursor: string[] = [];
  let cursor: string | null = null;
  let requests = 0;
  let lastMeta: any;
  do {
    const r: any = await c.q('GET', `/broadcasts/${b.id}/whatsapp/log?limit=50${cursor ? `&cursor=${encodeURIComponent(cursor)}&cursor_direction=after` : ''}`);
    requests++;
    byCursor.push(...r.body.data.map((e: any) => e.id));
    lastMeta = r.body.meta.pagination;
    // A client that stops only on a null cursor never stops: the last page's next is its prev.
    cursor = lastMeta.cursor.next === lastMeta.cursor.prev ? null : lastMeta.cursor.next;
  } while (cursor && requests < 20);
  assert.notEqual(lastMeta.cursor.next, null);
  assert.equal(lastMeta.cursor.next, lastMeta.cursor.prev);
  assert.ok(byCursor.length < 230, `ties at page boundaries are skipped by cursors (${byCursor.length} of 230)`);
  assert.ok(byCursor.every((id) => byOffset.includes(id)));
  // Decoded, a cursor is the created_at of the page's last entry, as the recorded cursors are.
  const first: any = await c.q('GET', `/broadcasts/${b.id}/whatsapp/log?limit=50`);
  const decoded = Number(Buffer.from(first.body.meta.pagination.cursor.next, 'base64').toString('utf8'));
  assert.equal(decoded * 1000, Date.parse(first.body.data[49].created_at));

  const big = sb.state.seedBroadcast({ recipients: 100_000, startAtMs: clock - 60_000 });
  const deep = await c.q('GET', `/broadcasts/${big.id}/whatsapp/log?limit=100&offset=1000`);
  assert.equal(deep.body.data.length, 100);
  assert.equal(deep.body.data[99].contact_phone_number, '6281200099999');
  const counts = (await c.q('GET', `/broadcasts/${big.id}/whatsapp`)).body.data.message_status_count;
  assert.equal(Object.values(counts as Record<string, number>).reduce((a, x) => a + x), 100_000);
  assert.equal(counts.pending + counts.sent, 0);
});
