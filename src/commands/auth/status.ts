import type { Context } from '../../cli/context.js';
import type { Options } from './command.js';
import { redactUrl } from '../../config/base-url.js';
import { AuthError, SilentExit, WaError, ExitCode } from '../../errors.js';
import { REQUIRED_SECRETS, type Sourced } from '../../config/credentials.js';

const describe = (s: Sourced | undefined): string =>
  !s ? 'not set' : s.source === 'env' ? `environment (${s.envVar})` : s.source === 'keychain' ? 'OS keychain' : s.source === 'file' ? '0600 file' : s.source;

export async function run(ctx: Context, opts: Options<'status'>): Promise<void> {
  const config = await ctx.config();
  const profile = await config.profile(ctx.profileName);
  const auth = await (await ctx.credentials()).resolve(ctx.profileName, profile);
  const missing = REQUIRED_SECRETS[auth.method].filter((n) => !auth.secrets[n]);
  const needsClientId = auth.method === 'hmac' && !auth.clientId;

  let live: { ok: boolean; detail: string; code: number } = { ok: false, detail: 'skipped', code: ExitCode.ok };
  if (missing.length > 0 || needsClientId) {
    const { missingCredentialError } = await import('../../providers/factory.js');
    const known = profile === undefined ? { known: Object.keys((await config.load()).profiles), file: config.file } : undefined;
    const e = needsClientId && missing.length === 0 ? new AuthError('no client id') : missingCredentialError(auth, known);
    live = { ok: false, detail: e.hint ? `${e.message} ${e.hint}` : e.message, code: e.exitCode };
  } else if (!opts.offline) {
    try {
      const provider = await ctx.provider();
      live = { ok: true, detail: (await provider.checkAuth()).detail, code: ExitCode.ok };
    } catch (err) {
      if (!(err instanceof WaError)) throw err;
      live = { ok: false, detail: err.message, code: err.exitCode };
    }
  }

  const secrets = Object.fromEntries(
    [...REQUIRED_SECRETS[auth.method], ...Object.keys(auth.secrets)].map((n) => [n, describe(auth.secrets[n as keyof typeof auth.secrets])]),
  );
  const json = {
    profile: auth.profile,
    provider: auth.provider,
    method: auth.method,
    baseUrl: redactUrl(auth.baseUrl.value),
    baseUrlSource: auth.baseUrl.source,
    clientId: auth.clientId?.value ?? null,
    clientIdSource: auth.clientId ? describe(auth.clientId) : null,
    secrets,
    keychainProblem: auth.keychainProblem ?? null,
    check: opts.offline ? null : { ok: live.ok, detail: live.detail },
  };
  const pairs: [string, unknown][] = [
    ['profile', auth.profile],
    ['provider', `${auth.provider} (${auth.method})`],
    ['base URL', `${redactUrl(auth.baseUrl.value)} [${describe(auth.baseUrl)}]`],
  ];
  if (auth.method !== 'api-key') pairs.push(['client id', auth.clientId ? `${auth.clientId.value} [${describe(auth.clientId)}]` : 'not set']);
  for (const [n, where] of Object.entries(secrets)) pairs.push([n, where]);
  if (auth.keychainProblem) pairs.push(['keychain', auth.keychainProblem]);
  if (!opts.offline) pairs.push(['check', live.ok ? `ok, ${live.detail}` : `FAILED: ${live.detail}`]);
  ctx.out.details(pairs, json);
  if (live.code !== ExitCode.ok) throw new SilentExit(live.code as typeof ExitCode.auth);
}
