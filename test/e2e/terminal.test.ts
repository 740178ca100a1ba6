// The binary on a real pseudo-terminal: Ctrl-C while the server processes an upload, a 0×0 terminal (what `script -qc`
// and some CI runners give a job), SIGTERM and a closed terminal during a follow. Each bound is a deadline after which
// the process is killed and the test fails, never a measured duration.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { sharedTestBed, testBed } from '../helpers/sandbox.js';
import { bin, sheet } from '../helpers/fanout.js';
import { beforeDeadline, goneBefore, runInPty, type PtyRun } from '../helpers/pty.js';

// Processing takes a minute: a command still waiting when it is stopped is waiting on the server, not finishing.
const bed = sharedTestBed({ listProcessingMs: 60_000, konekwaRatePerSecond: 100, konekwaBurst: 100 });

/** Kills what is left of a run (by its own pids) so a failed test leaves nothing behind. */
async function cleanUp(run: PtyRun): Promise<void> {
  const pid = run.knownPid();
  try {
    if (pid !== undefined) process.kill(pid, 'SIGKILL');
  } catch {
    // Already gone.
  }
  if (run.script.exitCode === null) run.script.kill('SIGKILL');
}

function csv(name: string): string {
  const file = path.join(bed.dir, name);
  writeFileSync(file, 'phone_number,full_name\r\n0812-3456-7890,Budi\r\n0813-1111-2222,Sari\r\n');
  return file;
}

test('Ctrl-C while the server processes an upload: exit 130 within 5 s, one line naming the uploaded list', async () => {
  const run = runInPty(['contacts', 'upload', csv('ctrl-c.csv'), '--name', 'ctrl-c'], { env: bed.env('qontak-hmac'), size: { rows: 24, columns: 80 } });
  try {
    // The spinner is up on a sized terminal, and the upload is done: only the server's processing is awaited.
    await run.waitFor(/Processing "ctrl-c" \(/);
    run.type('\x03');
    assert.ok(await beforeDeadline(run.exited, 5000), `still running 5 s after Ctrl-C:\n${run.output().slice(-1500)}`);
    assert.equal(await run.exited, 130, run.output());
    const id = [...bed.sandbox.state.contactLists.values()].find((l) => l.name === 'ctrl-c')?.id;
    assert.ok(id, 'the list was uploaded');
    assert.match(run.output(), new RegExp(`Stopped waiting: "ctrl-c" was uploaded as list ${id} and the server goes on processing it; check it with \`wa-cli contacts show ${id}\``));
    // Once stopped, nothing more is drawn: the stop line is the last thing on the terminal.
    assert.match(run.output(), /contacts show [0-9a-f-]+`\.\s*$/);
  } finally {
    await cleanUp(run);
  }
});

test('on a 0×0 terminal a Konekwa send finishes within 30 s and prints under 100 KB, with no spinner', async () => {
  const run = runInPty(['-y', 'broadcast', 'send', '--template', 'promo_nov', '--file', sheet(bed, 5, '0815'), '--param', 'name=full_name', '--rate', '10/s'], {
    env: bed.env('konekwa', { WA_RECONCILE_SETTLE_MS: '50' }),
  });
  try {
    assert.ok(await beforeDeadline(run.exited, 30_000), `still running after 30 s (${run.bytes()} bytes written)`);
    assert.equal(await run.exited, 0, run.output().slice(-3000));
    assert.ok(run.bytes() < 100 * 1024, `${run.bytes()} bytes written`);
    assert.doesNotMatch(run.output(), /\u001b\[(?:\d+[AGK]|K)/, 'no cursor movement on a terminal without a size');
    assert.match(run.output(), /5 sent, 0 failed/);
  } finally {
    await cleanUp(run);
  }
});

test('on a 0×0 terminal contacts upload waits for the server and prints under 100 KB', async () => {
  const quick = await testBed({ listProcessingMs: 1500 });
  const file = path.join(quick.dir, 'zero.csv');
  writeFileSync(file, 'phone_number,full_name\r\n0812-3456-7890,Budi\r\n');
  const run = runInPty(['contacts', 'upload', file, '--name', 'zero'], { env: quick.env('qontak-hmac') });
  try {
    assert.ok(await beforeDeadline(run.exited, 30_000), `still running after 30 s (${run.bytes()} bytes written)`);
    assert.equal(await run.exited, 0, run.output().slice(-3000));
    assert.ok(run.bytes() < 100 * 1024, `${run.bytes()} bytes written`);
    assert.doesNotMatch(run.output(), /\u001b\[\d*[AK]/);
  } finally {
    await cleanUp(run);
    await quick.close();
  }
});

test('SIGTERM ends a follow within a second: exit 143, the summary printed', async () => {
  const b = bed.sandbox.state.seedBroadcast({ recipients: 20, startAtMs: Date.now() + 3_600_000 });
  const child = spawn(process.execPath, [bin, 'logs', 'tail', b.id, '--follow'], { env: { PATH: process.env.PATH ?? '', ...bed.env('qontak-hmac') }, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  const exited = new Promise<number | null>((r) => child.on('close', (code) => r(code)));
  try {
    await new Promise<void>((resolve, reject) => {
      child.stdout.on('data', (d: Buffer) => {
        out += d;
        if (out.split('\n').length > 20) resolve();
      });
      child.stderr.on('data', (d: Buffer) => (err += d));
      void exited.then(() => reject(new Error(`the follow ended by itself: ${err}`)));
    });
    child.kill('SIGTERM');
    assert.ok(await beforeDeadline(exited, 1000), 'still following a second after SIGTERM');
    assert.equal(await exited, 143, err);
    assert.match(err, /pending\s+20/);
    assert.match(err, /Stopped following .*: nothing was changed/);
  } finally {
    if (child.exitCode === null) child.kill('SIGKILL');
  }
});

test('a follow whose terminal closes does not outlive it', async () => {
  const b = bed.sandbox.state.seedBroadcast({ recipients: 5, startAtMs: Date.now() + 3_600_000 });
  const run = runInPty(['logs', 'tail', b.id, '--follow'], { env: bed.env('qontak-hmac'), size: { rows: 24, columns: 100 } });
  try {
    const pid = await run.pid;
    await run.waitFor(/pending/);
    run.closeTerminal();
    assert.ok(await goneBefore(pid, 5000), `wa-cli (pid ${pid}) still running 5 s after its terminal closed`);
  } finally {
    await cleanUp(run);
  }
});

test('SIGTERM during a fan-out\'s pacing: exit 143, what was sent journaled and the command to continue named', async () => {
  const { signalAt, sendArgs } = await import('../helpers/fanout.js');
  const args = sendArgs(sheet(bed, 30, '0822'), ['--rate', '5/s']);
  const r = await signalAt(bed, args, bed.env('konekwa', { WA_RECONCILE_SETTLE_MS: '50' }), bed.sandbox.state.konekwa.order.length + 3, 'SIGTERM');
  assert.equal(r.code, 143, r.stderr);
  assert.match(r.stderr, /Interrupted\. Run the same command again, or `wa-cli broadcast send --resume [\w-]+`, to continue/);
});

test('SIGHUP (the terminal closing) ends a follow with exit 129 and its summary', async () => {
  const b = bed.sandbox.state.seedBroadcast({ recipients: 3, startAtMs: Date.now() + 3_600_000 });
  const child = spawn(process.execPath, [bin, 'logs', 'tail', b.id, '--follow'], { env: { PATH: process.env.PATH ?? '', ...bed.env('qontak-hmac') }, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  child.stderr.on('data', (d: Buffer) => (err += d));
  const exited = new Promise<number | null>((r) => child.on('close', (code) => r(code)));
  try {
    await new Promise<void>((resolve) => child.stdout.on('data', (d: Buffer) => ((out += d), out.split('\n').length > 3 && resolve())));
    child.kill('SIGHUP');
    assert.ok(await beforeDeadline(exited, 5000), 'still following 5 s after SIGHUP');
    assert.equal(await exited, 129, err);
    assert.match(err, /pending\s+3/);
  } finally {
    if (child.exitCode === null) child.kill('SIGKILL');
  }
});
