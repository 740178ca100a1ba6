import type { Context } from '../../cli/context.js';
import { openList } from './common.js';

export async function run(ctx: Context): Promise<void> {
  const data = await openList(ctx).load();
  if (ctx.globals.json) return ctx.out.json({ entries: data.entries, sync: data.sync ?? null });
  for (const e of data.entries) ctx.out.print(`${e.phone}\t${e.at}\t${e.source}\t${e.reason}`);
  ctx.out.info(`${data.entries.length} number(s) opted out of profile "${ctx.profileName}"${data.sync ? `; replies synced up to ${data.sync.since}` : ''}.`);
}
