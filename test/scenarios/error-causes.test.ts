// Errors that name their cause: the variable a base URL came from, a base URL with a path, plain HTTP off localhost.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import https from 'node:https';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { runCli } from '../helpers/cli.js';
import { sharedTestBed } from '../helpers/sandbox.js';
import { selfSignedCert } from '../helpers/tls-cert.js';

const bed = sharedTestBed();

/** A port on 127.0.0.1 with nothing listening: bound, then released. */
async function closedPort(): Promise<number> {
  const srv = net.createServer();
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  const port = (srv.address() as net.AddressInfo).port;
  await new Promise<void>((r) => srv.close(() => r()));
  return port;
}

test('a refused connection names the variable the base URL came from (exit 6)', async () => {
  const port = await closedPort();
  const r = await runCli(['channels', 'list'], { env: bed.env('konekwa', { KONEKWA_BASE_URL: `http://127.0.0.1:${port}` }) });
  assert.equal(r.code, 6, r.stderr);
  assert.match(r.stderr, new RegExp(`nothing is listening at 127\\.0\\.0\\.1:${port} \\(ECONNREFUSED\\)\\. The base URL http://127\\.0\\.0\\.1:${port} comes from KONEKWA_BASE_URL\\.`));
});

test('a 404 under a base URL with a path hints at the base URL (exit 3)', async () => {
  const r = await runCli(['channels', 'list'], { env: bed.env('qontak-hmac', { MEKARI_API_BASE_URL: `${bed.sandbox.url}/v2` }) });
  assert.equal(r.code, 3, r.stderr);
  assert.match(r.stderr, new RegExp(`has a path \\(/v2\\) that every request goes under; the base URL is usually just the origin, e\\.g\\. ${bed.sandbox.url.replace(/\./g, '\\.')}`));
});

test('plain HTTP to a LAN host is refused with the way to allow it; WA_ALLOW_HTTP=1 allows it', async () => {
  const port = new URL(bed.sandbox.url).port;
  // 0.0.0.0 is not a loopback name, yet on Linux a connection to it reaches the sandbox on 127.0.0.1.
  const lan = `http://0.0.0.0:${port}/konekwa`;
  const refused = await runCli(['channels', 'list'], { env: bed.env('konekwa', { KONEKWA_BASE_URL: lan }) });
  assert.equal(refused.code, 2);
  assert.match(refused.stderr, /is not HTTPS/);
  assert.match(refused.stderr, /set WA_ALLOW_HTTP=1 to allow plain HTTP/);
  const allowed = await runCli(['channels', 'list', '--json'], { env: bed.env('konekwa', { KONEKWA_BASE_URL: lan, WA_ALLOW_HTTP: '1' }) });
  assert.equal(allowed.code, 0, allowed.stderr);
  assert.ok((JSON.parse(allowed.stdout) as unknown[]).length > 0);
});

test('a 401 when the local clock is 2 hours fast says the clock is off and to fix it, not to log in again (exit 4)', async () => {
  const ahead = await runCli(['channels', 'list'], { env: bed.env('qontak-hmac'), init: { now: () => Date.now() + 2 * 3600_000 } });
  assert.equal(ahead.code, 4, ahead.stderr);
  assert.match(ahead.stderr, /refused the request \(401\): "Unauthorized": this computer's clock is 120 minutes ahead of the server's \(\w{3}, \d{2} \w{3} \d{4} [\d:]{8} GMT\)\./);
  assert.match(ahead.stderr, /within 5 minutes of the server's clock: set this computer's clock right/);
  assert.doesNotMatch(ahead.stderr, /log in again/);
  const behind = await runCli(['channels', 'list'], { env: bed.env('qontak-hmac'), init: { now: () => Date.now() - 7 * 60_000 } });
  assert.equal(behind.code, 4, behind.stderr);
  assert.match(behind.stderr, /clock is 7 minutes behind the server's/);
});

test('a 401 within the clock window names the signature and the clock before the credentials, and claims no clock difference', async () => {
  const r = await runCli(['channels', 'list'], { env: bed.env('qontak-hmac', { MEKARI_API_CLIENT_SECRET: 'not-the-secret' }), init: { now: () => Date.now() + 60_000 } });
  assert.equal(r.code, 4, r.stderr);
  assert.match(r.stderr, /refused the request \(401\): "Unauthorized": the signature or the clock, or else the credentials/);
  assert.doesNotMatch(r.stderr, /minutes? (?:ahead|behind)/);
});

test('a self-signed certificate: exit 1 with the CA hint, and the request is not retried', async (t) => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'wa-tls-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const pem = selfSignedCert(dir);
  if ('skip' in pem) return t.skip(pem.skip);
  let connections = 0;
  let requests = 0;
  const server = https.createServer({ key: readFileSync(pem.key), cert: readFileSync(pem.cert) }, (_req, res) => {
    requests++;
    res.end('{}');
  });
  server.on('connection', () => connections++);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  t.after(() => new Promise<void>((r) => server.close(() => r())));
  const url = `https://127.0.0.1:${(server.address() as net.AddressInfo).port}`;
  // A GET, which any transient failure would retry.
  const r = await runCli(['channels', 'list'], { env: bed.env('konekwa', { KONEKWA_BASE_URL: url }) });
  assert.equal(r.code, 1, r.stderr);
  assert.match(r.stderr, /presented a certificate that is not trusted \((DEPTH_ZERO_SELF_SIGNED_CERT|SELF_SIGNED_CERT_IN_CHAIN)\b/);
  assert.match(r.stderr, /The base URL https:\/\/127\.0\.0\.1:\d+ comes from KONEKWA_BASE_URL\./);
  assert.match(r.stderr, /point NODE_EXTRA_CA_CERTS at its PEM file/);
  assert.equal(r.stderr.trimEnd().split('\n').length, 1, r.stderr);
  assert.equal(connections, 1, 'one handshake, no retry');
  assert.equal(requests, 0);
});

test('-p nosuch with no credentials says there is no such profile (exit 2), suggests `wa-cli -p nosuch auth login`, and that works', async () => {
  const home = mkdtempSync(path.join(os.tmpdir(), 'wa-profile-'));
  try {
    const env = { HOME: home, WA_CONFIG_DIR: path.join(home, 'config'), WA_STATE_DIR: path.join(home, 'state'), DBUS_SESSION_BUS_ADDRESS: `unix:path=${home}/no-bus`, WA_PROVIDER: 'konekwa' };
    const r = await runCli(['-p', 'nosuch', 'channels', 'list'], { env });
    assert.equal(r.code, 2, r.stderr);
    assert.match(r.stderr, /No profile "nosuch" in .*config\.json; it holds none yet\./);
    const suggested = /create it with `(wa-cli -p nosuch auth login)`/.exec(r.stderr)?.[1];
    assert.ok(suggested, r.stderr);
    const login = await runCli([...suggested.split(' ').slice(1), '--provider', 'konekwa', '--method', 'api-key', '--base-url', `${bed.sandbox.url}/konekwa`, '--with-secret', '--insecure-storage'], {
      env,
      stdin: `${bed.sandbox.credentials.konekwaApiKey}\n`,
    });
    assert.equal(login.code, 0, login.stderr);
    const after = await runCli(['-p', 'nosuch', 'channels', 'list', '--json'], { env });
    assert.equal(after.code, 0, after.stderr);
  } finally {
    rmSync(home, { recursive: true, force: true });
  }
});
