import path from 'node:path';
import type { Context } from '../../cli/context.js';
import type { LogEntry } from '../../core/delivery/entry.js';
import { exportLog } from '../../core/delivery/export.js';
import { logSource } from '../../core/delivery/source.js';

export async function run(ctx: Context, opts: { out: string }, id: string): Promise<void> {
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
  const out = path.resolve(ctx.cwd, opts.out);
  const n = await exportLog(all(), out);
  if (ctx.globals.json) ctx.out.json({ id, out, entries: n });
  else ctx.out.info(`Wrote ${n} entries to ${opts.out}.`);
}
