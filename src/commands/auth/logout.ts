import type { Context } from '../../cli/context.js';
import { logoutJson } from '../../cli/present/credentials.js';

export async function run(ctx: Context): Promise<void> {
  const removed = await (await ctx.credentials()).remove(ctx.profileName);
  const hadProfile = await (await ctx.config()).removeProfile(ctx.profileName);
  if (removed.keychainProblem) ctx.out.warn(`the OS keychain could not be reached (${removed.keychainProblem}); nothing was removed from it.`);
  const total = removed.keychain + removed.file;
  ctx.out.info(
    total === 0 && !hadProfile
      ? `Profile "${ctx.profileName}" had nothing stored.`
      : `Logged out of profile "${ctx.profileName}": ${removed.keychain} secret(s) removed from the keychain, ${removed.file} from the file.`,
  );
  if (ctx.globals.json) ctx.out.json(logoutJson({ profile: ctx.profileName, keychain: removed.keychain, file: removed.file, profileRemoved: hadProfile }));
}
