import type { Context } from '../../cli/context.js';
import type { Options } from './command.js';
import { UsageError } from '../../errors.js';
import type { BroadcastSummary } from '../../providers/port.js';

export async function run(ctx: Context, opts: Options<'list'>): Promise<void> {
  if (opts.since && Number.isNaN(Date.parse(opts.since))) throw new UsageError(`--since "${opts.since}" is not a date (YYYY-MM-DD or ISO 8601).`);
  const provider = await ctx.provider();
  const t = ctx.time;
  if (!provider.broadcasts) {
    const { listRunStates } = await import('../../core/runs/listing.js');
    const runs = (await listRunStates(ctx.paths.stateDir)).filter((r) => !opts.since || Date.parse(r.createdAt) >= Date.parse(opts.since)).slice(0, opts.limit);
    // The counts every command gives a run: sent, failed, unknown, not sent, of the total.
    return ctx.out.list(
      runs,
      [
        { header: 'RUN ID', value: (r) => r.id, id: true },
        { header: 'NAME', value: (r) => r.name, drop: 2 },
        { header: 'STATUS', value: (r) => r.status },
        { header: 'SENT', value: (r) => r.sent },
        { header: 'FAILED', value: (r) => r.failed },
        { header: 'UNKNOWN', value: (r) => r.unknown },
        { header: 'NOT SENT', value: (r) => r.notSent, drop: 3 },
        { header: 'OF', value: (r) => r.total },
        { header: 'CREATED', value: (r) => t.text(r.createdAt), drop: 1 },
      ],
      runs.map((r) => ({ ...r, createdAt: t.iso(r.createdAt) ?? null })),
    );
  }
  const items: BroadcastSummary[] = [];
  for await (const b of provider.broadcasts.list({ ...(opts.since ? { since: opts.since } : {}), max: opts.limit })) items.push(b);
  await ctx.out.list(
    items,
    [
      { header: 'ID', value: (b) => b.id, id: true },
      { header: 'NAME', value: (b) => b.name },
      { header: 'STATUS', value: (b) => b.status },
      { header: 'TEMPLATE', value: (b) => b.templateName, drop: 2 },
      { header: 'SENT', value: (b) => b.counts.sent + b.counts.delivered + b.counts.read },
      { header: 'FAILED', value: (b) => b.counts.failed },
      { header: 'CREATED', value: (b) => t.text(b.createdAt), drop: 1 },
    ],
    items.map((b) => ({ id: b.id, name: b.name, createdAt: t.iso(b.createdAt) ?? null, status: b.status, template: b.templateName ?? null, sendAt: t.iso(b.sendAt) ?? null, counts: b.counts })),
  );
}
