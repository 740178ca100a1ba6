import type { Context } from '../../cli/context.js';
import type { Options } from './command.js';
import { template } from '../../cli/present/template.js';
import { findTemplate } from '../../core/template-review.js';
import { sendRules } from '../../core/broadcast/send-rules.js';
import { replacePlaceholders } from '../../core/placeholders.js';
import { describeNeeds, sendNeeds } from '../../core/broadcast/needs.js';

export async function run(ctx: Context, opts: Options<'show'>, nameOrId: string): Promise<void> {
  const provider = await ctx.provider();
  const t = await findTemplate(provider, nameOrId, opts.language);
  if (ctx.globals.json) return ctx.out.json(template.toJson(t, ctx.time));
  const c = await ctx.out.colors();
  const { keys } = sendRules.placeholders(t.body);
  ctx.out.print(`${c.bold(t.name)} (${t.language || 'no language'}) · ${t.category} · ${t.status}${t.qualityRating ? ` · quality ${t.qualityRating}` : ''}`);
  ctx.out.print(`id ${t.id}`);
  ctx.out.print('');
  // The message as it lands on the phone, placeholders marked.
  const mark = (s: string) => replacePlaceholders(s, (_key, asWritten) => c.cyan(asWritten));
  if (t.header) ctx.out.print(`  ${t.header.format === 'TEXT' ? c.bold(mark(t.header.text ?? '')) : `[${t.header.format}]`}`);
  for (const line of t.body.split(/\r?\n/)) ctx.out.print(`  ${mark(line)}`);
  if (t.footer) ctx.out.print(`  ${c.dim(t.footer)}`);
  for (const b of t.buttons) ctx.out.print(`  [ ${b.text} ]${b.url ? ` → ${b.url}` : b.phone_number ? ` → ${b.phone_number}` : ''}`);
  ctx.out.print('');
  ctx.out.print(`placeholders: ${keys.length ? keys.map((k) => `{{${k}}}`).join(', ') : 'none'}`);
  ctx.out.print(describeNeeds(sendNeeds(t)));
}
