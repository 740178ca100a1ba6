// The environment that points wa-cli at a running sandbox, one set per auth method. Used by `wa-cli sandbox`, the
// demo and the tests, so all three speak to the simulator the same way.
import type { Sandbox } from './index.js';

export function sandboxEnv(sandbox: Pick<Sandbox, 'url' | 'credentials'>): Record<'qontak-hmac' | 'qontak-oauth' | 'konekwa', Record<string, string>> {
  const c = sandbox.credentials;
  return {
    'qontak-hmac': {
      WA_PROVIDER: 'qontak',
      MEKARI_API_BASE_URL: sandbox.url,
      MEKARI_API_CLIENT_ID: c.hmacClientId,
      MEKARI_API_CLIENT_SECRET: c.hmacClientSecret,
    },
    'qontak-oauth': {
      WA_PROVIDER: 'qontak',
      QONTAK_BASE_URL: sandbox.url,
      QONTAK_ACCESS_TOKEN: c.accessToken,
    },
    konekwa: {
      WA_PROVIDER: 'konekwa',
      KONEKWA_BASE_URL: `${sandbox.url}/konekwa`,
      KONEKWA_API_KEY: c.konekwaApiKey,
    },
  };
}
