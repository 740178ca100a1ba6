import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, writeFileSync, mkdirSync, readdirSync, readFileSync, linkSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { acquireLock, claimFile, LockHeldError } from '../../../src/core/runs/lock.js';
import { repoRoot } from '../../helpers/paths.js';

const dir = () => mkdtempSync(path.join(os.tmpdir(), 'wa-lock-'));

test('lock: held while taken, free once released', async () => {
  const file = path.join(dir(), 'locks', 'k.lock');
  const release = await acquireLock(file);
  await assert.rejects(acquireLock(file), (e: unknown) => e instanceof LockHeldError && e.holder.pid === process.pid);
  await release();
  await (await acquireLock(file))();
});

test('lock: one left by a dead process on this host, or one that names no holder (garbage, empty), is taken over with a line; a live one is held', async () => {
  const d = dir();
  mkdirSync(path.join(d, 'locks'));
  const file = path.join(d, 'locks', 'k.lock');
  const lines: string[] = [];
  const notice = (l: string) => void lines.push(l);
  writeFileSync(file, JSON.stringify({ pid: 2 ** 22 + 12345, host: os.hostname(), startedAt: 'then' }));
  await (await acquireLock(file, Date.now, notice))();
  assert.match(lines.at(-1)!, /took over the lock .*k\.lock: pid 4206649 that held it since then is gone/);
  // Every real lock is written whole before it appears, so one that names no holder was never a run's.
  for (const [garbage, said] of [['{"pid": 1', 'unreadable'], ['', 'empty'], ['\u0000\u00ff', 'unreadable']] as const) {
    writeFileSync(file, garbage);
    await (await acquireLock(file, Date.now, notice))();
    assert.match(lines.at(-1)!, new RegExp(`took over the lock .*k\\.lock: it named no holder \\(${said}\\)`));
  }
  const release = await acquireLock(file);
  await assert.rejects(acquireLock(file), LockHeldError, 'this live process holds it');
  await release();
});

// Two real processes race to take over a lock whose holder died on this host: at most one may proceed, every time.
async function raceTakers(file: string): Promise<string[]> {
  const taker = path.join(repoRoot, 'dist', 'test', 'helpers', 'lock-taker.js');
  const kids = [0, 1].map(() => spawn(process.execPath, [taker, file], { stdio: ['pipe', 'pipe', 'inherit'] }));
  const lines = kids.map((k) => createInterface({ input: k.stdout! })[Symbol.asyncIterator]());
  const next = async (i: number) => String((await lines[i]!.next()).value ?? 'exited');
  assert.deepEqual(await Promise.all([next(0), next(1)]), ['ready', 'ready']);
  for (const k of kids) k.stdin!.write('go\n');
  const outcomes = await Promise.all([next(0), next(1)]);
  for (const k of kids) k.stdin!.end();
  await Promise.all(kids.map((k) => once(k, 'exit')));
  return outcomes;
}

test('lock: two processes taking over a dead holder\'s lock at once never both proceed (20 races)', async () => {
  const d = dir();
  const file = path.join(d, 'locks', 'k.lock');
  mkdirSync(path.dirname(file));
  for (let round = 0; round < 20; round++) {
    writeFileSync(file, JSON.stringify({ pid: 2 ** 22 + 1000 + round, host: os.hostname(), startedAt: `round ${round}` }));
    const outcomes = await raceTakers(file);
    assert.equal(outcomes.filter((o) => o === 'acquired').length, 1, `round ${round}: ${outcomes.join(' | ')}`);
    const other = outcomes.find((o) => o !== 'acquired')!;
    assert.match(other, /^held in progress: pid \d+ on host .+ since \d{4}-/, `round ${round}`);
    // Released by its holder on exit, and nothing left behind but the folder.
    assert.deepEqual(readdirSync(path.dirname(file)), [], `round ${round}`);
  }
});

test('lock: release leaves alone a lock that is no longer its own', async () => {
  const file = path.join(dir(), 'locks', 'k.lock');
  const release = await acquireLock(file);
  const other = JSON.stringify({ pid: process.pid, host: os.hostname(), startedAt: 'later', nonce: 'other' });
  writeFileSync(file, other);
  await release();
  assert.equal(readFileSync(file, 'utf8'), other);
});

test('lock: a stale lock already claimed by another taker is not removed a second time', async () => {
  const d = dir();
  mkdirSync(path.join(d, 'locks'));
  const file = path.join(d, 'locks', 'k.lock');
  const stale = JSON.stringify({ pid: 2 ** 22 + 7, host: os.hostname(), startedAt: 'then' });
  writeFileSync(file, stale);
  // The claim of a taker stopped between its claim and the removal.
  linkSync(file, claimFile(file, stale));
  await assert.rejects(acquireLock(file), (e: unknown) => e instanceof LockHeldError && /its takeover was interrupted/.test(e.message));
  assert.equal(readFileSync(file, 'utf8'), stale);
  // A claim left by a taker that already replaced the lock: the claimed name is just a second name of a live lock.
  rmSync(file);
  rmSync(claimFile(file, stale));
  writeFileSync(file, stale);
  const release = await acquireLock(file);
  assert.notEqual(readFileSync(file, 'utf8'), stale);
  await release();
});
