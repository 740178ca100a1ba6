// templates apply DIR: create on the account what `templates plan DIR` lists as create; never edit or delete. Safe to
// run again: each name is looked up before it is created. --wait waits for every review together.
import type { Context } from '../../cli/context.js';
import type { Options } from './command.js';
import { ExitCode, OperationError, SilentExit, type ExitCodeValue } from '../../errors.js';
import { appendSummary, applySummary } from '../../cli/github.js';
import type { Provider } from '../../providers/port.js';
import { applyPlan, type ApplyOutcome, type TemplatePlan } from '../../core/template-plan.js';
import { applied, appliedJson, type Applied as Row } from '../../cli/present/plan-item.js';
import { countsLine, loadPlan, providerNote, showPlan } from './plan-view.js';

export async function run(ctx: Context, opts: Options<'apply'>, dir: string): Promise<void> {
  const { provider, plan } = await loadPlan(ctx, dir);
  providerNote(ctx, plan);
  if (plan.counts.invalid > 0) {
    await showPlan(ctx, plan);
    throw new OperationError(`Nothing was created: ${plan.counts.invalid} template(s) in ${dir} cannot be created as they are (see NOTE).`, { hint: 'Fix them, then run apply again.' });
  }
  if (opts.dryRun) {
    await showPlan(ctx, plan);
    ctx.out.info(`Dry run: nothing was created. ${countsLine(plan)}`);
    return;
  }
  const outcomes = await applyPlan(provider, plan, (o) => ctx.out.info(stepLine(o)));
  const rows: Row[] = plan.items.map((item) => {
    const o = outcomes.find((x) => x.item === item);
    return o ? { item, result: o.result, template: o.template, note: o.message } : { item, result: item.kind, template: item.remote, note: item.note };
  });
  const waited = opts.wait ? await waitAll(ctx, provider, rows, opts) : undefined;
  await ctx.out.list(rows, applied.columns(ctx.time), appliedJson(plan.provider, rows, ctx.time));
  await appendSummary(ctx, applySummary(dir, rows.map((r) => ({ result: r.result, name: r.item.doc.name, language: r.item.doc.language ?? '', status: r.review ?? r.template?.status ?? '', note: r.note ?? '' }))));
  const code = exitCode(plan, outcomes, waited);
  if (code !== ExitCode.ok) throw new SilentExit(code);
}

function stepLine(o: ApplyOutcome): string {
  const what = `${o.item.doc.name}${o.item.doc.language ? ` (${o.item.doc.language})` : ''}`;
  if (o.result === 'created') return `Created ${what}: ${o.template?.status ?? ''}${o.message ? ` (${o.message})` : ''}.`;
  if (o.result === 'exists') return `${what} is already on the account (${o.message}).`;
  return `${o.result === 'unknown' ? 'Unclear whether it was created' : 'Not created'}: ${what}: ${o.message}`;
}

/** Every template of the folder still under review (created now or before), waited for together. */
async function waitAll(ctx: Context, provider: Provider, rows: Row[], opts: Options<'apply'>): Promise<{ rejected: number; pending: number }> {
  const { waitForReview } = await import('../../core/template-review.js');
  const reviewing = rows.filter((r) => r.template && (r.result === 'created' || r.result === 'exists' || r.result === 'same'));
  const open = reviewing.filter((r) => r.template!.status.toUpperCase() !== 'APPROVED').length;
  if (open > 0) ctx.out.info(`Waiting for the review of ${open} template(s).`);
  const outcomes = await Promise.all(
    reviewing.map(async (r) => {
      const o = await waitForReview(provider, r.template!, { timeoutMs: opts.timeout ?? 3_600_000, intervalMs: opts.interval ?? 30_000, now: ctx.now, sleep: (ms) => ctx.sleep(ms) });
      r.review = o.template.status;
      if (o.kind === 'rejected') r.note = `${o.template.status.toLowerCase()}: ${o.reason ?? 'the API gives no reason'}`;
      if (o.kind === 'timeout') r.note = `still ${o.template.status} at the timeout`;
      return o.kind;
    }),
  );
  return { rejected: outcomes.filter((k) => k === 'rejected').length, pending: outcomes.filter((k) => k === 'timeout').length };
}

/** 1 when anything failed, differs or was rejected; 6 when what is left is only transient or still under review. */
function exitCode(plan: TemplatePlan, outcomes: readonly ApplyOutcome[], waited: { rejected: number; pending: number } | undefined): ExitCodeValue {
  const failed = outcomes.filter((o) => o.result === 'failed' || o.result === 'unknown');
  if (plan.counts.differs + plan.counts.rejected > 0 || (waited?.rejected ?? 0) > 0) return ExitCode.failed;
  if (failed.some((o) => o.exitCode !== ExitCode.transient)) return ExitCode.failed;
  if (failed.length > 0 || (waited?.pending ?? 0) > 0) return ExitCode.transient;
  return ExitCode.ok;
}
