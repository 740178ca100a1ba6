import type { Context } from '../../cli/context.js';
import { openList } from './common.js';

export async function run(ctx: Context): Promise<void> {
  const data = await openList(ctx).load();
  const t = ctx.time;
  if (ctx.globals.json) {
    return ctx.out.json({ entries: data.entries.map((e) => ({ ...e, at: t.iso(e.at) ?? e.at })), sync: data.sync ? { ...data.sync, since: t.iso(data.sync.since) ?? data.sync.since } : null });
  }
  for (const e of data.entries) ctx.out.print(`${e.phone}\t${t.text(e.at)}\t${e.source}\t${e.reason}`);
  ctx.out.info(`${data.entries.length} number(s) opted out of profile "${ctx.profileName}"${data.sync ? `; replies synced up to ${t.text(data.sync.since)}` : ''}.`);
}
