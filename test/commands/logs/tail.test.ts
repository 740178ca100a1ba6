import { test } from 'node:test';
import assert from 'node:assert/strict';
import { runCli } from '../../helpers/cli.js';
import { sharedTestBed } from '../../helpers/sandbox.js';

const bed = sharedTestBed({ speed: 4 });

test('logs tail --follow --until-done prints each transition once and stops by itself; --fail-on-failed exits 1', async () => {
  // Starts a little later, so a slow start of the CLI on a loaded machine still sees entries move.
  const b = bed.sandbox.state.seedBroadcast({ recipients: 60, startAtMs: Date.now() + 2000 });
  const r = await runCli(['--json', 'logs', 'tail', b.id, '--follow', '--until-done', '--interval', '1s', '--fail-on-failed'], { env: bed.env('qontak-hmac') });
  const events = r.stdout.trim().split('\n').map((l) => JSON.parse(l));
  const summary = events.pop();
  assert.equal(summary.event, 'summary');
  const seen = new Set<string>();
  for (const e of events) {
    const key = `${e.id}:${e.event === 'new' ? 'new' : `${e.from}>${e.status}`}`;
    assert.ok(!seen.has(key), `reported twice: ${key}`);
    seen.add(key);
  }
  assert.equal(events.filter((e) => e.event === 'new').length, 60, 'each entry appears once');
  assert.ok(events.some((e) => e.event === 'change'), 'transitions were followed');
  assert.equal(summary.counts.pending, 0);
  const failed = summary.counts.failed as number;
  assert.equal(r.code, failed > 0 ? 1 : 0);
  const again = await runCli(['logs', 'tail', b.id, '--follow', '--until-done', '--interval', '1s'], { env: bed.env('qontak-hmac') });
  assert.equal(again.code, 0, 'without --fail-on-failed, failures do not fail the command');
  if (failed > 0) assert.match(again.stderr, /failure reasons:\n\s+\d+\s+\S/);
});

test('logs tail --status filters; an unknown status is a usage error', async () => {
  const b = bed.sandbox.state.seedBroadcast({ recipients: 200, startAtMs: Date.now() - 3_600_000 });
  const r = await runCli(['logs', 'tail', b.id, '--status', 'failed'], { env: bed.env('qontak-hmac') });
  assert.equal(r.code, 0);
  const lines = r.stdout.trim().split('\n');
  assert.ok(lines.length > 0 && lines.length < 200);
  assert.ok(lines.every((l) => l.split('\t')[3] === 'failed'));
  assert.ok(lines.every((l) => l.split('\t')[4]!.length > 0), 'failed entries carry their reason');
  assert.equal((await runCli(['logs', 'tail', b.id, '--status', 'bogus'], { env: bed.env('qontak-hmac') })).code, 2);
});

test('logs export writes every entry across pages; broadcast status groups failure reasons', async () => {
  const b = bed.sandbox.state.seedBroadcast({ recipients: 250, startAtMs: Date.now() - 3_600_000 });
  const out = `${bed.dir}/export.csv`;
  const r = await runCli(['logs', 'export', b.id, '--out', out], { env: bed.env('qontak-hmac') });
  assert.equal(r.code, 0, r.stderr);
  const { readFileSync } = await import('node:fs');
  assert.equal(readFileSync(out, 'utf8').trim().split('\r\n').length, 251);
  const s = await runCli(['broadcast', 'status', b.id, '--json'], { env: bed.env('qontak-hmac') });
  const st = JSON.parse(s.stdout);
  assert.equal(st.status, 'done');
  const total = Object.values(st.counts as Record<string, number>).reduce((a, c) => a + c, 0);
  assert.equal(total, 250);
  assert.equal(st.failureReasons.reduce((a: number, f: { count: number }) => a + f.count, 0), st.counts.failed);
});

test('logs of an unknown broadcast exit 3', async () => {
  const r = await runCli(['logs', 'tail', 'nope'], { env: bed.env('qontak-hmac') });
  assert.equal(r.code, 3);
});

test('logs export carries sent, delivered and read times from the log entries', async () => {
  const b = bed.sandbox.state.seedBroadcast({ recipients: 30, startAtMs: Date.now() - 3_600_000 });
  const out = `${bed.dir}/times.csv`;
  const r = await runCli(['logs', 'export', b.id, '--out', out], { env: bed.env('qontak-hmac') });
  assert.equal(r.code, 0, r.stderr);
  const { readFileSync } = await import('node:fs');
  const rows = readFileSync(out, 'utf8').trim().split('\r\n').slice(1).map((l) => l.split(','));
  const read = rows.filter((c) => c[2] === 'read');
  assert.ok(read.length > 0);
  for (const c of read) {
    assert.match(c[6]!, /^\d{4}-\d\d-\d\dT/, 'sent_at');
    assert.match(c[7]!, /^\d{4}-\d\d-\d\dT/, 'delivered_at');
    assert.match(c[8]!, /^\d{4}-\d\d-\d\dT/, 'read_at');
    assert.ok(c[6]! <= c[7]! && c[7]! <= c[8]!);
  }
});

test('logs tail shows times in the zone TZ names with the offset, and --json carries ISO 8601 with that offset', async () => {
  const b = bed.sandbox.state.seedBroadcast({ recipients: 3, startAtMs: Date.now() - 3_600_000 });
  const text = await runCli(['logs', 'tail', b.id], { env: bed.env('qontak-hmac', { TZ: 'Asia/Jakarta' }) });
  assert.equal(text.code, 0, text.stderr);
  const lines = text.stdout.trim().split('\n');
  assert.ok(lines.length > 0);
  for (const l of lines) assert.match(l.split('\t')[0]!, /^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2} \+07:00$/);
  const json = await runCli(['--json', 'logs', 'tail', b.id], { env: bed.env('qontak-hmac', { TZ: 'Asia/Jakarta' }) });
  for (const e of json.stdout.trim().split('\n').map((l) => JSON.parse(l))) {
    assert.match(e.createdAt, /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\+07:00$/);
  }
});

test('--help shows duration defaults as typed (10m, 5s), never milliseconds', async () => {
  const upload = await runCli(['contacts', 'upload', '--help']);
  assert.match(upload.stdout, /--timeout <duration>.*\(default: 10m\)/s);
  assert.doesNotMatch(upload.stdout, /600000/);
  const tail = await runCli(['logs', 'tail', '--help']);
  assert.match(tail.stdout, /\(default: 5s\)/);
  assert.match(tail.stdout.replace(/\s+/g, ' '), /a bare number is seconds/);
});

test('--interval 0 is refused before any request; at --interval 1s a follow asks for the log at most 10 times in 4 s', async () => {
  const b = bed.sandbox.state.seedBroadcast({ recipients: 5, startAtMs: Date.now() + 3_600_000 });
  const logRequests = () => bed.sandbox.state.requests.filter((r) => r.method === 'GET' && r.path.includes(`/broadcasts/${b.id}/whatsapp/log`)).length;
  for (const interval of ['0', '0s', '500ms']) {
    const r = await runCli(['logs', 'tail', b.id, '--follow', '--interval', interval], { env: bed.env('qontak-hmac') });
    assert.equal(r.code, 2, r.stderr);
    assert.match(r.stderr, /--interval is at least 1s/);
  }
  assert.equal(logRequests(), 0);
  const help = await runCli(['logs', 'tail', '--help']);
  assert.match(help.stdout.replace(/\s+/g, ' '), /at least 1s/);
  // Nothing changes while it is followed (every entry pending for an hour yet), for four seconds.
  const ac = new AbortController();
  const stop = setTimeout(() => ac.abort(), 4000);
  const r = await runCli(['logs', 'tail', b.id, '--follow', '--interval', '1s'], { env: bed.env('qontak-hmac'), signal: ac.signal });
  clearTimeout(stop);
  assert.equal(r.code, 130, r.stderr);
  assert.ok(logRequests() >= 2 && logRequests() <= 10, `${logRequests()} log requests in 4 s`);
  assert.match(r.stderr, new RegExp(`Stopped following ${b.id}: nothing was changed`));
});
