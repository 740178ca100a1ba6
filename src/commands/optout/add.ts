import type { Context } from '../../cli/context.js';
import type { Options } from './command.js';
import { optOutAddedJson } from '../../cli/present/optout.js';
import { countryOf, normaliseArgs, openList } from './common.js';

export async function run(ctx: Context, opts: Options<'add'>, ...numbers: string[]): Promise<void> {
  const phones = await normaliseArgs(numbers, await countryOf(ctx, opts.country));
  const added = await openList(ctx).add(phones.map((phone) => ({ phone, reason: opts.reason ?? '', source: 'manual' as const })));
  if (ctx.globals.json) return ctx.out.json(optOutAddedJson(added, phones.length - added.length, ctx.time));
  for (const a of added) ctx.out.print(a.phone);
  ctx.out.info(`Opted out: ${added.length} added${phones.length > added.length ? `, ${phones.length - added.length} already on the list` : ''}. No send of profile "${ctx.profileName}" reaches them.`);
}
