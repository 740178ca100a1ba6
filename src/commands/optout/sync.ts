import type { Context } from '../../cli/context.js';
import { ExitCode, SilentExit } from '../../errors.js';
import { need } from '../../providers/port.js';
import { syncOptOuts } from '../../core/optout/sync.js';
import { optOutSyncJson } from '../../cli/present/optout.js';
import { openList } from './common.js';

export async function run(ctx: Context): Promise<void> {
  const provider = await ctx.provider();
  // Qontak's API documents no listing of received messages.
  const messages = need(provider, 'messages', 'listing of received messages', 'Add numbers with `wa-cli optout add` or `optout import`.');
  const profile = await (await ctx.config()).profile(ctx.profileName);
  // The account's own numbers: a message of one of them is never a customer's STOP.
  const ownNumbers = (await provider.listChannels()).map((c) => c.phone).filter((p): p is string => !!p);
  const r = await syncOptOuts({ messages, list: openList(ctx), now: ctx.now, ownNumbers, ...(profile?.stopWords ? { stopWords: profile.stopWords } : {}) });
  if (ctx.globals.json) ctx.out.json(optOutSyncJson(r, ctx.time));
  else {
    for (const a of r.added) ctx.out.print(`${a.phone}\t${a.reason}`);
    ctx.out.info(`Read ${r.read} received message(s): ${r.added.length} opted out${r.already ? `, ${r.already} already on the list` : ''}${r.ownNumbers ? `, ${r.ownNumbers} from the account's own numbers (never opted out)` : ''}${r.since ? `; next sync reads from ${ctx.time.text(r.since)}` : ''}.`);
  }
  if (r.unreadable.length > 0) {
    // Konekwa documents no sender of a received message: guessing one could opt out the wrong number.
    ctx.out.error(`${r.unreadable.length} stop message(s) carry no sender wa-cli can read (the listing shows no \`sender\`), so nobody was opted out for them: ${r.unreadable.slice(0, 5).map((u) => `${u.id}${u.at ? ` at ${ctx.time.text(u.at)}` : ''} "${u.content}"`).join(', ')}${r.unreadable.length > 5 ? ', …' : ''}.`);
    ctx.out.notice('Find who wrote them in the Konekwa dashboard and add them with `wa-cli optout add PHONE --reason "replied STOP"`.');
    throw new SilentExit(ExitCode.failed);
  }
}
