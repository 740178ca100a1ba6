// broadcast send through Qontak tells the truth: a media header or URL button without its value is refused before
// any paid call; rows the server dropped stop the send; a schedule the server does not hold is a failure.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { runCli } from '../helpers/cli.js';
import { sharedTestBed } from '../helpers/sandbox.js';
import { logEntry } from '../../src/sandbox/delivery.js';

const bed = sharedTestBed({ listProcessingMs: 100, bulkCooldownMs: 0 });

const posts = bed.posts;
const csv = bed.file;

test('a media-header template: refused without --media (dry run too, no send request), delivered with a local file uploaded first', async () => {
  const env = bed.env('qontak-hmac');
  const base = ['-y', 'broadcast', 'send', '--template', 'promo_image', '--to', '0812-3456-0001', '--to-name', 'Budi', '--param', '1=full_name'];
  const sendsBefore = posts('/broadcasts/whatsapp/direct').length;
  for (const extra of [['--dry-run'], []]) {
    const r = await runCli([...base, ...extra], { env });
    assert.equal(r.code, 2, r.stderr);
    assert.match(r.stderr, /Template "promo_image" has an IMAGE header: pass --media URL\|FILE/);
  }
  assert.equal(posts('/broadcasts/whatsapp/direct').length, sendsBefore, 'no send request was made');

  const image = csv('promo.png', '\u0089PNG\r\n');
  const r = await runCli([...base, '--media', image, '--json'], { env });
  assert.equal(r.code, 0, r.stderr);
  assert.equal(bed.sandbox.state.uploads.at(-1)!.name, 'file_uploader', 'the local file went up first');
  const body = JSON.parse(posts('/broadcasts/whatsapp/direct').at(-1)!.body);
  assert.equal(body.parameters.header.format, 'IMAGE');
  assert.match(body.parameters.header.params[0].value, /^https:\/\/cdn\.qontak\.com\//);
  const b = bed.sandbox.state.broadcasts.get(JSON.parse(r.stdout).id)!;
  const entry = logEntry(b, 0, Date.now() + 60_000, 1) as { whatsapp_error_message?: string | null };
  assert.notEqual(entry.whatsapp_error_message, 'header: Format mismatch, expected a media parameter');
});

test('a dynamic URL button without --button is refused naming the flag; with a column it goes in the documented shape', async () => {
  const env = bed.env('qontak-hmac');
  const file = csv('track.csv', 'phone_number,full_name,resi\n081234560011,Budi,JNE123\n081234560012,Sari,JNE456\n');
  const base = ['-y', 'broadcast', 'send', '--template', 'track_order', '--file', file, '--param', '1=full_name'];
  const bare = await runCli(base, { env });
  assert.equal(bare.code, 2);
  assert.match(bare.stderr, /dynamic URL button 0: pass --button 0=COLUMN or 0=:text/);
  const wrong = await runCli([...base, '--button', '0=nope'], { env });
  assert.equal(wrong.code, 2);
  assert.match(wrong.stderr, /--button 0=nope: no such column; the columns are full_name, phone_number, resi/);
  const ok = await runCli([...base, '--button', '0=resi'], { env });
  assert.equal(ok.code, 0, ok.stderr);
  assert.deepEqual(JSON.parse(posts('/broadcasts/whatsapp').at(-1)!.body).parameters.buttons, [{ index: '0', type: 'url', value: 'resi' }]);
});

test('rows the server dropped after the upload stop the send (nothing broadcast); --skip-invalid sends and reports 2 of 3', async () => {
  const env = bed.env('qontak-hmac');
  bed.sandbox.state.qontakRejectsNumbers.add('6281234560023');
  const file = csv('three.csv', 'phone_number,full_name,order_id\n081234560021,Budi,A-1\n081234560022,Sari,A-2\n081234560023,Tono,A-3\n');
  const base = ['-y', 'broadcast', 'send', '--template', 'order_update', '--language', 'id', '--file', file, '--param', '1=full_name', '--param', '2=order_id'];
  const bulkBefore = posts('/broadcasts/whatsapp').length;
  const r = await runCli(base, { env });
  assert.equal(r.code, 1);
  assert.match(r.stderr, /Qontak kept 2 of 3 rows .* rejected 1: row 4: phone_number is not registered on WhatsApp/);
  assert.equal(posts('/broadcasts/whatsapp').length, bulkBefore, 'no broadcast was created');
  // The key was not used up by a send that never happened.
  const skip = await runCli([...base, '--skip-invalid', '--json'], { env });
  assert.equal(skip.code, 0, skip.stderr);
  assert.equal(JSON.parse(skip.stdout).recipients, 2, 'the count the server kept, not the rows sent up');
});

test('a schedule the server holds differently is reported as a failure with what it holds, never as scheduled', async () => {
  const env = bed.env('qontak-hmac');
  const list = [...bed.sandbox.state.contactLists.values()].find((l) => l.outcome === 'success' && l.variables.includes('order_id'))!;
  const base = ['-y', 'broadcast', 'send', '--template', 'order_update', '--language', 'en', '--list', list.id, '--param', '1=full_name', '--param', '2=order_id'];
  const good = await runCli([...base, '--schedule', '2030-01-01T09:00:00+07:00', '--idempotency-key', 'sched-ok', '--json'], { env: { ...env, TZ: 'Asia/Jakarta' } });
  assert.equal(good.code, 0, good.stderr);
  assert.deepEqual(JSON.parse(good.stdout).schedule, { state: 'scheduled', sendAt: '2030-01-01T09:00:00+07:00', asked: '2030-01-01T09:00:00+07:00' });
  // A server that misreads the time and sends at once.
  const broadcasts = bed.sandbox.state.broadcasts;
  const set = broadcasts.set.bind(broadcasts);
  broadcasts.set = (id, b) => set(id, { ...b, executeType: 'immediately' });
  try {
    const bad = await runCli([...base, '--schedule', '2030-01-02T09:00:00+07:00', '--idempotency-key', 'sched-bad'], { env });
    assert.equal(bad.code, 1);
    assert.match(bad.stderr, /was asked for 2030-01-02T02:00:00.000Z but the server holds execute_type immediately/);
    assert.doesNotMatch(bad.stderr, /scheduled for/);
  } finally {
    broadcasts.set = set;
  }
});
