// One story per Konekwa run: `broadcast status`, `broadcast list`, `logs tail`, `logs export` and the message of the
// re-run give the same counts (sent, failed, unknown, not sent), the same status word and the same times. Statuses no
// document shows are shown as they came and counted unknown; `logs tail --until-done` ends when the journal settles,
// and on a run nobody is sending.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, utimesSync } from 'node:fs';
import path from 'node:path';
import { runCli } from '../helpers/cli.js';
import { testBed } from '../helpers/sandbox.js';
import { onlyRun, sendArgs, sheet, waitFor } from '../helpers/fanout.js';

const COUNTS = /(\d+) sent, (\d+) failed, (\d+) unknown, (\d+) not sent, of (\d+)/;
const countsIn = (text: string, where: string): string => {
  const m = COUNTS.exec(text);
  assert.ok(m, `${where}: no counts in ${text}`);
  return m[0];
};

test('status, list, tail, export and the re-run message tell one unfinished run alike: counts, status word, times; no delivery rate', async () => {
  const bed = await testBed({ konekwaRatePerSecond: 1000, konekwaBurst: 1000 });
  try {
    const n = 20;
    const env = bed.env('konekwa', { TZ: 'Asia/Jakarta' });
    const args = sendArgs(sheet(bed, n), ['--rate', '20/s', '--settle', '30s']);
    // One answer lost after queueing (unknown for its window), then the session disconnects (the rest not sent).
    bed.sandbox.faults.add({ kind: 'drop-after', match: { method: 'POST', path: '/v1/messages' }, times: 1 });
    const running = runCli(args, { env });
    await waitFor(() => bed.sandbox.state.konekwa.order.length >= 8);
    bed.sandbox.state.konekwa.sessions.find((s) => s.id === 'ses_main01')!.status = 'DISCONNECTED';
    const first = await running;
    assert.equal(first.code, 1, first.stderr);
    const runId = path.basename(onlyRun(bed));
    const sent = { sent: bed.sandbox.state.sendsByRecipient.size - 1 };
    const story = countsIn(first.stderr.slice(first.stderr.indexOf(`Run ${runId} (`)), 'the send');
    assert.equal(story, `${sent.sent} sent, 0 failed, 1 unknown, ${n - sent.sent - 1} not sent, of ${n}`);
    assert.match(first.stderr, new RegExp(`Run ${runId} \\(unfinished\\): ${story}`));
    assert.match(first.stderr, new RegExp(`${n - sent.sent - 1} recipient\\(s\\) were not sent and 1 stays? unknown`));
    await waitFor(() => false, bed.sandbox.limits.konekwaListLagMs + 400);

    const status = await runCli(['broadcast', 'status', runId], { env });
    assert.equal(status.code, 1, 'an unfinished run is exit 1');
    assert.equal(countsIn(status.stdout, 'status'), story);
    assert.match(status.stdout, new RegExp(`^run ${runId} \\(unfinished\\)`));
    assert.match(status.stdout, /created \d{4}-\d\d-\d\d \d\d:\d\d:\d\d \+07:00/);
    assert.match(status.stdout, new RegExp(`on the server: ${sent.sent} SENT, 0 QUEUED`));
    assert.doesNotMatch(status.stdout, /delivery rate|read rate/);
    const statusJson = JSON.parse((await runCli(['--json', 'broadcast', 'status', runId], { env })).stdout);

    const list = JSON.parse((await runCli(['--json', 'broadcast', 'list'], { env })).stdout).find((r: { id: string }) => r.id === runId);
    const listText = (await runCli(['broadcast', 'list'], { env })).stdout.split('\n').find((l) => l.startsWith(runId))!;

    const tail = await runCli(['logs', 'tail', runId], { env });
    assert.equal(tail.code, 0, tail.stderr);
    assert.equal(countsIn(tail.stderr, 'tail'), story);
    const words = tail.stdout.split('\n').filter(Boolean).map((l) => l.split('\t')[3]!);
    const tally = (w: string[]) => `${w.filter((x) => x.startsWith('sent')).length} sent, ${w.filter((x) => x === 'failed').length} failed, ${w.filter((x) => x === 'unknown').length} unknown, ${w.filter((x) => x === 'not sent').length} not sent, of ${w.length}`;
    assert.equal(tally(words), story, 'the lines of the tail add up to its counts');

    const out = path.join(bed.dir, 'log.csv');
    const exported = await runCli(['logs', 'export', runId, '--out', out], { env });
    assert.equal(exported.code, 0, exported.stderr);
    assert.equal(countsIn(exported.stderr, 'export'), story);
    const rows = readFileSync(out, 'utf8').replace(/^\uFEFF/, '').trim().split('\r\n').slice(1).map((l) => l.split(',')[2]!);
    assert.equal(tally(rows.map((w) => w.replace(/ \(.*\)$/, ''))), story, 'the rows of the export add up to the same counts');

    // Reconnected, the same command continues the run (the one in doubt is listed by now: found, not sent again).
    bed.sandbox.state.konekwa.sessions.find((s) => s.id === 'ses_main01')!.status = 'CONNECTED';
    const rerun = await runCli(args, { env });
    assert.equal(rerun.code, 0, rerun.stderr);
    assert.equal(countsIn(rerun.stderr, 're-run'), story, 'the re-run says the same before it does anything');
    assert.match(rerun.stderr, new RegExp(`unfinished run ${runId} \\(${story}\\): continuing it`));

    // Status word, counts and creation time: the same everywhere, as JSON too.
    const fields = (o: Record<string, unknown>) => [o.status, o.sent, o.failed, o.unknown, o.notSent, o.total, o.createdAt];
    assert.deepEqual(fields(statusJson), fields(list));
    assert.deepEqual(fields(statusJson).slice(0, 6), ['unfinished', sent.sent, 0, 1, n - sent.sent - 1, n]);
    assert.match(String(statusJson.createdAt), /\+07:00$/, 'a real time, in the reader\'s zone');
    assert.match(listText, new RegExp(`\\tunfinished\\t${sent.sent}\\t0\\t1\\t${n - sent.sent - 1}\\t${n}\\t\\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d:\\d\\d \\+07:00$`));
  } finally {
    await bed.close();
  }
});

test('a status no document shows is shown as it came and counted unknown; tail --until-done ends once the journal is settled', async () => {
  const bed = await testBed({ konekwaRatePerSecond: 1000, konekwaBurst: 1000, konekwaListLagMs: 500 });
  try {
    const n = 6;
    const env = bed.env('konekwa');
    bed.sandbox.state.konekwaStatusAfterSent = 'DELIVERED';
    const sent = await runCli([...sendArgs(sheet(bed, n), ['--rate', '50/s']), '--json'], { env });
    assert.equal(sent.code, 0, sent.stderr);
    const runId = JSON.parse(sent.stdout).id as string;
    await waitFor(() => false, 1200);
    const tail = await runCli(['logs', 'tail', runId, '--follow', '--until-done', '--interval', '1'], { env });
    assert.equal(tail.code, 0, tail.stderr);
    assert.equal(tail.stdout.split('\n').filter((l) => l.includes('\tsent (DELIVERED)')).length, n, tail.stdout);
    assert.match(tail.stderr, new RegExp(`run ${runId} \\(done\\): ${n} sent, 0 failed, 0 unknown, 0 not sent, of ${n}`));
    assert.match(tail.stderr, new RegExp(`on the server: 0 SENT, 0 QUEUED, ${n} DELIVERED \\(${n} with a status no document shows: counted as unknown\\)`));
    const st = JSON.parse((await runCli(['--json', 'broadcast', 'status', runId], { env })).stdout);
    assert.deepEqual([st.onServer.unknown, st.onServer.statuses], [n, [{ status: 'DELIVERED', count: n }]]);
  } finally {
    await bed.close();
  }
});

test('tail --until-done on an unfinished run nobody is sending (its journal untouched for 10 min) ends with exit 1 and the way to continue', async () => {
  const bed = await testBed({ konekwaRatePerSecond: 1000, konekwaBurst: 1000 });
  try {
    const n = 12;
    const env = bed.env('konekwa');
    const running = runCli(sendArgs(sheet(bed, n), ['--rate', '20/s']), { env });
    await waitFor(() => bed.sandbox.state.konekwa.order.length >= 4);
    bed.sandbox.state.konekwa.sessions.find((s) => s.id === 'ses_main01')!.status = 'DISCONNECTED';
    assert.equal((await running).code, 1);
    const dir = onlyRun(bed);
    const old = new Date(Date.now() - 11 * 60_000);
    for (const f of ['journal.jsonl', 'plan.jsonl', '.']) utimesSync(path.join(dir, f), old, old);
    const tail = await runCli(['logs', 'tail', path.basename(dir), '--until-done', '--interval', '1'], { env });
    assert.equal(tail.code, 1, tail.stderr);
    assert.match(tail.stderr, /Run [\w-]+ is unfinished \(\d+ sent, 0 failed, 0 unknown, \d+ not sent, of 12\) and nothing has written its journal for 11 min: nobody is sending it\. Continue it with `wa-cli broadcast send --resume [\w-]+`/);
  } finally {
    await bed.close();
  }
});
