import type { Context } from '../../cli/context.js';
import type { DeliveryStatus } from '../../providers/port.js';
import { renderCounts } from '../../cli/bars.js';

export async function run(ctx: Context, _opts: unknown, id: string): Promise<void> {
  const provider = await ctx.provider();
  if (!provider.broadcasts) {
    const { journalStatus } = await import('./journal-status.js');
    return journalStatus(ctx, provider, id);
  }
  const b = await provider.broadcasts.get(id);
  const { failureReasons } = await import('../../core/delivery/reasons.js');
  const reasons = b.counts.failed > 0 ? await failureReasons(provider.broadcasts, id) : [];
  const json = { id: b.id, name: b.name, status: b.status, createdAt: b.createdAt ?? null, sendAt: b.sendAt ?? null, template: b.templateName ?? null, counts: b.counts, failureReasons: reasons };
  if (ctx.globals.json) return ctx.out.json(json);
  ctx.out.print(`${b.name} (${b.id})`);
  ctx.out.print(`status ${b.status}, template ${b.templateName ?? '?'}, created ${b.createdAt ?? '?'}${b.sendAt ? `, sends ${b.sendAt}` : ''}`);
  for (const line of renderCounts(b.counts as Record<DeliveryStatus, number>, reasons)) ctx.out.print(line);
}
