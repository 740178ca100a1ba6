import type { Context } from '../../cli/context.js';
import type { Options } from './command.js';
import type { RemoteTemplate } from '../../providers/port.js';
import { sendRules } from '../../core/broadcast/send-rules.js';
import { templateJson } from '../../cli/contract.js';

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
    [
      { header: 'NAME', value: (t) => t.name },
      { header: 'LANGUAGE', value: (t) => t.language },
      { header: 'CATEGORY', value: (t) => t.category, drop: 3 },
      { header: 'STATUS', value: (t) => t.status },
      { header: 'PLACEHOLDERS', value: (t) => sendRules.placeholders(t.body).keys.length, drop: 2 },
      { header: 'QUALITY', value: (t) => t.qualityRating, drop: 1 },
      { header: 'ID', value: (t) => t.id, id: true },
    ],
    items.map(templateJson),
  );
}
