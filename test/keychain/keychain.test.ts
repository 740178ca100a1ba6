import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, statSync, rmSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { runCli } from '../helpers/cli.js';
import { beforeDeadline } from '../helpers/pty.js';
import { secretServiceMissing, secretToolSearch, startSecretService, type SecretService } from '../helpers/secret-service.js';

const missing = secretServiceMissing();
if (missing && process.env.WA_REQUIRE_KEYRING === '1') throw new Error(`keychain tests required but ${missing}`);
const opts = missing ? { skip: missing } : {};

let ss: SecretService;
let configDir: string;
const env = (extra: Record<string, string> = {}) => ({ ...ss.env, WA_CONFIG_DIR: configDir, ...extra });

before(async () => {
  if (missing) return;
  ss = await startSecretService();
  configDir = mkdtempSync(path.join(os.tmpdir(), 'wa-config-'));
});
after(async () => {
  if (missing) return;
  await ss.stop();
  rmSync(configDir, { recursive: true, force: true });
});

test('auth login --with-secret stores the key in the Secret Service, not in the config file', opts, async () => {
  const r = await runCli(['auth', 'login', '--provider', 'konekwa', '--with-secret', '--no-verify'], { env: env(), stdin: 'kk-secret-123\n' });
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stderr, /OS keychain/);
  const found = secretToolSearch(ss.env, 'default/api-key');
  assert.match(found, /secret = kk-secret-123/);
  const cfgPath = path.join(configDir, 'config.json');
  const cfg = readFileSync(cfgPath, 'utf8');
  assert.doesNotMatch(cfg, /kk-secret-123/);
  assert.equal(JSON.parse(cfg).profiles.default.provider, 'konekwa');
  assert.equal(statSync(cfgPath).mode & 0o777, 0o600);
});

test('auth status names the keychain as the source and never prints the value', opts, async () => {
  const r = await runCli(['auth', 'status', '--offline', '--json'], { env: env() });
  assert.equal(r.code, 0, r.stderr);
  const s = JSON.parse(r.stdout);
  assert.equal(s.provider, 'konekwa');
  assert.equal(s.secrets.apiKey, 'OS keychain');
  assert.doesNotMatch(r.stdout + r.stderr, /kk-secret-123/);
});

test('an environment variable wins over the keychain', opts, async () => {
  const r = await runCli(['auth', 'status', '--offline', '--json'], { env: env({ KONEKWA_API_KEY: 'from-env' }) });
  assert.equal(JSON.parse(r.stdout).secrets.apiKey, 'environment (KONEKWA_API_KEY)');
});

test('auth logout removes the secret from the Secret Service', opts, async () => {
  const r = await runCli(['auth', 'logout'], { env: env() });
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stderr, /1 secret\(s\) removed from the keychain/);
  assert.doesNotMatch(secretToolSearch(ss.env, 'default/api-key'), /secret =/);
  const status = await runCli(['auth', 'status', '--offline'], { env: env() });
  assert.equal(status.code, 4);
});

test('with no Secret Service, login fails within 3 s with the hint and exit 4', async () => {
  const home = mkdtempSync(path.join(os.tmpdir(), 'wa-nokeyring-'));
  const r = await runCli(['auth', 'login', '--provider', 'konekwa', '--with-secret', '--no-verify'], {
    env: { HOME: home, WA_CONFIG_DIR: home, DBUS_SESSION_BUS_ADDRESS: `unix:path=${home}/no-bus`, PATH: process.env.PATH ?? '' },
    stdin: 'abc',
  });
  assert.equal(r.code, 4, r.stderr);
  assert.match(r.stderr, /KONEKWA_API_KEY|environment variables/);
  assert.match(r.stderr, /--insecure-storage/);
  assert.equal(r.stderr.trim().split('\n').length, 1, 'one line');
  // The missing bus is told at once: the guard's timer never had to give up on it (bench/startup.js prints how long).
  assert.doesNotMatch(r.stderr, /no answer within/);
  rmSync(home, { recursive: true, force: true });
});

test('a keychain that never answers is abandoned after 3 s, never a hang', async () => {
  const home = mkdtempSync(path.join(os.tmpdir(), 'wa-hung-'));
  const sock = path.join(home, 'bus');
  const held: net.Socket[] = [];
  const server = net.createServer((s) => held.push(s)); // accepts and says nothing, like a keyring stuck on a prompt
  await new Promise<void>((r) => server.listen(sock, r));
  const login = runCli(['auth', 'login', '--provider', 'konekwa', '--with-secret', '--no-verify'], {
    env: { HOME: home, WA_CONFIG_DIR: home, DBUS_SESSION_BUS_ADDRESS: `unix:path=${sock}`, PATH: process.env.PATH ?? '' },
    stdin: 'abc',
  });
  assert.ok(await beforeDeadline(login, 20_000), 'abandoned, not hung');
  const r = await login;
  for (const s of held) s.destroy();
  server.close();
  assert.equal(r.code, 4);
  // Given up by the guard's own 3 s timer, with its message (bench/startup.js prints how long it took).
  assert.match(r.stderr, /no answer within 3 s/);
  rmSync(home, { recursive: true, force: true });
});

test('--insecure-storage keeps the secret in a 0600 file and says so', async () => {
  const home = mkdtempSync(path.join(os.tmpdir(), 'wa-file-'));
  const e = { HOME: home, WA_CONFIG_DIR: home, DBUS_SESSION_BUS_ADDRESS: `unix:path=${home}/none` };
  const r = await runCli(['auth', 'login', '--provider', 'konekwa', '--with-secret', '--no-verify', '--insecure-storage'], { env: e, stdin: 'file-key' });
  assert.equal(r.code, 0, r.stderr);
  const file = path.join(home, 'credentials.json');
  assert.equal(statSync(file).mode & 0o777, 0o600);
  assert.equal(JSON.parse(readFileSync(file, 'utf8')).secrets['default/api-key'], 'file-key');
  const s = await runCli(['auth', 'status', '--offline', '--json'], { env: e });
  assert.equal(JSON.parse(s.stdout).secrets.apiKey, '0600 file');
  rmSync(home, { recursive: true, force: true });
});
