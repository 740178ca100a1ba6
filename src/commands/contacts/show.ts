import type { Context } from '../../cli/context.js';
import type { Options } from './command.js';
import { contactList } from '../../cli/present/contact-list.js';
import { need } from '../../providers/port.js';

export async function run(ctx: Context, _opts: Options<'show'>, id: string): Promise<void> {
  const provider = await ctx.provider();
  const l = await need(provider, 'lists', 'contact lists').get(id);
  ctx.out.details(contactList.details(l, ctx.time), contactList.toJson(l, ctx.time));
}
