// The only place that picks an adapter. It resolves the profile's credentials, builds the one HTTP client with the
// right auth and hands it to the adapter.
import type { Env } from '../env.js';
import type { ConfigStore } from '../config/profiles.js';
import { AuthError, UsageError } from '../errors.js';
import { envHint, REQUIRED_SECRETS, type CredentialStore, type ResolvedAuth, type Sourced } from '../config/credentials.js';
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

/**
 * The credentials are missing. When the profile named (-p or WA_PROFILE) is not in config.json at all, that is the
 * cause, most often a typo: said so, with the profiles there are, rather than "no credentials" for a provider guessed.
 * `profiles` lists the configured ones when the profile is unknown.
 */
export function missingCredentialError(auth: ResolvedAuth, profiles?: { known: string[]; file: string }): AuthError | UsageError {
  if (profiles && auth.profile !== 'default') {
    const known = profiles.known.length ? `the profiles there are ${profiles.known.map((p) => `"${p}"`).join(', ')}` : 'it holds none yet';
    return new UsageError(`No profile "${auth.profile}" in ${profiles.file}; ${known}.`, {
      hint: `Check -p (or WA_PROFILE), or create it with \`wa-cli -p ${shellWord(auth.profile)} auth login\`.`,
    });
  }
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
  const config = await ctx.config();
  const profile = await config.profile(ctx.profileName);
  const auth = await (await ctx.credentials()).resolve(ctx.profileName, profile);
  if (profile === undefined && REQUIRED_SECRETS[auth.method].some((n) => !auth.secrets[n])) {
    throw missingCredentialError(auth, { known: Object.keys((await config.load()).profiles), file: config.file });
  }
  return providerFromAuth(ctx, auth);
}

/** Where the base URL came from, in words for an error message. */
function baseUrlSource(auth: ResolvedAuth): string {
  const b = auth.baseUrl;
  if (b.source === 'env') return b.envVar ?? 'the environment';
  if (b.source === 'config') return `the profile "${auth.profile}" in config.json (set with auth login --base-url)`;
  return 'the default (no --base-url at login and no environment variable)';
}

/**
 * A credential that travels in a header (an API key, an access token, the HMAC client id) refused here, naming where
 * it came from, when it holds what no header can carry: undici would refuse the request anyway, without that name.
 */
function checkHeaderCredential(auth: ResolvedAuth, label: string, c: Sourced | undefined): void {
  if (c === undefined) return;
  const bad = /[^\t\x20-\x7e\x80-\xff]/.exec(c.value)?.[0];
  if (bad === undefined) return;
  const what = bad === '\r' || bad === '\n' ? 'a line break (CR or LF)' : bad.charCodeAt(0) < 0x100 ? 'a control character' : `a character past Latin-1 ("${bad}")`;
  const where =
    c.source === 'env'
      ? (c.envVar ?? 'the environment')
      : c.source === 'keychain'
        ? `The ${label} stored in the keychain for profile "${auth.profile}"`
        : c.source === 'file'
          ? `The ${label} stored in the credentials file for profile "${auth.profile}"`
          : `The ${label} of profile "${auth.profile}" in config.json`;
  throw new AuthError(`${where} holds ${what}: it goes in an HTTP header, which cannot carry that.`, {
    hint: c.source === 'env' ? `Set ${c.envVar ?? 'it'} again without it (a trailing newline from a file or a copy is the usual cause).` : 'Log in again with `wa-cli auth login` and give it without that character.',
  });
}

/**
 * What to do about a 401: a secret from the environment overrides the keychain, so logging in again changes nothing;
 * the variable is what to check.
 */
function authHintFor(auth: ResolvedAuth): string | undefined {
  const fromEnv = Object.values(auth.secrets).filter((s) => s?.source === 'env' && s.envVar).map((s) => s!.envVar!);
  if (auth.clientId?.source === 'env' && auth.clientId.envVar) fromEnv.unshift(auth.clientId.envVar);
  if (fromEnv.length === 0) return undefined;
  return `${fromEnv.join(' and ')} ${fromEnv.length === 1 ? 'comes' : 'come'} from the environment and ${fromEnv.length === 1 ? 'overrides' : 'override'} any stored login: check ${fromEnv.length === 1 ? 'its value' : 'their values'} (\`wa-cli auth status\` shows where each credential comes from).`;
}

/** What to do about a foreign 404 when the base URL is only an origin: the path a gateway sits under may be missing. */
function bareOriginHintFor(auth: ResolvedAuth): string | undefined {
  let url: URL;
  try {
    url = new URL(auth.baseUrl.value);
  } catch {
    return undefined;
  }
  if (url.pathname.replace(/\/+$/, '') !== '') return undefined;
  return `The base URL ${url.origin} is only an origin, from ${baseUrlSource(auth)}: if the API is served under a path on that host, put that path in the base URL (e.g. ${url.origin}/PATH).`;
}

function hints(auth: ResolvedAuth): { authHint?: string; bareOriginHint?: string } {
  const authHint = authHintFor(auth);
  const bareOriginHint = bareOriginHintFor(auth);
  return { ...(authHint ? { authHint } : {}), ...(bareOriginHint ? { bareOriginHint } : {}) };
}

/** Builds the adapter for resolved credentials (also used by `auth login` to check them before storing). */
export async function providerFromAuth(ctx: ProviderDeps, auth: ResolvedAuth): Promise<Provider> {
  for (const name of REQUIRED_SECRETS[auth.method]) if (!auth.secrets[name]) throw missingCredentialError(auth);
  checkHeaderCredential(auth, 'API key', auth.secrets['api-key']);
  checkHeaderCredential(auth, 'access token', auth.secrets['access-token']);
  if (auth.method === 'hmac') checkHeaderCredential(auth, 'client id', auth.clientId);
  // Every secret behind this client: a server's error text that echoes one is redacted before it is shown or stored.
  const secrets = Object.values(auth.secrets).map((s) => s.value);

  if (auth.provider === 'konekwa') {
    const { KonekwaProvider } = await import('./konekwa/adapter.js');
    const http = new HttpClient({
      ...httpOptionsFor(ctx, 'Konekwa'),
      ...hints(auth),
      baseUrl: auth.baseUrl.value,
      baseUrlSource: baseUrlSource(auth),
      auth: { kind: 'api-key', key: auth.secrets['api-key']!.value },
      readError: readKonekwaError,
      secrets,
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
      const tokenHttp = qontakTokenClient(ctx, auth.baseUrl.value, [...secrets, clientSecret], baseUrlSource(auth));
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
    ...hints(auth),
    baseUrl: auth.baseUrl.value,
    prefix: QONTAK_PREFIX[auth.method === 'oauth' ? 'oauth' : 'hmac'],
    auth: httpAuth,
    readError: readQontakError,
    secrets,
    ...(refreshAuth ? { refreshAuth } : {}),
  });
  return new QontakProvider(http, auth.method);
}


/** The client of Qontak's token endpoint: no auth of its own, Qontak's error reading. */
function qontakTokenClient(ctx: ProviderDeps, baseUrl: string, secrets: readonly string[], source?: ReturnType<typeof baseUrlSource>): HttpClient {
  return new HttpClient({ ...httpOptionsFor(ctx, 'Qontak'), baseUrl, ...(source ? { baseUrlSource: source } : {}), auth: { kind: 'none' }, readError: readQontakError, secrets });
}

/** `auth login`'s password grant: a Qontak username and password exchanged for a token pair, nothing stored here. */
export async function qontakPasswordGrant(
  ctx: ProviderDeps,
  baseUrl: string,
  g: { username: string; password: string; clientId: string; clientSecret: string },
): Promise<{ accessToken: string; refreshToken: string | undefined }> {
  const { requestToken } = await import('./qontak/oauth.js');
  const tokens = await requestToken(qontakTokenClient(ctx, baseUrl, [g.password, g.clientSecret]), { grant_type: 'password', username: g.username, password: g.password, client_id: g.clientId, client_secret: g.clientSecret });
  return { accessToken: tokens.access_token, refreshToken: tokens.refresh_token };
}
