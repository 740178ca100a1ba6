// --skip-invalid names every row it leaves out (row, column, value, reason), on stderr and in --json, as opt-outs are:
// rows the sheet check refuses, duplicates, and values the send-time rules refuse. optout import takes it too.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { runCli } from '../helpers/cli.js';
import { sharedTestBed } from '../helpers/sandbox.js';

const bed = sharedTestBed({ listProcessingMs: 20, bulkCooldownMs: 0, konekwaRatePerSecond: 1000, konekwaBurst: 1000 });

const csv = bed.file;

// Row 3: a number that is no number; row 4: a tab in a value; row 5: row 2's number again; row 6: a value with five
// spaces in a row, which the sheet check refuses too.
const SHEET = 'phone_number,full_name,company\r\n0812-0000-0001,Budi,Acme\r\n12345,Sari,Acme\r\n0812-0000-0003,Andi,"Ac\tme"\r\n0812-0000-0001,Budi again,Acme\r\n0812-0000-0005,Dewi,A     B\r\n0812-0000-0006,Rina,Acme\r\n';

type Skipped = { row: number; column: string | null; value: string | null; reason: string };

test('Konekwa: each skipped row is named on stderr and in --json with its column, value and reason', async () => {
  const file = csv('konekwa.csv', SHEET);
  const args = ['-y', 'broadcast', 'send', '--template', 'promo_nov', '--file', file, '--param', 'name=full_name', '--skip-invalid', '--rate', '200/s'];
  const env = bed.env('konekwa', { WA_RECONCILE_SETTLE_MS: '50' });
  const dry = await runCli(['--json', ...args, '--dry-run'], { env });
  assert.equal(dry.code, 0, dry.stderr);
  const skipped = JSON.parse(dry.stdout).skippedRows as Skipped[];
  assert.deepEqual(skipped.map((s) => s.row), [3, 4, 5, 6]);
  const byRow = new Map(skipped.map((s) => [s.row, s]));
  assert.equal(byRow.get(3)!.column, 'phone_number');
  assert.equal(byRow.get(3)!.value, '12345');
  assert.equal(byRow.get(4)!.value, 'Ac\tme');
  assert.match(byRow.get(4)!.reason, /tab/);
  assert.match(byRow.get(5)!.reason, /the same number as row 2/);
  assert.equal(byRow.get(6)!.column, 'company');
  for (const row of [3, 4, 5, 6]) assert.match(dry.stderr, new RegExp(`^warning: skipped row ${row}, column \\w+ = "`, 'm'));
  assert.match(dry.stderr, /skipped row 4, column company = "Ac\\tme": /);
  // The real send reports the same rows in its --json.
  const sent = await runCli(['--json', ...args], { env });
  assert.equal(sent.code, 0, sent.stderr);
  const out = JSON.parse(sent.stdout);
  assert.equal(out.sent, 2);
  assert.deepEqual((out.skippedRows as Skipped[]).map((s) => s.row), [3, 4, 5, 6]);
});

test('Qontak: a value the send-time rules refuse is named by the column it came from', async () => {
  const long = 'x'.repeat(1000);
  const file = csv('qontak.csv', `phone_number,full_name,order_id\r\n081234567890,Budi,${long}\r\n081234567891,Sari,INV-2\r\n`);
  const r = await runCli(['--json', '-y', 'broadcast', 'send', '--template', 'order_update', '--language', 'id', '--file', file, '--param', '1=full_name', '--param', '2=order_id', '--skip-invalid'], { env: bed.env('qontak-hmac') });
  assert.equal(r.code, 0, r.stderr);
  const out = JSON.parse(r.stdout);
  assert.equal(out.recipients, 1);
  assert.deepEqual(out.skippedRows.map((s: Skipped) => [s.row, s.column]), [[2, 'order_id']]);
  assert.equal(out.skippedRows[0].value, long);
  assert.match(out.skippedRows[0].reason, /the message is \d+ characters with its values filled in/);
  assert.match(r.stderr, /^warning: skipped row 2, column order_id = "x{40}…" \(1000 characters\): the message is/m);
});

test('optout import --skip-invalid imports the readable numbers and names each row it leaves out; without it nothing is imported', async () => {
  const env = bed.env('qontak-hmac', { WA_STATE_DIR: path.join(bed.dir, 'optout-state') });
  const file = csv('unsub.csv', 'phone_number,reason\r\n0812-5555-0001,STOP\r\nabc,typo\r\n0812-5555-0003,\r\n');
  const refused = await runCli(['optout', 'import', file], { env });
  assert.equal(refused.code, 2, refused.stderr);
  assert.match(refused.stderr, /row 3 column A \(phone_number\): .*nothing was imported \(--skip-invalid imports the other rows\)/);
  assert.equal(JSON.parse((await runCli(['--json', 'optout', 'list'], { env })).stdout).entries.length, 0);
  const r = await runCli(['--json', 'optout', 'import', file, '--skip-invalid'], { env });
  assert.equal(r.code, 0, r.stderr);
  const out = JSON.parse(r.stdout);
  assert.deepEqual([out.read, out.added.length], [2, 2]);
  assert.deepEqual(out.skippedRows.map((s: Skipped) => [s.row, s.column, s.value]), [[3, 'A (phone_number)', 'abc']]);
  assert.match(r.stderr, /^warning: skipped row 3, column A \(phone_number\) = "abc": /m);
});
