import type { Context } from '../../cli/context.js';
import { ExitCode, SilentExit } from '../../errors.js';
import type { Provider } from '../../providers/port.js';
import { logSource, readRun, runReportLines } from '../../core/delivery/source.js';
import { runReportJson } from '../../cli/present/broadcast.js';

/**
 * A Konekwa fan-out's status: the journal for who was sent (the same counts and status word as every other command),
 * the server for how far each accepted message got. Exit 1 while the run is unfinished or any recipient failed.
 */
export async function journalStatus(ctx: Context, provider: Provider, runId: string): Promise<void> {
  const r = await readRun(await logSource(ctx.paths.stateDir, provider, runId));
  const t = ctx.time;
  if (ctx.globals.json) ctx.out.json(runReportJson(r, t));
  else for (const line of runReportLines(r, (iso) => t.text(iso))) ctx.out.print(line);
  if (r.story.status !== 'done' || r.story.failed > 0) throw new SilentExit(ExitCode.failed);
}
