// The legacy Qontak host's OAuth token endpoint (password and refresh grants).
import type { HttpClient } from '../http.js';

export interface OAuthTokens {
  access_token: string;
  token_type?: string;
  expires_in?: number;
  refresh_token?: string;
  created_at?: number;
}

export type Grant =
  | { grant_type: 'password'; username: string; password: string; client_id: string; client_secret: string }
  | { grant_type: 'refresh_token'; refresh_token: string; client_id: string; client_secret: string };

/**
 * `tokenHttp` is a client on the host root with no auth: the token path sits outside the API prefix.
 * Sent once, never retried: a refresh answer carries a new refresh token and the old one stops working (tokens
 * rotate, notes@3656), so a retry after a lost answer would spend the only valid refresh token.
 */
export async function requestToken(tokenHttp: HttpClient, grant: Grant): Promise<OAuthTokens> {
  const { body } = await tokenHttp.request<OAuthTokens>({ method: 'POST', path: '/oauth/token', json: grant, idempotent: false, maxAttempts: 1 });
  if (typeof body?.access_token !== 'string' || body.access_token === '') throw new Error('the token answer carries no access_token');
  return body;
}
