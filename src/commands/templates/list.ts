import type { Context } from '../../cli/context.js';
import type { Options } from './command.js';
import type { RemoteTemplate } from '../../providers/port.js';
import { template } from '../../cli/present/template.js';

export async function run(ctx: Context, opts: Options<'list'>): Promise<void> {
  const provider = await ctx.provider();
  const items: RemoteTemplate[] = [];
  const q = {
    ...(opts.status ? { status: opts.status.toUpperCase() } : {}),
    ...(opts.category ? { category: opts.category.toUpperCase() } : {}),
    ...(opts.query ? { query: opts.query } : {}),
    ...(opts.all ? {} : { max: opts.limit }),
  };
  for await (const t of provider.listTemplates(q)) items.push(t);
  await ctx.out.list(
    items,
    template.columns(ctx.time),
    items.map((t) => template.toJson(t, ctx.time)),
  );
}
