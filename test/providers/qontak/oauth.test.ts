import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { runCli } from '../../helpers/cli.js';
import { testBed } from '../../helpers/sandbox.js';

test('an expired OAuth token is refreshed once, stored back, and the command succeeds', async () => {
  const bed = await testBed();
  try {
    const c = bed.sandbox.credentials;
    const env = { HOME: bed.dir, WA_CONFIG_DIR: path.join(bed.dir, 'config'), DBUS_SESSION_BUS_ADDRESS: `unix:path=${bed.dir}/none` };
    mkdirSync(env.WA_CONFIG_DIR, { recursive: true });
    writeFileSync(
      path.join(env.WA_CONFIG_DIR, 'config.json'),
      JSON.stringify({ version: 1, profiles: { default: { provider: 'qontak', method: 'oauth', baseUrl: bed.sandbox.url, clientId: c.oauthClientId, storage: 'file' } } }),
    );
    const credFile = path.join(env.WA_CONFIG_DIR, 'credentials.json');
    writeFileSync(
      credFile,
      JSON.stringify({ version: 1, secrets: { 'default/access-token': c.accessToken, 'default/refresh-token': c.refreshToken, 'default/client-secret': c.oauthClientSecret } }),
      { mode: 0o600 },
    );
    bed.sandbox.state.expireAccessTokens();
    const r = await runCli(['channels', 'list', '--json'], { env });
    assert.equal(r.code, 0, r.stderr);
    assert.equal(JSON.parse(r.stdout).length, 3);
    const stored = JSON.parse(readFileSync(credFile, 'utf8')).secrets;
    assert.notEqual(stored['default/access-token'], c.accessToken, 'the new token was stored');
    assert.ok(bed.sandbox.state.validTokens.has(stored['default/access-token']));
    assert.notEqual(stored['default/refresh-token'], c.refreshToken, 'the rotated refresh token was stored');
    // The stored token works on the next run without another refresh.
    const again = await runCli(['channels', 'list'], { env });
    assert.equal(again.code, 0);
    assert.equal(JSON.parse(readFileSync(credFile, 'utf8')).secrets['default/access-token'], stored['default/access-token']);
  } finally {
    await bed.close();
  }
});
