// The legacy Qontak host's OAuth token endpoint (password and refresh grants).
import type { HttpClient } from '../http.js';

/**
 * The client pair Qontak's authentication page publishes for its token endpoint, with "The `client_id` and
 * `client_secret` should not be modified" (qontak-omnichannel-api-notes.txt, "Token Refresh Request Example"): the
 * default whenever no other pair is given.
 */
export const QONTAK_PUBLISHED_CLIENT = { id: 'RRrn6uIxalR_QaHFlcKOqbjHMG63elEdPTair9B9YdY', secret: 'Sa8IGIh_HpVK1ZLAF0iFf7jU760osaUNV659pBIZR00' } as const;

/** The secret that goes with `clientId`: the one stored, else the published one when the id is the published id. */
export function clientSecretFor(clientId: string, stored: string | undefined): string | undefined {
  return stored ?? (clientId === QONTAK_PUBLISHED_CLIENT.id ? QONTAK_PUBLISHED_CLIENT.secret : undefined);
}

export interface OAuthTokens {
  access_token: string;
  token_type?: string;
  expires_in?: number;
  refresh_token?: string;
  created_at?: number;
}

/**
 * The refresh grant is the seed's; the password grant is Doorkeeper's standard one that public clients use, not shown
 * by any Qontak document [inferred]: a refusal of it is quoted in the server's own words.
 */
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
