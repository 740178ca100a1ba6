// doctor: one line per check a first send depends on, ✓ or ✗ with the fix; exit 1 when any fails.
import type { Context } from '../../cli/context.js';
import { ExitCode, SilentExit } from '../../errors.js';
import { runDoctor } from '../../core/doctor.js';
import { missingCredentialError } from '../../providers/factory.js';
import { checkLine, doctorJson } from '../../cli/present/doctor.js';

export async function run(ctx: Context): Promise<void> {
  const config = await ctx.config();
  const profile = await config.profile(ctx.profileName);
  const checks = await runDoctor({
    nodeVersion: process.versions.node,
    paths: ctx.paths,
    env: ctx.env,
    profileName: ctx.profileName,
    profile,
    now: ctx.now,
    resolveAuth: async () => (await ctx.credentials()).resolve(ctx.profileName, profile),
    missingCredential: missingCredentialError,
    provider: () => ctx.provider(),
    // The keychain a send would use (the context's, which tests may replace), not one of its own.
    probeKeychain: async () => (await ctx.credentials()).probeKeychain(ctx.profileName),
    unfinishedRuns: async () => (await (await import('../../core/runs/listing.js')).listRunStates(ctx.paths.stateDir)).filter((r) => r.status !== 'done'),
  });
  const failed = checks.filter((c) => c.status === 'fail').length;
  if (ctx.globals.json) ctx.out.json(doctorJson(checks));
  else {
    for (const c of checks) ctx.out.print(checkLine(c));
    ctx.out.info(failed === 0 ? 'Everything a first send needs is in place.' : `${failed} check(s) failed.`);
  }
  if (failed > 0) throw new SilentExit(ExitCode.failed);
}
