import type { Context } from '../../cli/context.js';
import type { Options } from './command.js';
import { NotFoundError } from '../../errors.js';
import { optOutRemovedJson } from '../../cli/present/optout.js';
import { countryOf, normaliseArgs, openList } from './common.js';

export async function run(ctx: Context, opts: Options<'remove'>, ...numbers: string[]): Promise<void> {
  const phones = await normaliseArgs(numbers, await countryOf(ctx, opts.country));
  const removed = await openList(ctx).remove(phones);
  if (ctx.globals.json) ctx.out.json(optOutRemovedJson(removed, phones.filter((p) => !removed.includes(p))));
  else for (const r of removed) ctx.out.print(r);
  if (removed.length < phones.length) {
    throw new NotFoundError(`Not on the opt-out list: ${phones.filter((p) => !removed.includes(p)).join(', ')}${removed.length ? ` (${removed.length} removed)` : ''}.`);
  }
  ctx.out.info(`Removed ${removed.length} number(s) from the opt-out list: sends reach them again.`);
}
