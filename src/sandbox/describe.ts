// What `wa-cli sandbox` prints on start: where each API listens and the credentials that open it. These are throwaway
// secrets of a local simulator, printed on purpose so a user can paste them into a shell.
import type { Sandbox } from './index.js';

export function describeSandbox(sb: Pick<Sandbox, 'url' | 'qontakHmacBaseUrl' | 'qontakOauthBaseUrl' | 'oauthTokenUrl' | 'konekwaBaseUrl' | 'credentials'>): string[] {
  const c = sb.credentials;
  return [
    `Sandbox listening on ${sb.url}`,
    '',
    'Qontak over HMAC (Mekari gateway)',
    `  base URL       ${sb.url}   (requests go to ${sb.qontakHmacBaseUrl}/...)`,
    `  client id      ${c.hmacClientId}`,
    `  client secret  ${c.hmacClientSecret}`,
    '',
    'Qontak over OAuth (legacy host)',
    `  base URL       ${sb.url}   (requests go to ${sb.qontakOauthBaseUrl}/...)`,
    `  token URL      ${sb.oauthTokenUrl}`,
    `  access token   ${c.accessToken}`,
    `  refresh token  ${c.refreshToken}`,
    `  username       ${c.oauthUsername}`,
    `  password       ${c.oauthPassword}`,
    `  client id      ${c.oauthClientId}`,
    `  client secret  ${c.oauthClientSecret}`,
    '',
    'Konekwa',
    `  base URL       ${sb.konekwaBaseUrl}`,
    `  API key        ${c.konekwaApiKey}`,
  ];
}
