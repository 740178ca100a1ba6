import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, writeFileSync, appendFileSync, mkdirSync, readdirSync, readFileSync, linkSync, rmSync, existsSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { acquireLock, claimFile, LockHeldError } from '../../../src/core/runs/lock.js';
import { createRun } from '../../../src/core/runs/plan-write.js';
import { OperationError } from '../../../src/errors.js';
import { repoRoot } from '../../helpers/paths.js';
import { defaultIdempotencyKey, Ledger } from '../../../src/core/runs/ledger.js';

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

test('ledger: a key it does not know but a run folder carries counts as used (a deleted ledger is rebuilt from runs)', async () => {
  const d = dir();
  const header = { v: 1 as const, runId: '20250101-000000-abcd', createdAt: '2025-01-01T00:00:00.000Z', provider: 'konekwa', name: 'promo', templateId: 't1', templateName: 'promo_jan', channelId: 'c1', idempotencyKey: 'wa-00000000000000aa', total: 2 };
  const journal = await createRun(d, header, [{ i: 0, row: 2, phone: '+628111', name: 'A', values: {}, text: '' }, { i: 1, row: 3, phone: '+628112', name: 'B', values: {}, text: '' }]);
  await journal.close();
  const ledger = new Ledger(d);
  assert.equal(existsSync(ledger.file), false, 'no ledger at all');
  const found = await ledger.find('wa-00000000000000aa');
  assert.equal(found?.status, 'started');
  assert.equal(found?.runId, header.runId);
  assert.equal(found?.recipients, 2);
  assert.equal(await ledger.find('wa-00000000000000bb'), undefined);
  // A ledger that exists but lost the line still defers to the run folder.
  await ledger.record({ key: 'other', at: '1', status: 'done', provider: 'konekwa', template: 't', target: 'x', recipients: 1 });
  assert.equal((await ledger.find('wa-00000000000000aa'))?.runId, header.runId);
});

test('ledger: a damaged line in the middle is an error naming the file and line, not a skipped record', async () => {
  const d = dir();
  const ledger = new Ledger(d);
  const base = { provider: 'qontak', template: 't', target: 'list:1', recipients: 3 };
  await ledger.record({ ...base, key: 'k1', at: '1', status: 'started' });
  appendFileSync(ledger.file, 'garbage {\n');
  await ledger.record({ ...base, key: 'k2', at: '2', status: 'done' });
  await assert.rejects(ledger.find('k1'), (e: unknown) => e instanceof OperationError && e.message.includes(`${ledger.file} line 2 cannot be read`) && !e.message.includes('\n'));
});

test('ledger: a torn last line is cut before the next record, which stays readable', async () => {
  const d = dir();
  const ledger = new Ledger(d);
  const base = { provider: 'qontak', template: 't', target: 'list:1', recipients: 3 };
  await ledger.record({ ...base, key: 'k1', at: '1', status: 'done' });
  appendFileSync(ledger.file, '{"key":"k2","status":"sta');
  await ledger.record({ ...base, key: 'k3', at: '2', status: 'started' });
  assert.equal((await ledger.find('k3'))?.status, 'started');
  assert.equal((await ledger.find('k1'))?.status, 'done');
  assert.equal(readFileSync(ledger.file, 'utf8').split('\n').length, 3);
  assert.equal(statSync(ledger.file).mode & 0o777, 0o600);
});
