import type { Context } from '../../cli/context.js';
import type { Options } from './command.js';
import { UsageError } from '../../errors.js';
import type { BroadcastSummary } from '../../providers/port.js';
import { broadcast, run as runPresenter } from '../../cli/present/broadcast.js';

export async function run(ctx: Context, opts: Options<'list'>): Promise<void> {
  const t = ctx.time;
  // A date alone is midnight here (TZ), as the times in the table are shown.
  const since = opts.since === undefined ? undefined : t.parse(opts.since);
  if (since !== undefined && Number.isNaN(since)) throw new UsageError(`--since "${opts.since}" is not a date (YYYY-MM-DD or ISO 8601).`);
  const provider = await ctx.provider();
  if (!provider.broadcasts) {
    const { listRunStates } = await import('../../core/runs/listing.js');
    const runs = (await listRunStates(ctx.paths.stateDir)).filter((r) => since === undefined || Date.parse(r.createdAt) >= since).slice(0, opts.limit);
    // The counts every command gives a run: sent, failed, unknown, not sent, of the total.
    return ctx.out.list(
      runs,
      runPresenter.columns(t),
      runs.map((r) => runPresenter.toJson(r, t)),
    );
  }
  // Qontak's start_date is passed as typed: no document says which zone or form it reads.
  const items: BroadcastSummary[] = [];
  for await (const b of provider.broadcasts.list({ ...(opts.since ? { since: opts.since } : {}), max: opts.limit })) items.push(b);
  await ctx.out.list(
    items,
    broadcast.columns(t),
    items.map((b) => broadcast.toJson(b, t)),
  );
}
