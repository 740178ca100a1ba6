import type { Context } from '../../cli/context.js';
import type { Options } from './command.js';
import { AuthError, SilentExit, WaError, ExitCode } from '../../errors.js';
import { REQUIRED_SECRETS, type SecretName } from '../../config/credentials.js';
import { authStatus, type AuthStatus } from '../../cli/present/credentials.js';

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

  const status: AuthStatus = {
    auth,
    secretNames: [...new Set([...REQUIRED_SECRETS[auth.method], ...(Object.keys(auth.secrets) as SecretName[])])],
    check: opts.offline ? undefined : { ok: live.ok, detail: live.detail },
  };
  ctx.out.details(authStatus.details(status), authStatus.toJson(status));
  if (live.code !== ExitCode.ok) throw new SilentExit(live.code as typeof ExitCode.auth);
}
