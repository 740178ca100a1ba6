import { test } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { runCli } from '../../helpers/cli.js';
import { sharedTestBed } from '../../helpers/sandbox.js';

const bed = sharedTestBed({ listProcessingMs: 200, bulkCooldownMs: 1500 });

const csv = bed.file;
const orders = () => csv('orders.csv', 'phone_number,full_name,order_id\r\n0812-3456-7890,Budi Santoso,INV-1001\r\n+62 813 1111 2222,Sari Dewi,INV-1002\r\n');
const posts = bed.posts;

test('--dry-run renders the messages, the count and the cost; sends nothing', async () => {
  const before = bed.sandbox.state.requests.filter((r) => r.method === 'POST').length;
  const r = await runCli(['broadcast', 'send', '--template', 'order_update', '--language', 'id', '--file', orders(), '--param', '1=full_name', '--param', '2=order_id', '--dry-run'], { env: bed.env('qontak-hmac') });
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /Recipients:\s+2\n/);
  assert.match(r.stdout, /Cost:\s+about Rp 920 \(2 × Rp 460\)/);
  assert.match(r.stdout, /→ 6281234567890 \(Budi Santoso\)\n  │ Halo Budi Santoso, pesanan INV-1001 sudah kami kirim\./);
  assert.equal(bed.sandbox.state.requests.filter((r2) => r2.method === 'POST').length, before);
});

test('without a terminal and without --yes, nothing is sent and the flag is named (exit 2)', async () => {
  const r = await runCli(['broadcast', 'send', '--template', 'order_update', '--language', 'id', '--file', orders(), '--param', '1=full_name', '--param', '2=order_id'], { env: bed.env('qontak-hmac') });
  assert.equal(r.code, 2);
  assert.match(r.stderr, /--yes/);
});

test('an unmapped positional placeholder is refused with the columns to choose from (a usage error, exit 2)', async () => {
  const r = await runCli(['-y', 'broadcast', 'send', '--template', 'order_update', '--language', 'id', '--file', orders(), '--param', '1=full_name'], { env: bed.env('qontak-hmac') });
  assert.equal(r.code, 2);
  assert.match(r.stderr, /Placeholder \{\{2\}\} of "order_update" has no value; map it with --param 2=COLUMN \(columns: full_name, phone_number, order_id\)/);
});

test('send-time rules over every recipient: problems with row numbers, nothing sent; --skip-invalid sends the rest', async () => {
  const long = 'x'.repeat(1000);
  const file = csv('long.csv', `phone_number,full_name,order_id\r\n081234567890,Budi,${long}\r\n081234567891,Sari,INV-2\r\n081234567892,Andi,${long}\r\n`);
  const args = ['-y', 'broadcast', 'send', '--template', 'order_update', '--language', 'id', '--file', file, '--param', '1=full_name', '--param', '2=order_id'];
  const r = await runCli(args, { env: bed.env('qontak-hmac') });
  assert.equal(r.code, 1);
  assert.match(r.stderr, /row 2 \(6281234567890\): the message is \d+ characters with its values filled in/);
  assert.match(r.stderr, /row 4 \(6281234567892\)/);
  assert.match(r.stderr, /Nothing was sent: 2 recipient\(s\) would get a broken message/);
  const skip = await runCli([...args, '--skip-invalid', '--idempotency-key', 'skip-test', '--json'], { env: bed.env('qontak-hmac') });
  assert.equal(skip.code, 0, skip.stderr);
  assert.equal(JSON.parse(skip.stdout).recipients, 1);
  // The uploaded list holds only the recipient that passed.
  assert.equal(bed.sandbox.state.uploads.at(-1)!.bytes.toString(), 'phone_number,full_name,order_id\r\n6281234567891,Sari,INV-2\r\n');
});

test('a spreadsheet send uploads the list, then sends in bulk with the key in the name; a second send exits 5', async () => {
  const args = ['-y', 'broadcast', 'send', '--template', 'order_update', '--language', 'id', '--file', orders(), '--param', '1=full_name', '--param', '2=order_id', '--json'];
  const r = await runCli(args, { env: bed.env('qontak-hmac') });
  assert.equal(r.code, 0, r.stderr);
  const out = JSON.parse(r.stdout);
  const bulk = JSON.parse(posts('/broadcasts/whatsapp').at(-1)!.body);
  const t = bed.sandbox.state.templates.find((x) => x.name === 'order_update' && x.language === 'id')!;
  assert.equal(bulk.message_template_id, t.id);
  assert.deepEqual(bulk.parameters, { body: [{ key: '1', value: 'full_name' }, { key: '2', value: 'order_id' }] });
  assert.ok(bulk.name.startsWith(`[${out.idempotencyKey}] `), "the key comes first, where no shortening reaches it");
  assert.equal(bed.sandbox.state.broadcasts.get(out.id)!.recipients.count, 2);
  const again = await runCli(args, { env: bed.env('qontak-hmac') });
  assert.equal(again.code, 5);
  assert.match(again.stderr, new RegExp(`Already sent with idempotency key ${out.idempotencyKey}`));
  // A fresh machine (empty state folder) finds the key in the broadcast names on the account.
  const fresh = await runCli(args, { env: bed.env('qontak-hmac', { WA_STATE_DIR: path.join(bed.dir, 'fresh-state') }) });
  assert.equal(fresh.code, 5);
  assert.match(fresh.stderr, /found on the account/);
});

test('--to sends through the direct endpoint with the documented body', async () => {
  const r = await runCli(['-y', 'broadcast', 'send', '--template', 'welcome_member', '--language', 'id', '--to', '0812-9999-0000', '--to-name', 'Budi', '--param', '1=full_name'], { env: bed.env('qontak-oauth') });
  assert.equal(r.code, 0, r.stderr);
  const body = JSON.parse(posts('/broadcasts/whatsapp/direct').at(-1)!.body);
  const t = bed.sandbox.state.templates.find((x) => x.name === 'welcome_member' && x.language === 'id')!;
  assert.deepEqual(body, {
    to_name: 'Budi',
    to_number: '6281299990000',
    message_template_id: t.id,
    channel_integration_id: bed.sandbox.state.integrations[0]!.id,
    language: { code: 'id' },
    parameters: { body: [{ key: '1', value_text: 'Budi', value: 'full_name' }] },
  });
  assert.equal(r.stdout.trim(), [...bed.sandbox.state.broadcasts.keys()].at(-1));
});

test('a list send right after another waits out "please wait" and succeeds', async () => {
  const list = [...bed.sandbox.state.contactLists.values()].find((l) => l.outcome === 'success' && l.contacts.length === 2)!;
  const args = (key: string) => ['-y', 'broadcast', 'send', '--template', 'order_update', '--language', 'en', '--list', list.id, '--param', '1=full_name', '--param', '2=order_id', '--idempotency-key', key];
  await new Promise((r) => setTimeout(r, 1600));
  const a = await runCli(args('wait-a'), { env: bed.env('qontak-hmac') });
  assert.equal(a.code, 0, a.stderr);
  const b = await runCli(args('wait-b'), { env: bed.env('qontak-hmac') });
  assert.equal(b.code, 0, b.stderr);
  assert.match(b.stderr, /Please wait a moment to send a new broadcast message\.: waiting \d+ s before trying again/, 'it waited');
  const refusals = bed.sandbox.state.requests.filter((r) => r.path === '/broadcasts/whatsapp' && r.method === 'POST').length;
  assert.ok(refusals >= 3);
});

// No document shows how a schedule is asked for (qontak.md: inferred): the request form is checked here, and what the
// server then holds is read back and decides (broadcast-qontak-truth.test, broadcast-qontak-doubt.test).
test('scheduling: a future time is asked as execute_type specific with send_at in UTC [inferred], read back as scheduled; a past one is a usage error', async () => {
  const list = [...bed.sandbox.state.contactLists.values()].find((l) => l.outcome === 'success' && l.contacts.length === 2)!;
  const base = ['-y', 'broadcast', 'send', '--template', 'order_update', '--language', 'en', '--list', list.id, '--param', '1=full_name', '--param', '2=order_id'];
  const past = await runCli([...base, '--schedule', '2020-01-01T09:00:00+07:00'], { env: bed.env('qontak-hmac') });
  assert.equal(past.code, 2);
  const noZone = await runCli([...base, '--schedule', '2030-01-01T09:00:00'], { env: bed.env('qontak-hmac') });
  assert.equal(noZone.code, 2);
  assert.match(noZone.stderr, /time zone/);
  await new Promise((r) => setTimeout(r, 1600));
  const ok = await runCli([...base, '--schedule', '2030-01-01T09:00:00+07:00', '--idempotency-key', 'sched'], { env: bed.env('qontak-hmac') });
  assert.equal(ok.code, 0, ok.stderr);
  const body = JSON.parse(posts('/broadcasts/whatsapp').at(-1)!.body);
  assert.equal(body.execute_type, 'specific');
  assert.equal(body.send_at, '2030-01-01T02:00:00.000Z', 'the same instant in UTC with Z');
  assert.match(ok.stderr, /scheduled for /, 'reported as scheduled only because the broadcast read back holds it');
});

test('template choice: unknown exits 3, two languages without --language exits 2, not approved exits 1', async () => {
  const env = bed.env('qontak-hmac');
  const base = ['-y', 'broadcast', 'send', '--to', '081234567890', '--dry-run'];
  assert.equal((await runCli([...base, '--template', 'no_such_template'], { env })).code, 3);
  const two = await runCli([...base, '--template', 'order_update'], { env });
  assert.equal(two.code, 2);
  assert.match(two.stderr, /exists in id, en; choose one with --language/);
  const pending = await runCli([...base, '--template', 'campaign_01'], { env });
  assert.equal(pending.code, 1);
  assert.match(pending.stderr, /PENDING, not APPROVED/);
});

test('a literal --param on a --file send becomes a column of the list wa-cli uploads; on a --list send it is refused pointing at --file', async () => {
  const file = csv('promo.csv', 'phone_number,full_name,param_2\r\n0812-7777-0001,Budi,kept\r\n');
  const r = await runCli(['-y', 'broadcast', 'send', '--template', 'promo_nov', '--language', 'id', '--file', file, '--param', '1=full_name', '--param', '2=:20%', '--json'], { env: bed.env('qontak-hmac') });
  assert.equal(r.code, 0, r.stderr);
  // The sheet's own param_2 column is kept; the literal gets the next free name.
  assert.equal(bed.sandbox.state.uploads.at(-1)!.bytes.toString(), 'phone_number,full_name,param_2,param_2_2\r\n6281277770001,Budi,kept,20%\r\n');
  const sent = JSON.parse(posts('/broadcasts/whatsapp').at(-1)!.body) as { parameters: { body: { key: string; value: string }[] } };
  assert.deepEqual(sent.parameters.body, [{ key: '1', value: 'full_name' }, { key: '2', value: 'param_2_2' }]);
  const b = bed.sandbox.state.broadcasts.get(JSON.parse(r.stdout).id)!;
  assert.match(b.render(0), /diskon 20% untuk semua produk/);
  const list = [...bed.sandbox.state.contactLists.values()].at(-1)!;
  const onList = await runCli(['-y', 'broadcast', 'send', '--template', 'promo_nov', '--language', 'id', '--list', list.id, '--param', '1=full_name', '--param', '2=:20%'], { env: bed.env('qontak-hmac') });
  assert.equal(onList.code, 2);
  assert.match(onList.stderr, /--param 2=:…: a Qontak list broadcast takes every value from a list column; .*--file/);
});
