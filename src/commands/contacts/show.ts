import type { Context } from '../../cli/context.js';
import type { Options } from './command.js';
import { timeFormat } from '../../cli/time.js';
import { contactListJson } from '../../cli/contract.js';
import { need } from '../../providers/port.js';

export async function run(ctx: Context, _opts: Options<'show'>, id: string): Promise<void> {
  const provider = await ctx.provider();
  const t = timeFormat(ctx.env);
  const l = await need(provider, 'lists', 'contact lists').get(id);
  ctx.out.details(
    [
      ['id', l.id],
      ['name', l.name],
      ['progress', l.progress],
      ['contacts', `${l.count} (${l.succeeded} added, ${l.failed} failed)`],
      ['variables', l.variables.join(', ') || '(none)'],
      ['created', t.text(l.createdAt)],
      ['finished', t.text(l.finishedAt) || '—'],
      ['errors', l.errorMessages && Object.keys(l.errorMessages as object).length ? JSON.stringify(l.errorMessages) : '(none)'],
    ],
    contactListJson(l, (at) => t.iso(at) ?? null),
  );
}
