import path from 'node:path';
import type { Context } from '../../cli/context.js';
import type { Options } from './command.js';
import type { LogEntry } from '../../providers/port.js';
import { EXPORT_EXTENSIONS, exportLog } from '../../core/delivery/export.js';
import { checkOutPath } from '../../util/atomic-file.js';
import { logSource } from '../../core/delivery/source.js';
import { countsText } from '../../core/runs/story.js';
import { logExportJson } from '../../cli/present/log-entry.js';

export async function run(ctx: Context, opts: Options<'export'>, id: string): Promise<void> {
  const out = path.resolve(ctx.cwd, opts.out);
  // Before any remote call: a wrong --out must not cost a login or a page of logs.
  await checkOutPath(out, { shown: opts.out, extensions: EXPORT_EXTENSIONS });
  const provider = await ctx.provider();
  const source = await logSource(ctx.paths.stateDir, provider, id);
  async function* all(): AsyncGenerator<LogEntry> {
    let cursor: string | null = null;
    do {
      const page = await source.fetchPage(cursor);
      yield* page.entries;
      cursor = page.next;
    } while (cursor !== null);
  }
  const n = await exportLog(all(), out, (at) => ctx.time.iso(at));
  const run = await source.run?.();
  if (ctx.globals.json) ctx.out.json(logExportJson(id, out, n, run?.story, ctx.time));
  else ctx.out.info(`Wrote ${n} entries to ${opts.out}.${run ? ` Run ${run.story.id} (${run.story.status}): ${countsText(run.story)}.` : ''}`);
}
