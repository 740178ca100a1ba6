import type { Context } from '../../cli/context.js';
import type { Options } from './command.js';
import { contactList } from '../../cli/present/contact-list.js';
import { need, type ContactList } from '../../providers/port.js';

export async function run(ctx: Context, opts: Options<'lists'>): Promise<void> {
  const provider = await ctx.provider();
  const lists: ContactList[] = [];
  for await (const l of need(provider, 'lists', 'contact lists').list(opts.all ? undefined : opts.limit)) lists.push(l);
  await ctx.out.list(
    lists,
    contactList.columns(ctx.time),
    lists.map((l) => contactList.toJson(l, ctx.time)),
  );
}
