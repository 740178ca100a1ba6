import type { Context } from '../../cli/context.js';
import { templateJson } from '../../cli/contract.js';
import { NotFoundError, UsageError } from '../../errors.js';
import type { RemoteTemplate } from '../../providers/port.js';
import { sendRules } from '../../core/send/rules.js';
import { replacePlaceholders } from '../../core/placeholders.js';
import { describeNeeds, sendNeeds } from '../../core/send/needs.js';

export async function run(ctx: Context, opts: { language?: string }, nameOrId: string): Promise<void> {
  const provider = await ctx.provider();
  const found: RemoteTemplate[] = [];
  for await (const t of provider.listTemplates({ query: nameOrId })) if (t.name === nameOrId || t.id === nameOrId) found.push(t);
  if (found.length === 0) {
    try {
      found.push(await provider.getTemplate(nameOrId));
    } catch (err) {
      if (!(err instanceof NotFoundError)) throw err;
    }
  }
  const matches = opts.language ? found.filter((t) => t.language === opts.language) : found;
  if (matches.length === 0) throw new NotFoundError(`No template "${nameOrId}"${opts.language ? ` in ${opts.language}` : ''}.`, { hint: '`wa-cli templates list` shows them.' });
  if (matches.length > 1) throw new UsageError(`Template "${nameOrId}" exists in ${matches.map((t) => t.language).join(', ')}; choose one with --language.`);
  const t = matches[0]!;
  if (ctx.globals.json) return ctx.out.json(templateJson(t));
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
