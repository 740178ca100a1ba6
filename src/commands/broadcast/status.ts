import type { Context } from '../../cli/context.js';
import type { Options } from './command.js';
import type { DeliveryStatus } from '../../providers/port.js';
import { renderCounts } from '../../cli/bars.js';
import { ExitCode, SilentExit, UsageError } from '../../errors.js';
import { broadcastStatusJson, journalTotalsJson } from '../../cli/present/broadcast.js';

export async function run(ctx: Context, opts: Options<'status'>, id: string | undefined): Promise<void> {
  if (opts.journal?.length) {
    if (id !== undefined) throw new UsageError(`Give a broadcast or run id, or --journal paths, not both (got ${id}).`);
    return journalsStatus(ctx, opts.journal);
  }
  if (id === undefined) throw new UsageError('Give a broadcast id (Qontak), a run id (Konekwa) or --journal PATH (run folders, e.g. one per shard).');
  const provider = await ctx.provider();
  if (!provider.broadcasts) {
    const { journalStatus } = await import('./journal-status.js');
    return journalStatus(ctx, provider, id);
  }
  const b = await provider.broadcasts.get(id);
  const { failureReasons } = await import('../../core/delivery/reasons.js');
  const reasons = b.counts.failed > 0 ? await failureReasons(provider.broadcasts, id) : [];
  const t = ctx.time;
  if (ctx.globals.json) return ctx.out.json(broadcastStatusJson(b, reasons, t));
  ctx.out.print(`${b.name} (${b.id})`);
  ctx.out.print(`status ${b.status}, template ${b.templateName ?? '?'}, created ${t.text(b.createdAt) || '?'}${b.sendAt ? `, sends ${t.text(b.sendAt)}` : ''}`);
  for (const line of renderCounts(b.counts as Record<DeliveryStatus, number>, reasons)) ctx.out.print(line);
}

/** Run folders copied from several machines (a shard each): one line per run, then their sum. Local only. */
async function journalsStatus(ctx: Context, paths: string[]): Promise<void> {
  const path = await import('node:path');
  const { stat } = await import('node:fs/promises');
  const dirs: { path: string; dir: string }[] = [];
  for (const p of paths) {
    const abs = path.resolve(ctx.cwd, p);
    // The folder, or its plan.jsonl or journal.jsonl.
    const isFile = await stat(abs).then((s) => s.isFile(), () => false);
    dirs.push({ path: p, dir: isFile ? path.dirname(abs) : abs });
  }
  const { journalTotals } = await import('../../core/runs/listing.js');
  const { countsText } = await import('../../core/runs/story.js');
  const t = await journalTotals(dirs);
  const done = t.runs.every((r) => r.status === 'done');
  if (ctx.globals.json) ctx.out.json(journalTotalsJson(t, ctx.time));
  else {
    for (const r of t.runs) {
      ctx.out.print(`${r.shard ? `shard ${r.shard}` : 'run'} ${r.runId}: ${countsText(r.counts)} (${r.status}${r.damaged ? ', journal damaged' : ''}) ${r.path}`);
    }
    ctx.out.print(`total of ${t.runs.length} run(s): ${countsText(t.total)}${done ? '' : '; an unfinished run continues with `wa-cli broadcast send --resume RUN` on its machine'}`);
    const templates = new Set(t.runs.map((r) => r.template));
    if (templates.size > 1) ctx.out.warn(`these runs sent different templates (${[...templates].join(', ')}): the sum mixes broadcasts.`);
  }
  // As for one run: unfinished, or with a recipient failed, is exit 1.
  if (!done || t.total.failed > 0) throw new SilentExit(ExitCode.failed);
}
