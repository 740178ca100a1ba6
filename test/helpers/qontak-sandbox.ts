// The Qontak adapter over HMAC against a running sandbox, with a virtual sleep that records the waits asked for.
import type { Sandbox } from '../../src/sandbox/index.js';
import type { HttpClientOptions } from '../../src/providers/http.js';

export async function qontakOnSandbox(sb: Sandbox, extra: Partial<HttpClientOptions> = {}) {
  const { HttpClient } = await import('../../src/providers/http.js');
  const { QontakProvider, QONTAK_PREFIX } = await import('../../src/providers/qontak/adapter.js');
  const { readQontakError } = await import('../../src/providers/qontak/errors.js');
  const waits: number[] = [];
  const http = new HttpClient({
    baseUrl: sb.url,
    prefix: QONTAK_PREFIX.hmac,
    auth: { kind: 'hmac', clientId: sb.credentials.hmacClientId, secret: sb.credentials.hmacClientSecret },
    env: {},
    apiName: 'Qontak',
    readError: readQontakError,
    sleep: async (ms) => {
      waits.push(ms);
    },
    ...extra,
  });
  return { provider: new QontakProvider(http, 'hmac'), waits };
}
