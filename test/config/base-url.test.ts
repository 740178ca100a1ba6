// A base URL with a user name and password: refused at login (exit 2, one line), shown redacted by auth status when
// it comes from the environment or an old config file, and never written to config.json.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { runCli } from '../helpers/cli.js';
import { privateEnv } from '../helpers/sandbox.js';
import { redactUrl } from '../../src/config/base-url.js';

const home = () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'wa-userinfo-'));
  return {
    dir,
    env: privateEnv(dir),
  };
};

test('auth login --base-url with userinfo: one line, exit 2, the password printed nowhere and nothing stored', async () => {
  const h = home();
  for (const url of ['https://ops:Pa55w0rd@127.0.0.1:9/', 'http://Pa55w0rd@127.0.0.1:9']) {
    const r = await runCli(['auth', 'login', '--provider', 'konekwa', '--base-url', url, '--with-secret', '--insecure-storage', '--no-verify'], { env: h.env, stdin: 'kk-secret-123\n' });
    assert.equal(r.code, 2, r.stderr);
    assert.equal(r.stderr.trim().split('\n').length, 1, r.stderr);
    assert.match(r.stderr, /--base-url "http:?s?:\/\/\*\*\*@127\.0\.0\.1:9\/?" carries a user name or password/);
    assert.ok(!`${r.stdout}${r.stderr}`.includes('Pa55w0rd'));
  }
  assert.equal(existsSync(path.join(h.dir, 'config', 'config.json')), false);
});

test('auth status shows a base URL with userinfo from the environment or config.json redacted', async () => {
  const h = home();
  const env = { ...h.env, KONEKWA_BASE_URL: 'https://ops:Pa55w0rd@gw.example.com/api', KONEKWA_API_KEY: 'kk-secret-123' };
  for (const args of [['auth', 'status', '--offline'], ['--json', 'auth', 'status', '--offline']]) {
    const r = await runCli(args, { env });
    assert.ok(!`${r.stdout}${r.stderr}`.includes('Pa55w0rd'), r.stdout);
    assert.match(r.stdout, /https:\/\/\*\*\*@gw\.example\.com\/api/);
  }
  // A config.json written by hand (or by an older version) with userinfo in it.
  mkdirSync(path.join(h.dir, 'config'), { recursive: true });
  writeFileSync(path.join(h.dir, 'config', 'config.json'), JSON.stringify({ version: 1, profiles: { default: { provider: 'konekwa', method: 'api-key', baseUrl: 'https://ops:Pa55w0rd@gw.example.com', storage: 'file' } } }));
  const r = await runCli(['--json', 'auth', 'status', '--offline'], { env: { ...h.env, KONEKWA_API_KEY: 'kk-secret-123' } });
  assert.ok(!`${r.stdout}${r.stderr}`.includes('Pa55w0rd'), r.stdout + r.stderr);
  assert.match(r.stdout, /\*\*\*@gw\.example\.com/);
  // Logging in again over it with a clean URL replaces it.
  const again = await runCli(['auth', 'login', '--provider', 'konekwa', '--base-url', 'https://gw.example.com', '--with-secret', '--insecure-storage', '--no-verify'], { env: h.env, stdin: 'kk-secret-123\n' });
  assert.equal(again.code, 0, again.stderr);
  assert.ok(!readFileSync(path.join(h.dir, 'config', 'config.json'), 'utf8').includes('Pa55w0rd'));
});

test('redactUrl hides userinfo only', () => {
  assert.equal(redactUrl('https://a:b@h.example/x?y=1'), 'https://***@h.example/x?y=1');
  assert.equal(redactUrl('https://h.example/x@y'), 'https://h.example/x@y');
  assert.equal(redactUrl('https://h.example'), 'https://h.example');
});
