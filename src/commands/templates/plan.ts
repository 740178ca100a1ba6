// templates plan DIR: what `templates apply DIR` would do, per template; --check makes it a CI gate.
import type { Context } from '../../cli/context.js';
import type { Options } from './command.js';
import { ExitCode, SilentExit } from '../../errors.js';
import { countsLine, loadPlan, providerNote, showPlan } from './plan-view.js';

export async function run(ctx: Context, opts: Options<'plan'>, dir: string): Promise<void> {
  const { plan } = await loadPlan(ctx, dir);
  await showPlan(ctx, plan);
  providerNote(ctx, plan);
  ctx.out.info(countsLine(plan));
  const c = plan.counts;
  if (c.invalid > 0) throw new SilentExit(ExitCode.failed);
  if (opts.check && c.create + c.differs + c.rejected > 0) {
    ctx.out.info(`--check: the account does not match ${dir}${c.create ? `; run \`wa-cli templates apply ${dir}\`` : ''}${c.differs + c.rejected ? '; templates that differ or were rejected need new names' : ''}.`);
    throw new SilentExit(ExitCode.failed);
  }
}
