// Each refusal points at its real cause and its fix: a key from the environment, a profile that does not exist, a
// session as it was typed, a list that cannot leave a number out, a config.json written by hand, a base URL that is
// only an origin, and help for a command that is not there.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { runCli } from '../helpers/cli.js';
import { sharedTestBed } from '../helpers/sandbox.js';
import { sheet } from '../helpers/fanout.js';

const bed = sharedTestBed({ listProcessingMs: 20 });

function config(body: unknown): Record<string, string> {
  const dir = path.join(bed.dir, `cfg-${Math.random().toString(16).slice(2)}`);
  mkdirSync(dir, { recursive: true });
  writeFileSync(path.join(dir, 'config.json'), typeof body === 'string' ? body : JSON.stringify(body, null, 2));
  return { WA_CONFIG_DIR: dir };
}

test('a wrong key from the environment names the variable, not "log in again"', async () => {
  const k = await runCli(['channels', 'list'], { env: bed.env('konekwa', { KONEKWA_API_KEY: 'kk_wrong' }) });
  assert.equal(k.code, 4, k.stderr);
  assert.match(k.stderr, /KONEKWA_API_KEY comes from the environment and overrides any stored login: check its value/);
  assert.doesNotMatch(k.stderr, /log in again/);
  const q = await runCli(['channels', 'list'], { env: bed.env('qontak-hmac', { MEKARI_API_CLIENT_SECRET: 'wrong' }) });
  assert.equal(q.code, 4, q.stderr);
  assert.match(q.stderr, /MEKARI_API_CLIENT_ID and MEKARI_API_CLIENT_SECRET come from the environment/);
});

test('-p with a profile config.json does not hold: "no profile", with the ones it holds (exit 2)', async () => {
  const env = { ...bed.env('konekwa'), ...config({ version: 1, profiles: { default: { provider: 'konekwa' }, gateway: { provider: 'konekwa' } } }) };
  delete env.KONEKWA_API_KEY;
  const r = await runCli(['-p', 'gwx', 'channels', 'list'], { env });
  assert.equal(r.code, 2, r.stderr);
  assert.match(r.stderr, /No profile "gwx" in .*config\.json; the profiles there are "default", "gateway"\. Check -p \(or WA_PROFILE\)/);
  assert.doesNotMatch(r.stderr, /Qontak/);
  const viaEnv = await runCli(['channels', 'list'], { env: { ...env, WA_PROFILE: 'gwx' } });
  assert.equal(viaEnv.code, 2, viaEnv.stderr);
  const status = await runCli(['-p', 'gwx', 'auth', 'status'], { env });
  assert.equal(status.code, 2, status.stderr);
  assert.match(status.stdout + status.stderr, /No profile "gwx"/);
});

test('a session that cannot send is named as typed, with what it is and the fix', async () => {
  const env = bed.env('konekwa');
  const base = ['-y', 'broadcast', 'send', '--template', 'promo_nov', '--file', sheet(bed, 2, '0818'), '--param', 'name=full_name'];
  const byId = await runCli([...base, '--channel', 'ses_backup'], { env });
  assert.equal(byId.code, 1, byId.stderr);
  assert.match(byId.stderr, /Channel "ses_backup" \(Backup number\) is DISCONNECTED and cannot send\. Reconnect it .*--channel; `wa-cli channels list` shows which can send\./);
  const byName = await runCli([...base, '--channel', 'Backup number'], { env });
  assert.match(byName.stderr, /Channel "Backup number" \(ses_backup\) is DISCONNECTED/);
});

test('a --list send refused for an opted-out number says to send the spreadsheet with --file', async () => {
  const env = bed.env('qontak-hmac');
  const file = path.join(bed.dir, 'list.csv');
  writeFileSync(file, 'phone_number,full_name,code\r\n081200000011,Budi,A1\r\n081200000012,Siti,B2\r\n');
  const up = await runCli(['contacts', 'upload', file, '--name', 'hints', '--json'], { env });
  assert.equal(up.code, 0, up.stderr);
  const listId = (JSON.parse(up.stdout) as { id: string }[])[0]!.id;
  assert.equal((await runCli(['optout', 'add', '081200000012'], { env })).code, 0);
  const r = await runCli(['-y', 'broadcast', 'send', '--template', 'order_update', '--language', 'id', '--list', listId, '--param', '1=full_name', '--param', '2=code'], { env });
  assert.equal(r.code, 1, r.stderr);
  assert.match(r.stderr, /a list is sent whole\. Send the spreadsheet the list came from with --file instead/);
});

test('config.json as the README shows it is read, with or without "version"; another shape says what it should be', async () => {
  const profiles = { default: { provider: 'konekwa', defaultCountry: 'ID' } };
  for (const body of [{ version: 1, profiles }, { profiles }]) {
    const r = await runCli(['channels', 'list', '--json'], { env: { ...bed.env('konekwa'), ...config(body) } });
    assert.equal(r.code, 0, r.stderr);
  }
  const v2 = await runCli(['channels', 'list'], { env: { ...bed.env('konekwa'), ...config({ version: 2, profiles }) } });
  assert.equal(v2.code, 2);
  assert.match(v2.stderr, /"version": 2; this wa-cli reads version 1 \(or none\)\. It holds \{"version": 1, "profiles": \{"default"/);
  const bare = await runCli(['channels', 'list'], { env: { ...bed.env('konekwa'), ...config(profiles) } });
  assert.equal(bare.code, 2);
  assert.match(bare.stderr, /has no "profiles" object\./);
});

test('a Konekwa base URL that is only the origin: the 404 says the path may be missing', async () => {
  const r = await runCli(['channels', 'list'], { env: bed.env('konekwa', { KONEKWA_BASE_URL: bed.sandbox.url }) });
  assert.equal(r.code, 3, r.stderr);
  assert.match(r.stderr, /found nothing \(404\), and the answer is not Konekwa's own\. The base URL http:\/\/127\.0\.0\.1:\d+ is only an origin, from KONEKWA_BASE_URL: if the API is served under a path on that host, put that path in the base URL/);
  // The API's own "not found" is left as it is.
  const own = await runCli(['logs', 'tail', 'no-such-run'], { env: bed.env('konekwa') });
  assert.doesNotMatch(own.stderr, /only an origin/);
});

test('help for a command that is not there is a usage error naming the commands there are', async () => {
  const r = await runCli(['help', 'nonexist']);
  assert.equal(r.code, 2);
  assert.match(r.stderr, /no command "nonexist"; wa-cli has auth, channels, templates/);
  const verb = await runCli(['help', 'broadcast', 'nope']);
  assert.equal(verb.code, 2);
  assert.match(verb.stderr, /no command "broadcast nope"; wa-cli broadcast has send, status, report, list/);
  const ok = await runCli(['help', 'templates', 'wait']);
  assert.equal(ok.code, 0);
  assert.match(ok.stdout, /Usage: wa-cli templates wait/);
});
