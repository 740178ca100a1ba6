// Konekwa against its documented API only: answers lost after the server queued the message, a crash, a session that
// disconnects, a proxy that drops every answer. The sandbox counts what it accepted per recipient.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { runCli } from '../helpers/cli.js';
import { testBed } from '../helpers/sandbox.js';
import { bin, exactlyOnce, sendArgs, sheet, waitFor } from '../helpers/fanout.js';

const post = { method: 'POST', path: '/v1/messages' };

test('answers lost after the server queued 5 messages, kill -9 mid-way, then the identical command again: everyone exactly once, exit 0', async () => {
  const bed = await testBed({ konekwaRatePerSecond: 1000, konekwaBurst: 1000 });
  try {
    const n = 120;
    bed.sandbox.faults.add({ kind: 'drop-after', match: post, times: 5 });
    const env = bed.env('konekwa', { WA_RECONCILE_SETTLE_MS: '50' });
    const args = sendArgs(sheet(bed, n), ['--rate', '100/s', '--concurrency', '4']);
    const child = spawn(process.execPath, [bin, ...args], { env: { PATH: process.env.PATH ?? '', ...env }, stdio: ['ignore', 'ignore', 'ignore'] });
    const exited = new Promise<string | null>((r) => child.on('exit', (_code, signal) => r(signal)));
    await waitFor(() => bed.sandbox.state.konekwa.order.length >= 40);
    child.kill('SIGKILL');
    assert.equal(await exited, 'SIGKILL');
    assert.equal(bed.sandbox.faults.fired.filter((f) => f.kind === 'drop-after').length, 5, 'five answers were lost');
    assert.ok(bed.sandbox.state.sendsByRecipient.size < n, 'killed before the end');

    // No --resume: the same cron line again.
    const again = await runCli([...args, '--json'], { env });
    assert.equal(again.code, 0, again.stderr);
    assert.match(again.stderr, /unfinished run [\w-]+: continuing it/);
    const out = JSON.parse(again.stdout);
    assert.equal(out.sent, n);
    assert.ok(out.foundOnServer >= 5, `the lost answers were found on the server (${out.foundOnServer})`);
    exactlyOnce(bed, n);
    // Finished: now the same command is a conflict that says what was sent.
    const third = await runCli(args, { env });
    assert.equal(third.code, 5);
    assert.match(third.stderr, new RegExp(`Already sent with idempotency key wa-[0-9a-f]+: run ${out.runId} .*: ${n} sent`));
  } finally {
    await bed.close();
  }
});

test('a proxy that drops every answer: each message is found on the server and sent once; the run says so', async () => {
  const bed = await testBed({ konekwaRatePerSecond: 1000, konekwaBurst: 1000 });
  try {
    const n = 12;
    bed.sandbox.faults.add({ kind: 'drop-after', match: post, times: Infinity });
    const env = bed.env('konekwa', { WA_RECONCILE_SETTLE_MS: '50', WA_HTTP_TIMEOUT_MS: '2000' });
    const r = await runCli([...sendArgs(sheet(bed, n), ['--rate', '50/s']), '--json'], { env });
    assert.equal(r.code, 0, r.stderr);
    const out = JSON.parse(r.stdout);
    assert.deepEqual([out.sent, out.unknown, out.notSent, out.foundOnServer], [n, 0, 0, n]);
    exactlyOnce(bed, n);
  } finally {
    await bed.close();
  }
});

test('the session disconnects mid-run: exit 1, the rest not sent; after it is back, --resume sends exactly the rest', async () => {
  const bed = await testBed({ konekwaRatePerSecond: 1000, konekwaBurst: 1000 });
  try {
    const n = 60;
    const env = { PATH: process.env.PATH ?? '', ...bed.env('konekwa', { WA_RECONCILE_SETTLE_MS: '50' }) };
    const child = spawn(process.execPath, [bin, ...sendArgs(sheet(bed, n), ['--rate', '40/s']), '--json'], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d));
    child.stderr.on('data', (d: Buffer) => (stderr += d));
    const exited = new Promise<number | null>((r) => child.on('exit', (code) => r(code)));
    const session = bed.sandbox.state.konekwa.sessions.find((s) => s.id === 'ses_main01')!;
    await waitFor(() => bed.sandbox.state.konekwa.order.length >= 20);
    session.status = 'DISCONNECTED';
    assert.equal(await exited, 1, stderr);
    assert.match(stderr, /Stopped: .*Session ses_main01 is not connected/);
    assert.match(stderr, /run the same command again \(or `wa-cli broadcast send --resume [\w-]+`\) to send exactly the rest/);
    const out = JSON.parse(stdout);
    const reached = bed.sandbox.state.sendsByRecipient.size;
    assert.equal(out.sent, reached);
    assert.equal(out.failed, 0, 'a disconnected session fails nobody');
    assert.equal(out.notSent + out.unknown, n - reached);

    session.status = 'CONNECTED';
    const r = await runCli(['-y', '--json', 'broadcast', 'send', '--resume', out.runId], { env });
    assert.equal(r.code, 0, r.stderr);
    assert.equal(JSON.parse(r.stdout).sent, n);
    exactlyOnce(bed, n);
    const list = await runCli(['--json', 'broadcast', 'list'], { env });
    const run = JSON.parse(list.stdout).find((x: { id: string }) => x.id === out.runId);
    assert.deepEqual([run.status, run.sent, run.total], ['done', n, n]);
  } finally {
    await bed.close();
  }
});
