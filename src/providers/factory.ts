// The only place that picks an adapter. It resolves the profile's credentials, builds the one HTTP client with the
// right auth and hands it to the adapter.
import type { Env } from '../env.js';
import type { ConfigStore } from '../config/profiles.js';
import { AuthError } from '../errors.js';
import { envHint, REQUIRED_SECRETS, type CredentialStore, type ResolvedAuth } from '../config/credentials.js';
import { HttpClient, type HttpAuth, type WaitNotice } from './http.js';
import { TransportError } from './errors.js';
import type { Provider } from './port.js';
import { readQontakError } from './qontak/errors.js';
import { readKonekwaError } from './konekwa/errors.js';

/** What building a provider needs of the outside world (the CLI's Context provides it). */
export interface ProviderDeps {
  readonly env: Env;
  readonly now: () => number;
  readonly signal: AbortSignal;
  readonly profileName: string;
  /** `verbose`: whether debug lines are shown (the HTTP client then logs each exchange; otherwise it builds none). */
  readonly out: { debug(line: string): void; readonly verbose: boolean };
  /** Told before each "please wait" wait, for a countdown (optional). */
  readonly onWait?: (w: WaitNotice) => void;
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
  config(): Promise<ConfigStore>;
  credentials(): Promise<CredentialStore>;
}

/** A word as a shell reads it back: quoted only when it must be. */
const shellWord = (w: string): string => (/^[\w.@%+=:,/-]+$/.test(w) ? w : `'${w.replace(/'/g, `'\\''`)}'`);

export function missingCredentialError(auth: ResolvedAuth): AuthError {
  const label = auth.provider === 'qontak' ? `Qontak (${auth.method})` : 'Konekwa';
  // -p before the noun: it is the program's option, and that is where every example puts it.
  const login = `wa-cli${auth.profile === 'default' ? '' : ` -p ${shellWord(auth.profile)}`} auth login`;
  const fix = `Run \`${login}\`, or set ${envHint(auth.method)}.`;
  if (auth.keychainProblem) {
    return new AuthError(`No ${label} credentials for profile "${auth.profile}": ${auth.keychainProblem}.`, {
      hint: `Set ${envHint(auth.method)}, or run \`${login} --insecure-storage\` to keep them in a 0600 file.`,
    });
  }
  return new AuthError(`No ${label} credentials for profile "${auth.profile}".`, { hint: fix });
}

export function httpOptionsFor(ctx: ProviderDeps, apiName: string) {
  return {
    env: ctx.env,
    apiName,
    sleep: (ms: number, signal?: AbortSignal) => ctx.sleep(ms, signal),
    now: ctx.now,
    signal: ctx.signal,
    ...(ctx.out.verbose ? { log: (line: string) => ctx.out.debug(line) } : {}),
    ...(ctx.env.WA_HTTP_TIMEOUT_MS ? { timeoutMs: Number(ctx.env.WA_HTTP_TIMEOUT_MS) } : {}),
    ...(ctx.env.WA_PLEASE_WAIT_MS ? { pleaseWaitDeadlineMs: Number(ctx.env.WA_PLEASE_WAIT_MS) } : {}),
    ...(ctx.onWait ? { onWait: ctx.onWait } : {}),
  };
}

export async function createProvider(ctx: ProviderDeps): Promise<Provider> {
  const profile = await (await ctx.config()).profile(ctx.profileName);
  return providerFromAuth(ctx, await (await ctx.credentials()).resolve(ctx.profileName, profile));
}

/** Where the base URL came from, in words for an error message. */
function baseUrlSource(auth: ResolvedAuth): string {
  const b = auth.baseUrl;
  if (b.source === 'env') return b.envVar ?? 'the environment';
  if (b.source === 'config') return `the profile "${auth.profile}" in config.json (set with auth login --base-url)`;
  return 'the default (no --base-url at login and no environment variable)';
}

/** Builds the adapter for resolved credentials (also used by `auth login` to check them before storing). */
export async function providerFromAuth(ctx: ProviderDeps, auth: ResolvedAuth): Promise<Provider> {
  for (const name of REQUIRED_SECRETS[auth.method]) if (!auth.secrets[name]) throw missingCredentialError(auth);

  if (auth.provider === 'konekwa') {
    const { KonekwaProvider } = await import('./konekwa/adapter.js');
    const http = new HttpClient({
      ...httpOptionsFor(ctx, 'Konekwa'),
      baseUrl: auth.baseUrl.value,
      baseUrlSource: baseUrlSource(auth),
      auth: { kind: 'api-key', key: auth.secrets['api-key']!.value },
      readError: readKonekwaError,
    });
    return new KonekwaProvider(http);
  }

  const { QontakProvider, QONTAK_PREFIX } = await import('./qontak/adapter.js');
  let httpAuth: HttpAuth;
  let refreshAuth: (() => Promise<boolean>) | undefined;
  if (auth.method === 'hmac') {
    if (!auth.clientId) {
      throw new AuthError(`No Qontak client id for profile "${auth.profile}".`, {
        hint: 'Set MEKARI_API_CLIENT_ID, or run `wa-cli auth login --client-id ID`.',
      });
    }
    // WA_HMAC_DIGEST=1 adds the optional Digest header (Mekari KB) for gateways that ask for it.
    const digest = /^(1|true|yes|on)$/i.test(ctx.env.WA_HMAC_DIGEST ?? '');
    httpAuth = { kind: 'hmac', clientId: auth.clientId.value, secret: auth.secrets['client-secret']!.value, ...(digest ? { digest } : {}) };
  } else {
    let token = auth.secrets['access-token']!.value;
    httpAuth = { kind: 'bearer', token: () => token };
    refreshAuth = async () => {
      const refreshToken = auth.secrets['refresh-token']?.value;
      const { requestToken, clientSecretFor, QONTAK_PUBLISHED_CLIENT } = await import('./qontak/oauth.js');
      // The published pair "should not be modified": it is the default when the profile names no other.
      const clientId = auth.clientId?.value ?? QONTAK_PUBLISHED_CLIENT.id;
      const clientSecret = clientSecretFor(clientId, auth.secrets['client-secret']?.value);
      if (!refreshToken || !clientSecret || auth.secrets['access-token']?.source === 'env') return false;
      const tokenHttp = qontakTokenClient(ctx, auth.baseUrl.value, baseUrlSource(auth));
      let fresh: Awaited<ReturnType<typeof requestToken>>;
      try {
        fresh = await requestToken(tokenHttp, {
          grant_type: 'refresh_token',
          refresh_token: refreshToken,
          client_id: clientId,
          client_secret: clientSecret,
        });
      } catch (err) {
        // Sent once; when the answer was lost the server may have rotated the pair already.
        if (err instanceof TransportError && err.maybeActed) {
          throw new AuthError(`The Qontak token refresh got no clear answer (${err.message.replace(/\.$/, '')}); the stored refresh token may already be spent.`, {
            hint: 'Run the command again: if it is refused, log in again with `wa-cli auth login`. The refresh was not retried, so no second token pair was lost.',
          });
        }
        throw err;
      }
      // The new pair is stored before it is used; until then the old pair stays where it was.
      try {
        await (await ctx.credentials()).save(
          auth.profile,
          { 'access-token': fresh.access_token, ...(fresh.refresh_token ? { 'refresh-token': fresh.refresh_token } : {}) },
          auth.secrets['access-token']?.source === 'file',
        );
      } catch (err) {
        throw new AuthError(`Qontak issued a new token pair but it could not be stored (${err instanceof Error ? err.message : String(err)}); the old refresh token no longer works.`, {
          hint: 'Fix the credential store, then log in again with `wa-cli auth login`.',
        });
      }
      token = fresh.access_token;
      ctx.out.debug('refreshed the Qontak access token and stored it');
      return true;
    };
  }
  const http = new HttpClient({
    ...httpOptionsFor(ctx, 'Qontak'),
    baseUrl: auth.baseUrl.value,
    prefix: QONTAK_PREFIX[auth.method === 'oauth' ? 'oauth' : 'hmac'],
    auth: httpAuth,
    readError: readQontakError,
    ...(refreshAuth ? { refreshAuth } : {}),
  });
  return new QontakProvider(http, auth.method);
}


/** The client of Qontak's token endpoint: no auth of its own, Qontak's error reading. */
function qontakTokenClient(ctx: ProviderDeps, baseUrl: string, source?: ReturnType<typeof baseUrlSource>): HttpClient {
  return new HttpClient({ ...httpOptionsFor(ctx, 'Qontak'), baseUrl, ...(source ? { baseUrlSource: source } : {}), auth: { kind: 'none' }, readError: readQontakError });
}

/** `auth login`'s password grant: a Qontak username and password exchanged for a token pair, nothing stored here. */
export async function qontakPasswordGrant(
  ctx: ProviderDeps,
  baseUrl: string,
  g: { username: string; password: string; clientId: string; clientSecret: string },
): Promise<{ accessToken: string; refreshToken: string | undefined }> {
  const { requestToken } = await import('./qontak/oauth.js');
  const tokens = await requestToken(qontakTokenClient(ctx, baseUrl), { grant_type: 'password', username: g.username, password: g.password, client_id: g.clientId, client_secret: g.clientSecret });
  return { accessToken: tokens.access_token, refreshToken: tokens.refresh_token };
}
