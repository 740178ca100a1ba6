import { test } from 'node:test';
import assert from 'node:assert/strict';
import { runCli } from '../../helpers/cli.js';
import { sharedTestBed } from '../../helpers/sandbox.js';

const bed = sharedTestBed();

for (const flavour of ['qontak-hmac', 'qontak-oauth', 'konekwa'] as const) {
  test(`channels list over ${flavour}`, async () => {
    const r = await runCli(['channels', 'list', '--json'], { env: bed.env(flavour) });
    assert.equal(r.code, 0, r.stderr);
    const channels = JSON.parse(r.stdout) as { id: string; name: string; canSend: boolean }[];
    if (flavour === 'konekwa') assert.deepEqual(channels.map((c) => c.id), ['ses_main01', 'ses_backup']);
    else {
      const wa = bed.sandbox.state.integrations.filter((i) => i.target_channel === 'wa' || i.target_channel === 'wa_cloud').map((i) => i.id);
      assert.deepEqual(channels.map((c) => c.id), wa, 'only WhatsApp integrations');
    }
    assert.equal(channels.filter((c) => c.canSend).length, 1);
  });
}

test('channels list prints TSV when piped', async () => {
  const r = await runCli(['channels', 'list'], { env: bed.env('konekwa') });
  assert.equal(r.stdout.trim().split('\n')[0], 'ses_main01\tToko Maju Jaya\t6281100000009\tCONNECTED');
});

test('channels list on a terminal draws a table with headers', async () => {
  const r = await runCli(['channels', 'list'], { env: bed.env('konekwa'), tty: true });
  const plain = r.stdout.replace(/\u001b\[\d+m/g, '');
  assert.match(plain, /│ ID\s+│ NAME\s+│ PHONE\s+│ STATUS\s+│/);
  assert.notEqual(plain, r.stdout, 'headers are bold on a terminal');
  const noColor = await runCli(['channels', 'list'], { env: bed.env('konekwa', { NO_COLOR: '1' }), tty: true });
  assert.doesNotMatch(noColor.stdout, /\u001b\[/, 'NO_COLOR turns colour off');
  assert.match(r.stdout, /ses_backup/);
});

test('a wrong HMAC secret exits 4 with one readable line', async () => {
  const r = await runCli(['channels', 'list'], { env: bed.env('qontak-hmac', { MEKARI_API_CLIENT_SECRET: 'wrong' }) });
  assert.equal(r.code, 4);
  assert.equal(r.stdout, '');
  assert.equal(r.stderr.trim().split('\n').length, 1);
  assert.match(r.stderr, /Qontak refused the request \(401\): "Unauthorized": the signature or the clock, or else the credentials/);
});

test('a wrong API key and a wrong token exit 4 too', async () => {
  assert.equal((await runCli(['channels', 'list'], { env: bed.env('konekwa', { KONEKWA_API_KEY: 'nope' }) })).code, 4);
  assert.equal((await runCli(['channels', 'list'], { env: bed.env('qontak-oauth', { QONTAK_ACCESS_TOKEN: 'nope' }) })).code, 4);
});

test('--verbose logs the exchange with secrets redacted', async () => {
  const env = bed.env('qontak-hmac');
  const r = await runCli(['--verbose', 'channels', 'list'], { env });
  assert.equal(r.code, 0);
  assert.match(r.stderr, /→ GET http:\/\/127\.0\.0\.1:\d+\/qontak\/chat\/v1\/integrations/);
  assert.match(r.stderr, /"authorization":"\[redacted\]"/);
  assert.ok(!r.stderr.includes(env.MEKARI_API_CLIENT_SECRET!));
});

test('a stale clock is refused by the sandbox as the real gateway does (300 s window)', async () => {
  const r = await runCli(['channels', 'list'], { env: bed.env('qontak-hmac'), init: { now: () => Date.now() - 301_000 } });
  assert.equal(r.code, 4);
  const ok = await runCli(['channels', 'list'], { env: bed.env('qontak-hmac'), init: { now: () => Date.now() - 250_000 } });
  assert.equal(ok.code, 0);
});

test('auth status over the sandbox: live check, sources, no secret values', async () => {
  const env = bed.env('qontak-hmac');
  const r = await runCli(['auth', 'status', '--json'], { env });
  assert.equal(r.code, 0, r.stderr);
  const s = JSON.parse(r.stdout);
  assert.equal(s.check.ok, true);
  assert.match(s.check.detail, /3 WhatsApp channels/);
  assert.equal(s.secrets.clientSecret, 'environment (MEKARI_API_CLIENT_SECRET)');
  assert.ok(!r.stdout.includes(env.MEKARI_API_CLIENT_SECRET!));
});
