import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, writeFileSync, appendFileSync, mkdirSync, readdirSync, readFileSync, linkSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { acquireLock, claimFile, LockHeldError } from '../../../src/core/send/lock.js';
import { repoRoot } from '../../helpers/paths.js';
import { defaultIdempotencyKey, Ledger } from '../../../src/core/send/ledger.js';

const dir = () => mkdtempSync(path.join(os.tmpdir(), 'wa-lock-'));

test('lock: held while taken, free once released', async () => {
  const file = path.join(dir(), 'locks', 'k.lock');
  const release = await acquireLock(file);
  await assert.rejects(acquireLock(file), (e: unknown) => e instanceof LockHeldError && e.holder.pid === process.pid);
  await release();
  await (await acquireLock(file))();
});

test('lock: one left by a dead process on this host is taken over; an unreadable one is treated as held', async () => {
  const d = dir();
  mkdirSync(path.join(d, 'locks'));
  const file = path.join(d, 'locks', 'k.lock');
  writeFileSync(file, JSON.stringify({ pid: 2 ** 22 + 12345, host: os.hostname(), startedAt: 'then' }));
  const release = await acquireLock(file);
  await release();
  writeFileSync(file, '{"pid": 1');
  await assert.rejects(acquireLock(file), LockHeldError);
});

test('ledger: the latest record of a key wins; a torn last line is ignored', async () => {
  const d = dir();
  const ledger = new Ledger(d);
  const base = { key: 'k1', provider: 'qontak', template: 't', target: 'list:1', recipients: 3 };
  await ledger.record({ ...base, at: '1', status: 'started' });
  await ledger.record({ ...base, at: '2', status: 'done', broadcastId: 'b1' });
  appendFileSync(path.join(d, 'ledger.jsonl'), '{"key":"k1","status":"fai');
  const found = await ledger.find('k1');
  assert.equal(found?.status, 'done');
  assert.equal(found?.broadcastId, 'b1');
  assert.equal(await ledger.find('k2'), undefined);
});

test('default idempotency key: stable for the same send, different when anything that matters differs', () => {
  const a = { provider: 'qontak', templateId: 't1', language: 'id', target: 'list:1', params: { '1': 'full_name', '2': 'order_id' } };
  const k = defaultIdempotencyKey(a);
  assert.match(k, /^wa-[0-9a-f]{16}$/);
  assert.equal(defaultIdempotencyKey({ ...a, params: { '2': 'order_id', '1': 'full_name' } }), k, 'parameter order does not matter');
  for (const change of [{ templateId: 't2' }, { language: 'en' }, { target: 'list:2' }, { params: { '1': 'full_name', '2': ':x' } }]) {
    assert.notEqual(defaultIdempotencyKey({ ...a, ...change }), k, JSON.stringify(change));
  }
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
