import type { Context } from '../../cli/context.js';
import { need } from '../../providers/port.js';
import { syncOptOuts } from '../../core/optout/sync.js';
import { openList } from './common.js';

export async function run(ctx: Context): Promise<void> {
  const provider = await ctx.provider();
  // Qontak's API documents no listing of received messages.
  const messages = need(provider, 'messages', 'listing of received messages', 'Add numbers with `wa-cli optout add` or `optout import`.');
  const profile = await (await ctx.config()).profile(ctx.profileName);
  const r = await syncOptOuts({ messages, list: openList(ctx), now: ctx.now, ...(profile?.stopWords ? { stopWords: profile.stopWords } : {}) });
  if (ctx.globals.json) return ctx.out.json({ read: r.read, added: r.added, already: r.already, since: ctx.time.iso(r.since) ?? null });
  for (const a of r.added) ctx.out.print(`${a.phone}\t${a.reason}`);
  ctx.out.info(`Read ${r.read} received message(s): ${r.added.length} opted out${r.already ? `, ${r.already} already on the list` : ''}${r.since ? `; next sync reads from ${ctx.time.text(r.since)}` : ''}.`);
}
