// wa-cli doctor: one line per check with ✓ or ✗ and the fix, exit 1 when any fails; each check against a real
// sandbox, real folders and real lock files.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { runCli } from '../../helpers/cli.js';
import { sharedTestBed } from '../../helpers/sandbox.js';
import { sendArgs, sheet } from '../../helpers/fanout.js';

const bed = sharedTestBed({ konekwaRatePerSecond: 1000, konekwaBurst: 1000 });

type Check = { id: string; status: 'ok' | 'fail' | 'skip'; detail: string; fix?: string };
const doctor = async (env: Record<string, string>, now?: () => number) => {
  const r = await runCli(['--json', 'doctor'], { env, ...(now ? { init: { now } } : {}) });
  const j = JSON.parse(r.stdout) as { ok: boolean; checks: Check[] };
  return { code: r.code, ok: j.ok, check: (id: string) => j.checks.find((c) => c.id === id)!, checks: j.checks };
};
/** A state folder of its own, so one test's locks and runs are not another's. */
const konekwa = (name: string, extra: Record<string, string> = {}) => bed.env('konekwa', { WA_STATE_DIR: path.join(bed.dir, name), WA_RECONCILE_SETTLE_MS: '50', ...extra });

test('good credentials: every check passes, exit 0, one line each with ✓', async () => {
  for (const env of [konekwa('good-k'), bed.env('qontak-hmac', { WA_STATE_DIR: path.join(bed.dir, 'good-q') })]) {
    const d = await doctor(env);
    assert.equal(d.code, 0, JSON.stringify(d.checks, null, 1));
    assert.equal(d.ok, true);
    assert.deepEqual(d.checks.filter((c) => c.status !== 'ok'), []);
    assert.deepEqual(d.checks.map((c) => c.id), ['node', 'config-folder', 'state-folder', 'keychain', 'credentials', 'server', 'accepted', 'clock', 'channel', 'templates', 'locks', 'runs']);
  }
  const text = await runCli(['doctor'], { env: konekwa('good-k') });
  assert.equal(text.code, 0, text.stderr);
  const lines = text.stdout.trim().split('\n');
  assert.equal(lines.length, 12);
  assert.ok(lines.every((l) => l.startsWith('✓ ')), text.stdout);
  assert.match(text.stdout, /^✓ keychain: not needed: the secrets come from the environment \(KONEKWA_API_KEY\)$/m);
  assert.match(text.stdout, /^✓ base URL: http:\/\/127\.0\.0\.1:\d+\/konekwa answered \(direct, no proxy\)$/m);
});

test('a wrong Konekwa key: exit 1, naming the credential and where it came from, with the fix', async () => {
  const r = await runCli(['doctor'], { env: konekwa('wrong-key', { KONEKWA_API_KEY: 'kk_wrong' }) });
  assert.equal(r.code, 1);
  assert.match(r.stdout, /^✗ credentials accepted: the server refused api-key from the environment \(KONEKWA_API_KEY\): .*401.* → Check KONEKWA_API_KEY, or run `wa-cli auth login` again\.$/m);
  assert.match(r.stdout, /^- channel: not checked/m);
  assert.doesNotMatch(r.stdout, /kk_wrong/, 'the secret itself is never printed');
});

test('no credentials at all: the credential check fails with how to give them; server checks are skipped', async () => {
  const d = await doctor({ HOME: bed.dir, WA_CONFIG_DIR: path.join(bed.dir, 'none', 'config'), WA_STATE_DIR: path.join(bed.dir, 'none', 'state'), WA_PROVIDER: 'konekwa', DBUS_SESSION_BUS_ADDRESS: `unix:path=${bed.dir}/no-bus` });
  assert.equal(d.code, 1);
  assert.equal(d.check('credentials').status, 'fail');
  assert.match(d.check('credentials').fix!, /KONEKWA_API_KEY/);
  assert.deepEqual(['server', 'accepted', 'clock', 'channel', 'templates'].map((id) => d.check(id).status), ['skip', 'skip', 'skip', 'skip', 'skip']);
});

test('a stale lock is named with its dead holder; a live one is a send in progress, not a failure', async () => {
  const env = konekwa('locks');
  const locks = path.join(bed.dir, 'locks', 'locks');
  mkdirSync(locks, { recursive: true });
  // A process that has ended: its pid held the lock.
  const dead = await new Promise<number>((resolve) => {
    const child = spawn(process.execPath, ['-e', '0']);
    child.on('exit', () => resolve(child.pid!));
  });
  const stale = path.join(locks, 'wa-0123456789abcdef.lock');
  writeFileSync(stale, JSON.stringify({ pid: dead, host: os.hostname(), startedAt: '2026-11-22T01:00:00.000Z', nonce: 'aa' }));
  const live = path.join(locks, 'wa-fedcba9876543210.lock');
  writeFileSync(live, JSON.stringify({ pid: process.pid, host: os.hostname(), startedAt: '2026-11-22T02:00:00.000Z', nonce: 'bb' }));
  const d = await doctor(env);
  assert.equal(d.code, 1);
  const c = d.check('locks');
  assert.equal(c.status, 'fail');
  assert.match(c.detail, new RegExp(`stale: ${stale.replace(/[.]/g, '\\.')} \\(pid ${dead} on ${os.hostname()} since 2026-11-22T01:00:00\\.000Z, that process is gone\\)`));
  assert.doesNotMatch(c.detail, /fedcba/, 'the live lock is not called stale');
  assert.match(c.fix!, /Run the same send again/);
  const text = await runCli(['doctor'], { env });
  assert.match(text.stdout, /^✗ locks: stale: .*wa-0123456789abcdef\.lock/m);
});

test('an unfinished run is named with the command that continues it', async () => {
  const env = konekwa('unfinished');
  bed.sandbox.faults.add({ kind: 'status', status: 500, match: { method: 'POST', path: /\/v1\/messages$/ }, times: Infinity });
  try {
    const send = await runCli(sendArgs(sheet(bed, 3, '0817'), ['--rate', '1000']), { env });
    assert.equal(send.code, 1, send.stderr);
  } finally {
    bed.sandbox.faults.clear();
  }
  const d = await doctor(env);
  assert.equal(d.code, 1);
  const runs = d.check('runs');
  assert.equal(runs.status, 'fail');
  const id = /^(\d{8}-\d{6}-[0-9a-f]+) \(/.exec(runs.detail)?.[1];
  assert.ok(id, runs.detail);
  assert.equal(runs.fix, `wa-cli broadcast send --resume ${id}`);
});

test('the clock against the server\'s Date: a skew within the window passes, past it fails; HMAC says it is the clock', async () => {
  const skewed = (s: number) => () => Date.now() + s * 1000;
  const near = await doctor(konekwa('clock-1'), skewed(120));
  assert.equal(near.check('clock').status, 'ok');
  assert.match(near.check('clock').detail, /^1(19|20|21) s ahead of the server's/);
  const far = await doctor(konekwa('clock-2'), skewed(-900));
  assert.equal(far.code, 1);
  assert.equal(far.check('clock').status, 'fail');
  assert.match(far.check('clock').detail, /^(899|900|901) s behind the server's/);
  // Qontak refuses a signature dated 10 minutes off: the credentials are named as refused, the clock as the cause.
  const hmac = await doctor(bed.env('qontak-hmac', { WA_STATE_DIR: path.join(bed.dir, 'clock-3') }), skewed(600));
  assert.equal(hmac.code, 1);
  assert.equal(hmac.check('clock').status, 'fail');
  assert.match(hmac.check('clock').detail, /^10 minute\(s\) ahead of the server's/);
  assert.match(hmac.check('accepted').fix!, /set the clock right first/);
});

test('a channel that cannot send, and a state folder that cannot be written, each fail with their fix', async () => {
  const d = await doctor(konekwa('chan', { WA_CHANNEL: 'ses_backup' }));
  assert.equal(d.check('channel').status, 'fail');
  assert.match(d.check('channel').detail, /^ses_backup \(WA_CHANNEL\) is DISCONNECTED$/);
  assert.match(d.check('channel').fix!, /scan its QR code/);
  const file = path.join(bed.dir, 'not-a-folder');
  writeFileSync(file, 'x');
  const f = await doctor(konekwa('x', { WA_STATE_DIR: file }));
  assert.equal(f.check('state-folder').status, 'fail');
  assert.match(f.check('state-folder').detail, /not-a-folder cannot be written \((EEXIST|ENOTDIR)\)/);
  assert.match(f.check('state-folder').fix!, /WA_STATE_DIR/);
});

test('a profile whose secret is in an unreachable keychain: the keychain check fails and names the way around it', async () => {
  const config = path.join(bed.dir, 'kc', 'config');
  mkdirSync(config, { recursive: true });
  writeFileSync(path.join(config, 'config.json'), JSON.stringify({ version: 1, profiles: { default: { provider: 'konekwa', method: 'api-key', baseUrl: bed.sandbox.konekwaBaseUrl } } }));
  const d = await doctor({ HOME: bed.dir, WA_CONFIG_DIR: config, WA_STATE_DIR: path.join(bed.dir, 'kc', 'state'), DBUS_SESSION_BUS_ADDRESS: `unix:path=${bed.dir}/no-bus` });
  assert.equal(d.code, 1);
  assert.equal(d.check('keychain').status, 'fail');
  assert.match(d.check('keychain').detail, /^not reachable: /);
  assert.match(d.check('keychain').fix!, /--insecure-storage/);
  assert.equal(d.check('credentials').status, 'fail');
});
