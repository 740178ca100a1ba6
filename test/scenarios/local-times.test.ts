// One time format everywhere: with TZ=Asia/Jakarta no output (status, list, export, opt-outs, error messages) carries a
// UTC "…Z" time, and one broadcast's createdAt is the same string in send, status and list.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { runCli } from '../helpers/cli.js';
import { sharedTestBed } from '../helpers/sandbox.js';
import { sendArgs, sheet } from '../helpers/fanout.js';

const bed = sharedTestBed({ listProcessingMs: 20, bulkCooldownMs: 0, konekwaRatePerSecond: 1000, konekwaBurst: 1000 });

const UTC_Z = /\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?Z\b/;
const JAKARTA = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+07:00$/;
const env = (flavour: 'qontak-hmac' | 'konekwa') => bed.env(flavour, { TZ: 'Asia/Jakarta', WA_RECONCILE_SETTLE_MS: '50' });

function noUtc(what: string, text: string): void {
  const m = UTC_Z.exec(text);
  assert.equal(m, null, `${what} shows a UTC time (${m?.[0]}):\n${text}`);
}

test('Qontak: createdAt is one string in send, status and list; no UTC time in their text, the export or the refusal of a repeat', async () => {
  const file = path.join(bed.dir, 'orders.csv');
  writeFileSync(file, 'phone_number,full_name,order_id\r\n0812-3456-7890,Budi,INV-1\r\n0857-1234-5678,Sari,INV-2\r\n');
  const send = ['-y', 'broadcast', 'send', '--template', 'order_update', '--language', 'id', '--file', file, '--param', '1=full_name', '--param', '2=order_id'];
  const sent = await runCli(['--json', ...send], { env: env('qontak-hmac') });
  assert.equal(sent.code, 0, sent.stderr);
  const { id, createdAt } = JSON.parse(sent.stdout) as { id: string; createdAt: string };
  assert.match(createdAt, JAKARTA);
  const status = JSON.parse((await runCli(['--json', 'broadcast', 'status', id], { env: env('qontak-hmac') })).stdout);
  assert.equal(status.createdAt, createdAt);
  const listed = (JSON.parse((await runCli(['--json', 'broadcast', 'list'], { env: env('qontak-hmac') })).stdout) as { id: string; createdAt: string }[]).find((b) => b.id === id);
  assert.equal(listed?.createdAt, createdAt);

  const text = await runCli(['broadcast', 'status', id], { env: env('qontak-hmac') });
  assert.match(text.stdout, /created \d{4}-\d\d-\d\d \d\d:\d\d:\d\d \+07:00/);
  noUtc('broadcast status', text.stdout);
  const tsv = await runCli(['broadcast', 'list'], { env: env('qontak-hmac') });
  noUtc('broadcast list (TSV)', tsv.stdout);
  assert.ok(tsv.stdout.split('\n').some((l) => l.startsWith(`${id}\t`) && / \+07:00$/.test(l)), tsv.stdout);
  const table = await runCli(['broadcast', 'list'], { env: env('qontak-hmac'), tty: true, init: { columns: 200 } });
  noUtc('broadcast list (table)', table.stdout);

  const out = path.join(bed.dir, 'log.csv');
  const seeded = bed.sandbox.state.seedBroadcast({ recipients: 5, startAtMs: Date.now() - 3_600_000 });
  const exported = await runCli(['logs', 'export', seeded.id, '--out', out], { env: env('qontak-hmac') });
  assert.equal(exported.code, 0, exported.stderr);
  const csv = readFileSync(out, 'utf8');
  noUtc('logs export', csv);
  assert.match(csv, /\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+07:00/);

  // The same send again: refused, and the time it names is local too.
  const again = await runCli(send, { env: env('qontak-hmac') });
  assert.equal(again.code, 5, again.stderr);
  assert.match(again.stderr, /Already sent/);
  noUtc('the refusal of a repeated send', again.stderr);
  assert.match(again.stderr, /\d{4}-\d\d-\d\d \d\d:\d\d:\d\d \+07:00/);
});

test('Konekwa: a run\'s createdAt is one string in send, status and list; its list line is local', async () => {
  const sent = await runCli([...sendArgs(sheet(bed, 3, '0817'), ['--rate', '200/s']), '--json'], { env: env('konekwa') });
  assert.equal(sent.code, 0, sent.stderr);
  const { id: runId, createdAt } = JSON.parse(sent.stdout) as { id: string; createdAt: string };
  assert.match(createdAt, JAKARTA);
  const status = JSON.parse((await runCli(['--json', 'broadcast', 'status', runId], { env: env('konekwa') })).stdout);
  assert.equal(status.createdAt, createdAt);
  const listed = (JSON.parse((await runCli(['--json', 'broadcast', 'list'], { env: env('konekwa') })).stdout) as { id: string; createdAt: string }[]).find((r) => r.id === runId);
  assert.equal(listed?.createdAt, createdAt);
  const tsv = await runCli(['broadcast', 'list'], { env: env('konekwa') });
  noUtc('broadcast list of runs', tsv.stdout);

  // --since DATE is midnight of that day where the user is: a zone is chosen in which the run's local day is not its
  // UTC day (the hour after local midnight east of UTC, the hour before it west), so reading DATE as UTC would fail.
  const at = Date.parse(createdAt);
  const hour = new Date(at).getUTCHours();
  const offset = hour >= 10 ? 24 - hour : -1 - hour;
  const zone = offset === 0 ? 'Etc/GMT' : `Etc/GMT${offset > 0 ? '-' : '+'}${Math.abs(offset)}`;
  const day = new Intl.DateTimeFormat('en-CA', { timeZone: zone }).format(new Date(at));
  assert.notEqual(day, new Date(at).toISOString().slice(0, 10));
  const nextDay = new Date(Date.parse(`${day}T00:00:00Z`) + 86_400_000).toISOString().slice(0, 10);
  const since = async (date: string) =>
    (JSON.parse((await runCli(['--json', 'broadcast', 'list', '--since', date], { env: bed.env('konekwa', { TZ: zone }) })).stdout) as { id: string }[]).map((r) => r.id);
  assert.ok((await since(day)).includes(runId), `--since ${day} in ${zone} leaves out the run of ${createdAt}`);
  assert.ok(!(await since(nextDay)).includes(runId), `--since ${nextDay} in ${zone} lists the run of ${createdAt}`);
  const bad = await runCli(['broadcast', 'list', '--since', '2026-02-30'], { env: env('konekwa') });
  assert.equal(bad.code, 2);
  assert.match(bad.stderr, /--since "2026-02-30" is not a date/);
  const again = await runCli(sendArgs(sheet(bed, 3, '0817')), { env: env('konekwa') });
  assert.equal(again.code, 5, again.stderr);
  noUtc('the refusal of a finished run', again.stderr);
});

test('optout list, its JSON and its export are local', async () => {
  assert.equal((await runCli(['optout', 'add', '0812-1111-2222', '--reason', 'asked'], { env: env('qontak-hmac') })).code, 0);
  const list = await runCli(['optout', 'list'], { env: env('qontak-hmac') });
  noUtc('optout list', list.stdout + list.stderr);
  assert.match(list.stdout, /^6281211112222\t\d{4}-\d\d-\d\d \d\d:\d\d:\d\d \+07:00\tmanual\tasked$/m);
  const json = JSON.parse((await runCli(['--json', 'optout', 'list'], { env: env('qontak-hmac') })).stdout) as { entries: { at: string }[] };
  assert.ok(json.entries.every((e) => JAKARTA.test(e.at)), JSON.stringify(json));
  const exported = await runCli(['optout', 'export'], { env: env('qontak-hmac') });
  noUtc('optout export', exported.stdout);
  assert.match(exported.stdout, /6281211112222,\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+07:00,asked,manual/);
});
