// What `templates plan` and `templates apply` share: the folder read and compared with the account, and the plan shown.
import type { Context } from '../../cli/context.js';
import { annotateLines } from '../../cli/github.js';
import type { Provider } from '../../providers/port.js';
import { readTemplatePath } from '../../core/template-files.js';
import { formatGithub, formatText, ruleSeverities, type TemplateDoc } from '../../core/template-rules/index.js';
import { planTemplates, type TemplatePlan } from '../../core/template-plan.js';
import { planItem, planJson } from '../../cli/present/plan-item.js';

export async function loadPlan(ctx: Context, dir: string): Promise<{ provider: Provider; plan: TemplatePlan }> {
  const docs: TemplateDoc[] = await readTemplatePath(ctx.cwd, dir);
  const config = await ctx.config();
  const severities = ruleSeverities((await config.profile(ctx.profileName))?.rules, `${config.file} profile "${ctx.profileName}" rules`, (m) => ctx.out.warn(m));
  const provider = await ctx.provider();
  const plan = await planTemplates(provider, docs, severities);
  // The findings of templates that cannot be created, as validate shows them (and as annotations in GitHub Actions).
  const blocked = plan.items.filter((i) => i.kind === 'invalid').map((i) => ({ doc: i.doc, findings: i.findings.filter((f) => f.severity === 'error') }));
  for (const line of formatText(blocked)) ctx.out.info(line);
  annotateLines(ctx, formatGithub(blocked));
  return { provider, plan };
}

export async function showPlan(ctx: Context, plan: TemplatePlan): Promise<void> {
  await ctx.out.list(plan.items, planItem.columns(ctx.time), planJson(plan, ctx.time));
}

export const countsLine = (plan: TemplatePlan): string =>
  `${plan.items.length} template(s): ${plan.counts.create} to create, ${plan.counts.same} the same, ${plan.counts.differs} different, ${plan.counts.rejected} rejected, ${plan.counts.invalid} that cannot be created.`;

/** Where Konekwa differs from Qontak, said once so nobody waits for what cannot happen. */
export function providerNote(ctx: Context, plan: TemplatePlan): void {
  if (plan.provider === 'konekwa') ctx.out.info('Konekwa: templates are compared by name alone (no languages), need no review, and are text only.');
}
