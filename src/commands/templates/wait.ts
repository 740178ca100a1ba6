// Waiting for a template's review: after `templates create --wait`, or later with `templates wait NAME` (a CI retry
// after a timeout resumes here instead of creating the template again). Exit 0 approved, 1 rejected, 6 still pending.
import type { Context } from '../../cli/context.js';
import type { Options } from './command.js';
import { formatDuration } from '../../cli/spec.js';
import { OperationError, TransientError } from '../../errors.js';
import type { Provider, RemoteTemplate } from '../../providers/port.js';
import { reviewJson } from '../../cli/present/template.js';

export async function run(ctx: Context, opts: Options<'wait'>, nameOrId: string): Promise<void> {
  const provider = await ctx.provider();
  const { findTemplate } = await import('../../core/template-review.js');
  const t = await findTemplate(provider, nameOrId, opts.language);
  ctx.out.info(`Waiting for the review of "${t.name}" (${t.language || 'no language'}, ${t.id}): ${t.status} now.`);
  await awaitReview(ctx, provider, t, opts);
}

/** The command that resumes this wait, as the person would type it. */
function resumeCommand(t: RemoteTemplate, timeoutMs: number): string {
  return `wa-cli templates wait ${t.name}${t.language ? ` --language ${t.language}` : ''} --timeout ${formatDuration(timeoutMs)}`;
}

/** Polls until review ends: the verdict on stdout, exit 1 when rejected, 6 at the timeout with the command to resume. */
export async function awaitReview(ctx: Context, provider: Provider, template: RemoteTemplate, opts: Pick<Options<'wait'>, 'timeout' | 'interval'>): Promise<void> {
  const { waitForReview } = await import('../../core/template-review.js');
  const timeoutMs = opts.timeout;
  let r: Awaited<ReturnType<typeof waitForReview>>;
  try {
    r = await waitForReview(provider, template, { timeoutMs, intervalMs: opts.interval, now: ctx.now, sleep: (ms) => ctx.sleep(ms) });
  } catch (err) {
    if (!ctx.signal.aborted) throw err;
    throw ctx.stopped(`Stopped waiting for the review of "${template.name}" (${template.id}); the review goes on. \`${resumeCommand(template, timeoutMs)}\` waits again.`);
  }
  const t = r.template;
  if (ctx.globals.json) ctx.out.json(reviewJson(t, r.kind, r.reason, ctx.time));
  else ctx.out.print(`${t.id}\t${t.name}\t${t.status}`);
  if (r.kind === 'approved') return ctx.out.info(`"${t.name}" is approved: it can be sent.`);
  if (r.kind === 'rejected') {
    throw new OperationError(`"${t.name}" was ${t.status.toLowerCase()}: ${r.reason ?? 'the API gives no reason (see the template in Meta Business Manager or Qontak)'}.`, {
      hint: '`wa-cli templates validate` checks a file against the rules reviewers apply.',
    });
  }
  throw new TransientError(`"${t.name}" is still ${t.status} after ${formatDuration(timeoutMs)}; nothing is wrong yet, the review goes on.`, {
    hint: `Wait again with \`${resumeCommand(t, timeoutMs)}\` (a CI retry should run that, not create it again).`,
  });
}
