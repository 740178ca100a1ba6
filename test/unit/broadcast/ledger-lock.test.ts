import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { appendFile, readFile, stat, writeFile } from 'node:fs/promises';
import { hostname } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  IdempotencyConflictError,
  defaultIdempotencyKey,
  fileTarget,
  openLedger,
} from '../../../src/core/broadcast/ledger.js';
import { LockHeldError, acquireLock, lockPathFor, readHolder } from '../../../src/core/broadcast/lock.js';
import { tempState } from './fixtures.js';

const here = path.dirname(fileURLToPath(import.meta.url));

test('default idempotency key: short, stable, independent of parameter order, sensitive to what is sent', () => {
  const base = { provider: 'konekwa', template: 'promo', language: 'id', target: 'list:42', params: { a: 'Nama', b: ':JULI' } };
  const k = defaultIdempotencyKey(base);
  assert.match(k, /^wa-[0-9a-f]{16}$/);
  assert.equal(defaultIdempotencyKey({ ...base, params: { b: ':JULI', a: 'Nama' } }), k);
  const others = [
    { ...base, target: 'list:43' },
    { ...base, template: 'promo2' },
    { ...base, language: 'en' },
    { ...base, provider: 'qontak' },
    { ...base, params: { a: 'Nama', b: ':AGUSTUS' } },
  ].map(defaultIdempotencyKey);
  assert.equal(new Set([k, ...others]).size, 6);
  assert.equal(fileTarget(Buffer.from('a;b\r\n')), fileTarget(new Uint8Array(Buffer.from('a;b\r\n'))));
  assert.notEqual(fileTarget(Buffer.from('a;b\r\n')), fileTarget(Buffer.from('a;b\n')));
});

test('ledger round trip: latest status, first use time, 0600, torn line skipped, conflict message', async () => {
  const dir = await tempState();
  const ledger = openLedger(dir);
  assert.equal(await ledger.find('wa-x'), undefined);
  const rec = { runId: 'r1', at: '2024-07-01T08:00:00.000Z', template: 'promo', target: 'list:42', recipients: 1200, status: 'started' as const };
  await ledger.record('wa-x', rec);
  await ledger.record('wa-y', { ...rec, runId: 'r2' });
  await ledger.record('wa-x', { ...rec, at: '2024-07-01T09:30:00.000Z', status: 'done', broadcastId: 'b-9' });
  await appendFile(ledger.path, '{"key":"wa-z","runId":"r3","at":"2024');
  // The torn line does not swallow the next record.
  await ledger.record('wa-z', { ...rec, runId: 'r4' });

  const x = await ledger.find('wa-x');
  assert.deepEqual(x, { ...rec, key: 'wa-x', firstAt: '2024-07-01T08:00:00.000Z', at: '2024-07-01T09:30:00.000Z', status: 'done', broadcastId: 'b-9' });
  assert.equal((await ledger.find('wa-y'))!.runId, 'r2');
  assert.equal((await ledger.find('wa-z'))!.runId, 'r4');
  assert.equal((await stat(ledger.path)).mode & 0o777, 0o600);

  await assert.rejects(ledger.assertUnused('wa-x'), (e: unknown) => {
    assert.ok(e instanceof IdempotencyConflictError);
    assert.match(e.message, /wa-x was already used on 2024-07-01T08:00:00.000Z by run r1: template promo to list:42, 1200 recipient\(s\), done/);
    return true;
  });
  await assert.rejects(ledger.assertUnused('wa-y'), /Continue it with --resume r2/);
  await ledger.assertUnused('wa-new');
  await assert.rejects(ledger.record('a\nb', rec), /line break/);
});

function spawnHolder(lockPath: string): { child: ChildProcess; line: Promise<string>; exit: Promise<number | null> } {
  const child = spawn(process.execPath, [path.join(here, 'children', 'lock-holder.js'), lockPath], { stdio: ['pipe', 'pipe', 'inherit'] });
  const line = new Promise<string>((resolve) => {
    let out = '';
    child.stdout!.on('data', (c: Buffer) => {
      out += c;
      if (out.includes('\n')) resolve(out.trim());
    });
  });
  const exit = new Promise<number | null>((r) => child.on('exit', (c) => r(c)));
  return { child, line, exit };
}

test('lock: two processes exclude each other; a killed holder leaves a stale lock that is taken over', async () => {
  const dir = await tempState();
  const lockPath = lockPathFor(dir, 'wa-0123456789abcdef');
  const a = spawnHolder(lockPath);
  assert.equal(await a.line, `held ${a.child.pid}`);

  const b = spawnHolder(lockPath);
  assert.match(await b.line, new RegExp(`^busy ${a.child.pid} Another run \\(run child\\) holds .* pid ${a.child.pid} on ${hostname()}`));
  assert.equal(await b.exit, 5);
  await assert.rejects(acquireLock(lockPath), (e: unknown) => e instanceof LockHeldError && e.holder?.pid === a.child.pid);

  a.child.kill('SIGKILL');
  await a.exit;
  assert.equal((await readHolder(lockPath))!.pid, a.child.pid, 'kill -9 left the lock behind');
  const release = await acquireLock(lockPath, { label: 'parent' });
  assert.equal((await readHolder(lockPath))!.pid, process.pid);
  assert.equal((await stat(lockPath)).mode & 0o777, 0o600);

  const c = spawnHolder(lockPath);
  assert.match(await c.line, /^busy /);
  assert.equal(await c.exit, 5);
  await release();
  assert.equal(await readHolder(lockPath), null);

  // Released cleanly by a child: the next one gets it at once.
  const d = spawnHolder(lockPath);
  assert.equal(await d.line, `held ${d.child.pid}`);
  d.child.stdin!.end();
  assert.equal(await d.exit, 0);
  assert.equal(await readHolder(lockPath), null);
});

test('lock: a holder on another host is respected unless older than staleAfterMs; release never removes a lock taken over', async () => {
  const dir = await tempState();
  const lockPath = path.join(dir, 'locks', 'k.lock');
  const now = Date.parse('2024-07-01T12:00:00Z');
  const release = await acquireLock(lockPath, { hostname: 'cron-a', clock: () => now - 3_600_000 });
  await assert.rejects(acquireLock(lockPath, { hostname: 'cron-b', clock: () => now }), LockHeldError);
  await assert.rejects(acquireLock(lockPath, { hostname: 'cron-b', clock: () => now, staleAfterMs: 7_200_000 }), LockHeldError);
  const mine = await acquireLock(lockPath, { hostname: 'cron-b', clock: () => now, staleAfterMs: 1_800_000 });
  assert.equal((await readHolder(lockPath))!.hostname, 'cron-b');
  // The first holder comes back and releases: the lock it lost stays with its new owner.
  await release();
  assert.equal((await readHolder(lockPath))!.hostname, 'cron-b');
  await mine();
  assert.equal(await readHolder(lockPath), null);
});

test('lock: a same-host holder whose pid is alive is never stale, however old', async () => {
  const dir = await tempState();
  const lockPath = path.join(dir, 'k.lock');
  await writeFile(lockPath, JSON.stringify({ pid: process.pid, hostname: hostname(), startedAt: '2000-01-01T00:00:00Z', nonce: 'n' }));
  await assert.rejects(acquireLock(lockPath, { staleAfterMs: 1 }), LockHeldError);
  assert.match(await readFile(lockPath, 'utf8'), /"nonce":"n"/);
});
