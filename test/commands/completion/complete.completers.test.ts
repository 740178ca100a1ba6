// Value completers: profiles from config.json, template names and channels from the account (the sandbox), run ids
// from the state folder. Each is silent when it cannot answer, and a request that hangs is cut off, not waited for.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { runCli } from '../../helpers/cli.js';
import { repoRoot } from '../../helpers/paths.js';
import { sharedTestBed } from '../../helpers/sandbox.js';
import { createRun } from '../../../src/core/runs/plan-write.js';
import type { RunHeader } from '../../../src/core/runs/plan.js';

const bed = sharedTestBed();

async function complete(words: string[], env: Record<string, string>): Promise<{ words: string[]; stderr: string }> {
  const r = await runCli(['__complete', ...words], { env });
  assert.equal(r.code, 0, r.stderr);
  return { words: r.stdout.split('\n').filter(Boolean), stderr: r.stderr };
}
const values = async (words: string[], env: Record<string, string>): Promise<string[]> => (await complete(words, env)).words;

async function listed<T>(args: string[], env: Record<string, string>, pick: (x: T) => string): Promise<string[]> {
  const r = await runCli([...args, '--json'], { env });
  assert.equal(r.code, 0, r.stderr);
  return [...new Set((JSON.parse(r.stdout) as T[]).map(pick))].sort();
}

test('--template and a template argument offer the names on the account, by prefix', async () => {
  for (const flavour of ['qontak-hmac', 'konekwa'] as const) {
    const env = bed.env(flavour);
    const names = await listed<{ name: string }>(['templates', 'list', '--all'], env, (t) => t.name);
    assert.ok(names.length > 2, `${flavour}: the sandbox holds templates`);
    assert.deepEqual(await values(['broadcast', 'send', '--template', ''], env), names, flavour);
    const first = names[0]!;
    const prefix = first.slice(0, 3);
    assert.deepEqual(await values(['broadcast', 'send', '--template', prefix], env), names.filter((n) => n.startsWith(prefix)));
    assert.deepEqual(await values(['templates', 'show', ''], env), names);
    assert.deepEqual(await values(['broadcast', 'send', `--template=${prefix}`], env), names.filter((n) => n.startsWith(prefix)).map((n) => `--template=${n}`));
  }
});

test('--channel offers the channel ids, and after a comma the next one of a list', async () => {
  const env = bed.env('konekwa');
  const ids = await listed<{ id: string }>(['channels', 'list'], env, (c) => c.id);
  assert.deepEqual(ids, ['ses_backup', 'ses_main01']);
  assert.deepEqual(await values(['broadcast', 'send', '--channel', ''], env), ids);
  assert.deepEqual(await values(['broadcast', 'send', '--channel', 'ses_main01,ses_b'], env), ['ses_main01,ses_backup']);
  const qontak = bed.env('qontak-hmac');
  assert.deepEqual(await values(['broadcast', 'send', '--channel', ''], qontak), await listed<{ id: string }>(['channels', 'list'], qontak, (c) => c.id));
});

test('--list offers the contact lists on the account (none on Konekwa); logs tail --status the statuses, comma after comma', async () => {
  const qontak = bed.env('qontak-hmac');
  bed.sandbox.state.seedRecorded();
  const ids = await listed<{ id: string }>(['contacts', 'lists', '--limit', '200'], qontak, (l) => l.id);
  assert.ok(ids.length > 0, 'the sandbox holds contact lists');
  assert.deepEqual(await values(['broadcast', 'send', '--list', ''], qontak), ids);
  assert.deepEqual(await values(['broadcast', 'send', '--list', ids[0]!.slice(0, 6)], qontak), ids.filter((id) => id.startsWith(ids[0]!.slice(0, 6))));
  assert.deepEqual(await complete(['broadcast', 'send', '--list', ''], bed.env('konekwa')), { words: [], stderr: '' });
  assert.deepEqual(await values(['logs', 'tail', 'x', '--status', ''], qontak), ['delivered', 'failed', 'pending', 'read', 'sent']);
  assert.deepEqual(await values(['logs', 'tail', 'x', '--status', 'failed,re'], qontak), ['failed,read']);
});

test('-p/--profile offers the profiles of config.json; a value completer asks the account of the -p given', async () => {
  const sandbox = bed.env('qontak-hmac');
  const konekwa = bed.env('konekwa');
  const dir = mkdtempSync(path.join(os.tmpdir(), 'wa-complete-profiles-'));
  writeFileSync(path.join(dir, 'config.json'), JSON.stringify({ version: 1, profiles: { default: { provider: 'qontak', method: 'hmac' }, gateway: { provider: 'konekwa' }, staging: { provider: 'qontak' } } }));
  // Credentials for both providers from the environment; which one is asked is the profile's choice.
  const { WA_PROVIDER: _q, ...mekari } = sandbox;
  const { WA_PROVIDER: _k, ...gateway } = konekwa;
  const env = { ...mekari, ...gateway, WA_CONFIG_DIR: dir };
  assert.deepEqual(await values(['-p', ''], env), ['default', 'gateway', 'staging']);
  assert.deepEqual(await values(['--profile', 'st'], env), ['staging']);
  assert.deepEqual(await values(['--profile=g'], env), ['--profile=gateway']);
  assert.deepEqual(await values(['-p', 'gateway', 'broadcast', 'send', '--channel', ''], env), ['ses_backup', 'ses_main01']);
  assert.deepEqual(await values(['--profile=gateway', 'broadcast', 'send', '--channel', 'ses_m'], env), ['ses_main01']);
  const qontakChannels = await values(['broadcast', 'send', '--channel', ''], env);
  assert.ok(qontakChannels.length > 0 && !qontakChannels.includes('ses_main01'), 'without -p the default profile (Qontak) is asked');
  // A config.json that is not JSON offers nothing, and says nothing.
  writeFileSync(path.join(dir, 'config.json'), '{ not json');
  assert.deepEqual(await complete(['-p', ''], env), { words: [], stderr: '' });
});

test('run ids complete --resume, broadcast status/report and logs tail/export from the state folder', async () => {
  const stateDir = mkdtempSync(path.join(os.tmpdir(), 'wa-complete-runs-'));
  const env = { WA_STATE_DIR: stateDir };
  assert.deepEqual(await values(['broadcast', 'send', '--resume', ''], env), [], 'no runs yet');
  const header = (runId: string): RunHeader => ({ v: 1, runId, createdAt: '2026-11-22T01:00:00.000Z', provider: 'konekwa', name: 'n', templateId: 't', templateName: 'promo', channelId: 'ses_main01', idempotencyKey: `k-${runId}`, total: 1 });
  for (const id of ['20261122-abcd1234', '20261122-ef567890', '20261201-00aa11bb']) {
    const journal = await createRun(stateDir, header(id), [{ i: 0, row: 2, phone: '6281234567890', name: 'Budi', values: {}, text: 'Halo' }]);
    await journal.close();
  }
  // A folder without a plan is no run.
  mkdirSync(path.join(stateDir, 'runs', '20261122-broken00'));
  const all = ['20261122-abcd1234', '20261122-ef567890', '20261201-00aa11bb'];
  assert.deepEqual(await values(['broadcast', 'send', '--resume', ''], env), all);
  assert.deepEqual(await values(['broadcast', 'send', '--resume', '20261122'], env), all.slice(0, 2));
  assert.deepEqual(await values(['broadcast', 'status', '20261201'], env), ['20261201-00aa11bb']);
  assert.deepEqual(await values(['broadcast', 'report', ''], env), all);
  assert.deepEqual(await values(['logs', 'tail', '2026112'], env), all.slice(0, 2));
  assert.deepEqual(await values(['logs', 'export', ''], env), all);
  // After the id, a flag's value is not a run id.
  assert.deepEqual(await values(['logs', 'tail', '20261122-abcd1234', '--interval', ''], env), []);
});

test('a completer that cannot reach the account offers nothing and prints nothing', async () => {
  // No credentials at all.
  assert.deepEqual(await complete(['broadcast', 'send', '--template', ''], { HOME: bed.dir, WA_CONFIG_DIR: path.join(bed.dir, 'none'), DBUS_SESSION_BUS_ADDRESS: `unix:path=${bed.dir}/no-bus` }), { words: [], stderr: '' });
  // Refused credentials.
  assert.deepEqual(await complete(['broadcast', 'send', '--template', ''], bed.env('qontak-hmac', { MEKARI_API_CLIENT_SECRET: 'wrong' })), { words: [], stderr: '' });
  // Nothing listening.
  const closed = net.createServer();
  await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
  const port = (closed.address() as net.AddressInfo).port;
  await new Promise<void>((resolve) => closed.close(() => resolve()));
  assert.deepEqual(await complete(['broadcast', 'send', '--channel', ''], bed.env('konekwa', { KONEKWA_BASE_URL: `http://127.0.0.1:${port}` })), { words: [], stderr: '' });
});

test('a server that never answers is cut off: the request is abandoned and nothing is offered', async () => {
  let closedByClient!: () => void;
  const abandoned = new Promise<void>((resolve) => (closedByClient = resolve));
  // Read (and dropped), so the end of the connection is seen.
  const silent = net.createServer((socket) => socket.resume().on('close', () => closedByClient()));
  await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
  try {
    const port = (silent.address() as net.AddressInfo).port;
    const r = await complete(['broadcast', 'send', '--template', ''], bed.env('konekwa', { KONEKWA_BASE_URL: `http://127.0.0.1:${port}` }));
    assert.deepEqual(r, { words: [], stderr: '' });
    // The connection is closed by wa-cli, not left waiting for an answer.
    await abandoned;
  } finally {
    silent.close();
  }
});

test('the binary answers a value completion from the account and exits (what a TAB runs)', async () => {
  const env = { PATH: process.env.PATH ?? '', ...bed.env('konekwa') };
  const child = spawn(process.execPath, [path.join(repoRoot, 'bin', 'wa-cli.js'), '__complete', 'broadcast', 'send', '--channel', 'ses_'], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  child.stdout.on('data', (d: Buffer) => (out += d));
  child.stderr.on('data', (d: Buffer) => (err += d));
  const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
  assert.equal(code, 0, err);
  assert.deepEqual(out.split('\n').filter(Boolean), ['ses_backup', 'ses_main01']);
  assert.equal(err, '');
});
