import type { Context } from '../../cli/context.js';
import type { Options } from './command.js';
import { AuthError, UsageError } from '../../errors.js';
import { readAllStdin } from '../../cli/stdin.js';
import { hasUserinfo, redactUrl } from '../../config/base-url.js';
import { DEFAULT_BASE_URLS, type ResolvedAuth, type SecretName } from '../../config/credentials.js';
import { KeychainUnavailableError } from '../../config/keychain.js';
import type { AuthMethod, Profile, ProviderName } from '../../config/profiles.js';
import { TransientError, WaError } from '../../errors.js';
import { loginJson } from '../../cli/present/credentials.js';

const SECRET_LABEL: Record<AuthMethod, string> = {
  hmac: 'Mekari client secret',
  oauth: 'Qontak access token',
  'api-key': 'Konekwa API key',
};

export async function run(ctx: Context, opts: Options<'login'>): Promise<void> {
  const profileName = ctx.profileName;
  const existing = await (await ctx.config()).profile(profileName);
  const provider: ProviderName =
    opts.provider ??
    (ctx.prompter.canPrompt
      ? await ctx.prompter.select(
          'Which API?',
          [
            { name: 'Mekari Qontak Omnichannel', value: 'qontak' },
            { name: 'Konekwa WhatsApp gateway', value: 'konekwa' },
          ],
          { flag: '--provider' },
        )
      : (existing?.provider ?? 'qontak'));
  const method: AuthMethod = opts.method ?? (provider === 'konekwa' ? 'api-key' : 'hmac');
  if ((provider === 'konekwa') !== (method === 'api-key')) {
    throw new UsageError(`--method ${method} does not go with --provider ${provider}: Qontak takes hmac or oauth, Konekwa api-key.`);
  }
  const baseUrl = opts.baseUrl ?? DEFAULT_BASE_URLS[method];
  if (hasUserinfo(baseUrl)) {
    throw new UsageError(`--base-url "${redactUrl(baseUrl)}" carries a user name or password; give the URL without them (secrets go in with --with-secret or the prompt).`);
  }
  try {
    new URL(baseUrl);
  } catch {
    throw new UsageError(`--base-url "${baseUrl}" is not a URL.`);
  }

  let clientId: string | undefined;
  if (method === 'oauth' && opts.clientId === undefined) {
    // Qontak publishes one OAuth client pair and says it "should not be modified": no question to ask.
    clientId = (await import('../../providers/qontak/oauth.js')).QONTAK_PUBLISHED_CLIENT.id;
  } else if (method !== 'api-key') {
    clientId = opts.clientId ?? (await ctx.prompter.input(method === 'hmac' ? 'Mekari client id' : 'Qontak OAuth client id', { flag: '--client-id' }));
    if (!clientId.trim()) throw new UsageError('--client-id is empty.');
    clientId = clientId.trim();
  }

  const secrets: Partial<Record<SecretName, string>> = {};
  if (opts.withSecret) {
    const value = (await readAllStdin(ctx, '--with-secret')).replace(/\r?\n$/, '');
    if (!value) throw new UsageError('--with-secret read nothing from standard input.');
    secrets[method === 'hmac' ? 'client-secret' : method === 'oauth' ? 'access-token' : 'api-key'] = value;
  } else if (method === 'oauth') {
    Object.assign(secrets, await oauthInteractive(ctx, baseUrl, clientId!));
  } else {
    const value = await ctx.prompter.secret(SECRET_LABEL[method], { flag: '--with-secret' });
    if (!value) throw new UsageError(`The ${SECRET_LABEL[method]} is empty.`);
    secrets[method === 'hmac' ? 'client-secret' : 'api-key'] = value;
  }

  if (opts.verify !== false) await verify(ctx, { profileName, provider, method, baseUrl, clientId, secrets });

  const insecure = opts.insecureStorage === true;
  try {
    await (await ctx.credentials()).save(profileName, secrets, insecure);
  } catch (err) {
    if (err instanceof KeychainUnavailableError) {
      throw new AuthError(`Cannot store the secret: ${err.message}.`, {
        hint: 'Use environment variables instead (see `wa-cli auth status`), or run again with --insecure-storage to keep it in a 0600 file.',
      });
    }
    throw err;
  }
  const profile: Profile = {
    ...(existing?.provider === provider ? existing : {}),
    provider,
    method,
    baseUrl,
    ...(clientId ? { clientId } : {}),
    storage: insecure ? 'file' : 'keychain',
  };
  await (await ctx.config()).saveProfile(profileName, profile);
  const where = insecure ? `the 0600 file ${ctx.paths.insecureCredentialsFile}` : 'the OS keychain';
  ctx.out.info(`Logged in: profile "${profileName}", ${provider} (${method}) at ${baseUrl}; secret stored in ${where}.`);
  if (ctx.globals.json) ctx.out.json(loginJson({ profile: profileName, provider, method, baseUrl, storage: profile.storage }));
}

async function oauthInteractive(ctx: Context, baseUrl: string, clientId: string): Promise<Partial<Record<SecretName, string>>> {
  const token = await ctx.prompter.secret('Access token (leave empty to sign in with username and password)', { flag: '--with-secret' });
  if (token) return { 'access-token': token };
  const username = await ctx.prompter.input('Qontak username (e-mail)', { flag: '--with-secret' });
  const password = await ctx.prompter.secret('Password', { flag: '--with-secret' });
  const { clientSecretFor } = await import('../../providers/qontak/oauth.js');
  const published = clientSecretFor(clientId, undefined);
  const clientSecret = published ?? (await ctx.prompter.secret('Qontak OAuth client secret', { flag: '--with-secret' }));
  const { qontakPasswordGrant } = await import('../../providers/factory.js');
  let tokens: Awaited<ReturnType<typeof qontakPasswordGrant>>;
  try {
    tokens = await qontakPasswordGrant(ctx, baseUrl, { username, password, clientId, clientSecret });
  } catch (err) {
    // No Qontak document shows the password grant (public clients use it): a refusal says so, in the server's words.
    if (err instanceof WaError && !(err instanceof TransientError)) {
      throw new AuthError(`${err.message} Qontak's documents show only the refresh grant; the username and password exchange is the one public clients use.`, {
        hint: 'Run it again and paste an access token from the Qontak web app at the first question, or use --method hmac.',
        cause: err,
      });
    }
    throw err;
  }
  return {
    'access-token': tokens.accessToken,
    ...(tokens.refreshToken ? { 'refresh-token': tokens.refreshToken } : {}),
    // The published secret is not a secret: only another pair's is stored.
    ...(published ? {} : { 'client-secret': clientSecret }),
  };
}

/** A live call with the new credentials before anything is stored: a typo is caught now, not in tonight's cron job. */
async function verify(
  ctx: Context,
  a: { profileName: string; provider: ProviderName; method: AuthMethod; baseUrl: string; clientId: string | undefined; secrets: Partial<Record<SecretName, string>> },
): Promise<void> {
  const { providerFromAuth } = await import('../../providers/factory.js');
  const auth: ResolvedAuth = {
    profile: a.profileName,
    provider: a.provider,
    method: a.method,
    baseUrl: { value: a.baseUrl, source: 'config' },
    clientId: a.clientId ? { value: a.clientId, source: 'config' } : undefined,
    secrets: Object.fromEntries(Object.entries(a.secrets).map(([k, v]) => [k, { value: v, source: 'keychain' }])),
    keychainProblem: undefined,
  };
  const provider = await providerFromAuth(ctx, auth);
  try {
    const check = await provider.checkAuth();
    ctx.out.info(`Checked: ${check.detail}.`);
  } catch (err) {
    if (err instanceof TransientError) {
      ctx.out.warn(`could not reach ${a.baseUrl} to check the credentials (${err.message}); storing them unchecked.`);
      return;
    }
    throw err;
  }
}
