// State that is damaged or missing never strands or misleads, and never sends twice: a garbage lock, a lost run folder
// with the ledger intact, run folder and ledger both lost (or a second state folder), 8 racing re-runs of a killed run,
// a disk that fills mid-run or before the plan is written. The queue lists messages after a lag throughout; the
// sandbox counts what it accepted per recipient.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs, { existsSync, mkdirSync, readdirSync, readFileSync, readlinkSync, rmSync, writeFileSync } from 'node:fs';
import { open } from 'node:fs/promises';
import { syncBuiltinESMExports } from 'node:module';
import path from 'node:path';
import { runCli } from '../helpers/cli.js';
import { testBed, type TestBed } from '../helpers/sandbox.js';
import { exactlyOnce, onlyRun, sendArgs, sheet, signalAt, waitFor } from '../helpers/fanout.js';

const stateDir = (bed: TestBed) => path.join(bed.dir, 'state');
/** Waits until everything the sandbox accepted is listed. */
const listed = (bed: TestBed) => waitFor(() => false, bed.sandbox.limits.konekwaListLagMs + 300);

test('a garbage lock file is stale: taken over with a line, and the send goes ahead', async () => {
  const bed = await testBed({ konekwaRatePerSecond: 1000, konekwaBurst: 1000 });
  try {
    mkdirSync(path.join(stateDir(bed), 'locks'), { recursive: true });
    writeFileSync(path.join(stateDir(bed), 'locks', 'nov-promo.lock'), '\u0000garbage{');
    const r = await runCli(sendArgs(sheet(bed, 5), ['--idempotency-key', 'nov-promo', '--rate', '50/s']), { env: bed.env('konekwa') });
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stderr, /warning: took over the lock .*nov-promo\.lock: it named no holder \(unreadable\), so no run can be holding it/);
    exactlyOnce(bed, 5);
  } finally {
    await bed.close();
  }
});

test('a lost run folder with the ledger intact: the same command rebuilds the run and checks everyone first; another send under that key is refused with the way forward', async () => {
  const bed = await testBed({ konekwaRatePerSecond: 1000, konekwaBurst: 1000 });
  try {
    const n = 50;
    const env = bed.env('konekwa');
    const args = sendArgs(sheet(bed, n), ['--rate', '100/s', '--concurrency', '4', '--settle', '4s']);
    await signalAt(bed, args, env, 20, 'SIGKILL');
    const run = onlyRun(bed);
    const runId = path.basename(run);
    rmSync(run, { recursive: true });

    const resumed = await runCli(['-y', 'broadcast', 'send', '--resume', runId], { env });
    assert.equal(resumed.code, 3);
    assert.match(resumed.stderr, /run the original send command again: it rebuilds the run/);
    const other = await runCli(sendArgs(sheet(bed, 7, '0815'), ['--rate', '100/s', '--idempotency-key', JSON.parse(readFileSync(path.join(stateDir(bed), 'ledger.jsonl'), 'utf8').split('\n')[0]!).key]), { env });
    assert.equal(other.code, 1);
    assert.match(other.stderr, new RegExp(`belongs to run ${runId} .*whose folder .*${runId} is gone, and this send's recipients are not that run's: nothing was sent\\. Restore the folder`));
    assert.ok(![...bed.sandbox.state.sendsByRecipient.keys()].some((p) => p.startsWith('62815')), 'nothing of the other send went out');

    const r = await runCli([...args, '--json'], { env });
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stderr, new RegExp(`warning: the folder of run ${runId} .* is gone: it is rebuilt from this command's recipients`));
    assert.equal(JSON.parse(r.stdout).id, runId, 'the same run, under its own id');
    exactlyOnce(bed, n);
  } finally {
    await bed.close();
  }
});

for (const lost of ['the whole state folder', 'a second state folder (another host)'] as const) {
  test(`killed mid-run, then ${lost}: a fresh run leaves out whoever the listing shows was sent: nobody twice`, async () => {
    const bed = await testBed({ konekwaRatePerSecond: 1000, konekwaBurst: 1000 });
    try {
      const n = 60;
      const file = sheet(bed, n);
      const args = sendArgs(file, ['--rate', '100/s', '--concurrency', '4', '--settle', '4s']);
      await signalAt(bed, args, bed.env('konekwa'), 25, 'SIGKILL');
      const reached = bed.sandbox.state.sendsByRecipient.size;
      await listed(bed);
      let env = bed.env('konekwa');
      if (lost === 'the whole state folder') rmSync(stateDir(bed), { recursive: true });
      else env = bed.env('konekwa', { WA_STATE_DIR: path.join(bed.dir, 'other-host') });
      const r = await runCli([...args, '--json'], { env });
      assert.equal(r.code, 0, r.stderr);
      assert.match(r.stderr, new RegExp(`Left out ${reached} recipient\\(s\\) who already got this exact text`));
      const out = JSON.parse(r.stdout);
      assert.deepEqual([out.alreadyReceived.length, out.total, out.sent], [reached, n - reached, n - reached]);
      exactlyOnce(bed, n);
    } finally {
      await bed.close();
    }
  });
}

test('8 racing re-runs of a killed run, 10 times over: one continues it, the others are refused, nobody twice', async () => {
  for (let trial = 0; trial < 10; trial++) {
    const bed = await testBed({ konekwaRatePerSecond: 1000, konekwaBurst: 1000, konekwaListLagMs: 1500 });
    try {
      const n = 30;
      const env = bed.env('konekwa');
      // A window well past the lag: eight runs in this one process slow the sandbox's own answers.
      const args = sendArgs(sheet(bed, n), ['--rate', '100/s', '--concurrency', '4', '--settle', '4s']);
      await signalAt(bed, args, env, 5 + trial * 2, 'SIGKILL');
      let codes = (await Promise.all(Array.from({ length: 8 }, () => runCli(args, { env })))).map((r) => r.code);
      assert.ok(codes.every((c) => c === 0 || c === 5), `trial ${trial}: ${codes.join(', ')}`);
      // Whichever got the lock may have left some in doubt for the next run: the same command again finishes it.
      for (let more = 0; more < 2 && !codes.includes(0); more++) codes = [(await runCli(args, { env })).code];
      assert.ok(codes.includes(0), `trial ${trial}: ${codes.join(', ')}`);
      exactlyOnce(bed, n);
    } finally {
      await bed.close();
    }
  }
});

/** The path behind a descriptor of this process (Linux). */
const fdPath = (fd: number): string => {
  try {
    return readlinkSync(`/proc/self/fd/${fd}`);
  } catch {
    return '';
  }
};
const noSpace = () => Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC', errno: -28, syscall: 'write' });

/** FileHandle.prototype, reached through a handle of its own (the class is not exported). */
async function handleProto(): Promise<{ write: (...a: unknown[]) => Promise<{ bytesWritten: number }> }> {
  const h = await open(import.meta.filename, 'r');
  const proto = Object.getPrototypeOf(h);
  await h.close();
  return proto;
}

test('the disk fills mid-run (a short write, then ENOSPC): one line naming the journal, no message left without its record; the same command finishes', async () => {
  const bed = await testBed({ konekwaRatePerSecond: 1000, konekwaBurst: 1000 });
  const proto = await handleProto();
  const real = proto.write;
  try {
    const n = 40;
    const env = bed.env('konekwa');
    const args = sendArgs(sheet(bed, n), ['--rate', '100/s', '--concurrency', '4', '--settle', '4s']);
    let journalWrites = 0;
    let full = false;
    proto.write = async function (this: { fd: number }, ...a: unknown[]) {
      if (fdPath(this.fd).endsWith('journal.jsonl') && ++journalWrites > 12) {
        if (full) throw noSpace();
        // The last few bytes the disk had: half of this write, then nothing.
        full = true;
        const [buf, offset, length, position] = a as [Uint8Array, number, number, number | null];
        return real.call(this, buf, offset, Math.floor(length / 2), position);
      }
      return real.apply(this, a);
    };
    const r = await runCli(args, { env });
    proto.write = real;
    assert.equal(r.code, 1, r.stderr);
    const errors = r.stderr.split('\n').filter((l) => l.startsWith('error:'));
    assert.equal(errors.length, 1, r.stderr);
    assert.match(errors[0]!, /Stopped sending: cannot write .*runs\/[\w-]+\/journal\.jsonl \(in the state folder .*\): no space left on the device \(ENOSPC\)/);
    // Every message the server accepted has its "sending" line, whole, on disk.
    const lines = readFileSync(path.join(onlyRun(bed), 'journal.jsonl'), 'utf8').split('\n');
    const sending = new Set(lines.slice(0, -1).map((l) => JSON.parse(l)).filter((e) => e.s === 'sending').map((e) => e.i));
    const accepted = [...bed.sandbox.state.sendsByRecipient.keys()].map((p) => Number(p.slice(-8)));
    assert.ok(accepted.length > 0 && accepted.length < n, `stopped part-way (${accepted.length})`);
    assert.deepEqual(accepted.filter((i) => !sending.has(i)), [], 'no message left without its record');

    const again = await runCli(args, { env });
    assert.equal(again.code, 0, again.stderr);
    exactlyOnce(bed, n);
  } finally {
    proto.write = real;
    await bed.close();
  }
});

test('the disk is full before the plan is written, or before its journal opens: one line naming the file, no run folder, no stage, nothing sent', async () => {
  const bed = await testBed();
  const proto = await handleProto();
  const realWrite = proto.write;
  const realSync = fs.writeSync;
  try {
    const env = bed.env('konekwa');
    const runs = path.join(stateDir(bed), 'runs');
    fs.writeSync = ((fd: number, ...a: unknown[]) => {
      if (fdPath(fd).includes(`${path.sep}staged${path.sep}`)) throw noSpace();
      return (realSync as (...x: unknown[]) => number)(fd, ...a);
    }) as typeof fs.writeSync;
    syncBuiltinESMExports();
    const staged = await runCli(sendArgs(sheet(bed, 5)), { env });
    fs.writeSync = realSync;
    syncBuiltinESMExports();
    assert.equal(staged.code, 1, staged.stderr);
    assert.match(staged.stderr, /^error: cannot write .*state\/staged\/[\w-]+\.jsonl \(in the state folder .*\): no space left on the device \(ENOSPC\)/m);
    assert.doesNotMatch(staged.stderr, /unexpected failure/);

    proto.write = async function (this: { fd: number }, ...a: unknown[]) {
      if (fdPath(this.fd).endsWith('journal.jsonl')) throw noSpace();
      return realWrite.apply(this, a);
    };
    const opening = await runCli(sendArgs(sheet(bed, 5)), { env });
    proto.write = realWrite;
    assert.equal(opening.code, 1, opening.stderr);
    assert.match(opening.stderr, /^error: cannot write .*runs\/[\w-]+\/journal\.jsonl \(in the state folder .*\): no space left on the device \(ENOSPC\)/m);

    assert.deepEqual(existsSync(runs) ? readdirSync(runs) : [], [], 'no run folder left behind');
    assert.deepEqual(readdirSync(path.join(stateDir(bed), 'staged')), [], 'no stage left behind');
    assert.equal(bed.sandbox.state.sendsByRecipient.size, 0);
  } finally {
    proto.write = realWrite;
    fs.writeSync = realSync;
    syncBuiltinESMExports();
    await bed.close();
  }
});
