import type { Context } from '../../cli/context.js';
import { optOut, optOutListJson } from '../../cli/present/optout.js';
import { openList } from './common.js';

export async function run(ctx: Context): Promise<void> {
  const data = await openList(ctx).load();
  const t = ctx.time;
  await ctx.out.list(data.entries, optOut.columns(t), optOutListJson(data, t));
  if (ctx.globals.json) return;
  ctx.out.info(`${data.entries.length} number(s) opted out of profile "${ctx.profileName}"${data.sync ? `; replies synced up to ${t.text(data.sync.since)}` : ''}.`);
}
