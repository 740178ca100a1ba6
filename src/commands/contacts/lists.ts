import type { Context } from '../../cli/context.js';
import type { Options } from './command.js';
import { timeFormat } from '../../cli/time.js';
import { contactListJson } from '../../cli/contract.js';
import { need, type ContactList } from '../../providers/port.js';

export async function run(ctx: Context, opts: Options<'lists'>): Promise<void> {
  const provider = await ctx.provider();
  const t = timeFormat(ctx.env);
  const lists: ContactList[] = [];
  for await (const l of need(provider, 'lists', 'contact lists').list(opts.all ? undefined : opts.limit)) lists.push(l);
  await ctx.out.list(
    lists,
    [
      { header: 'ID', value: (l) => l.id, id: true },
      { header: 'NAME', value: (l) => l.name },
      { header: 'PROGRESS', value: (l) => l.progress },
      { header: 'CONTACTS', value: (l) => l.count },
      { header: 'FAILED', value: (l) => l.failed },
      { header: 'CREATED', value: (l) => t.text(l.createdAt), drop: 1 },
    ],
    lists.map((l) => contactListJson(l, (at) => t.iso(at) ?? null)),
  );
}
