import type { Context } from '../../cli/context.js';
import { renderCounts } from '../../cli/bars.js';
import type { Provider } from '../../providers/port.js';
import { DeliverySummary } from '../../core/delivery/summary.js';
import { logSource } from '../../core/delivery/source.js';

/** A Konekwa fan-out's status: the journal for who was sent, the server for how far each message got. */
export async function journalStatus(ctx: Context, provider: Provider, runId: string): Promise<void> {
  const source = await logSource(ctx.paths.stateDir, provider, runId);
  const summary = new DeliverySummary();
  let cursor: string | null = null;
  do {
    const page = await source.fetchPage(cursor);
    for (const e of page.entries) summary.add(e.status, e.error);
    cursor = page.next;
  } while (cursor !== null);
  const done = await source.isDone();
  const { inspectRun } = await import('../../core/fanout/run.js');
  const { header: h } = await inspectRun(ctx.paths.stateDir, runId);
  const resume = `wa-cli broadcast send --resume ${runId}`;
  if (ctx.globals.json) return ctx.out.json({ id: runId, name: h.name, createdAt: ctx.time.iso(h.createdAt) ?? null, status: done ? 'done' : 'unfinished', template: h.templateName, counts: summary.counts, failureReasons: summary.reasons(), resume: done ? null : resume });
  ctx.out.print(`run ${runId}: ${done ? 'every recipient settled' : `not finished; continue it with \`${resume}\` (or the same send command again)`}`);
  for (const line of renderCounts(summary.counts, summary.reasons())) ctx.out.print(line);
}
