// doctor against a real Secret Service: a secret kept in the keychain is found within its guard and accepted by the
// server; a profile with nothing stored yet still learns whether the keychain could hold it.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { runCli } from '../helpers/cli.js';
import { secretServiceMissing, startSecretService, type SecretService } from '../helpers/secret-service.js';
import { sharedTestBed } from '../helpers/sandbox.js';
import type { Sandbox } from '../../src/sandbox/index.js';

const missing = secretServiceMissing();
if (missing && process.env.WA_REQUIRE_KEYRING === '1') throw new Error(`keychain tests required but ${missing}`);
const opts = missing ? { skip: missing } : {};

let ss: SecretService;
let sb: Sandbox;
let dir: string;
sharedTestBed({}, (bed) => {
  sb = bed.sandbox;
  dir = bed.dir;
});
before(async () => {
  if (missing) return;
  ss = await startSecretService();
});
after(async () => {
  if (missing) return;
  await ss.stop();
});

type Check = { id: string; status: string; detail: string };

test('doctor: the Konekwa key kept in the keychain is found within its guard and accepted; exit 0', opts, async () => {
  const env = { ...ss.env, WA_CONFIG_DIR: path.join(dir, 'config'), WA_STATE_DIR: path.join(dir, 'state') };
  const login = await runCli(['auth', 'login', '--provider', 'konekwa', '--base-url', sb.konekwaBaseUrl, '--with-secret'], { env, stdin: `${sb.credentials.konekwaApiKey}\n` });
  assert.equal(login.code, 0, login.stderr);
  const r = await runCli(['--json', 'doctor'], { env });
  const checks = JSON.parse(r.stdout).checks as Check[];
  assert.equal(r.code, 0, JSON.stringify(checks, null, 1));
  const by = (id: string) => checks.find((c) => c.id === id)!;
  assert.deepEqual([by('keychain').status, by('keychain').detail], ['ok', 'answered within its 3 s guard']);
  assert.match(by('credentials').detail, /api-key from the OS keychain/);
  assert.equal(by('accepted').status, 'ok');
});

test('doctor: a profile with nothing stored yet still learns that the keychain answers', opts, async () => {
  const env = { ...ss.env, WA_CONFIG_DIR: path.join(dir, 'empty-config'), WA_STATE_DIR: path.join(dir, 'empty-state'), WA_PROVIDER: 'konekwa' };
  const r = await runCli(['--json', 'doctor'], { env });
  assert.equal(r.code, 1, 'no credentials');
  const keychain = (JSON.parse(r.stdout).checks as Check[]).find((c) => c.id === 'keychain')!;
  assert.deepEqual([keychain.status, keychain.detail], ['ok', 'reachable (answered within its 3 s guard); this profile keeps no secret in it yet']);
});
