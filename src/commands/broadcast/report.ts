// broadcast report <id> --out report.html: one self-contained page. A Qontak broadcast: the delivery funnel, delivery
// over time, failures by reason and the numbers. A Konekwa run: its story, how far its messages got on the server,
// messages over time and failures by reason.
import path from 'node:path';
import type { Context } from '../../cli/context.js';
import type { Options } from './command.js';
import { checkOutPath, writeFileAtomic } from '../../util/atomic-file.js';
import { packageVersion } from '../../package-info.js';
import { reportJson } from '../../cli/present/broadcast.js';

export async function run(ctx: Context, opts: Options<'report'>, id: string): Promise<void> {
  const out = path.resolve(ctx.cwd, opts.out);
  // Before any remote call: a wrong --out must not cost a whole log's pages.
  await checkOutPath(out, { shown: opts.out, extensions: ['.html', '.htm'] });
  const provider = await ctx.provider();
  const { reportData } = await import('../../core/report/collect.js');
  const { renderReport } = await import('../../core/report/html.js');
  const data = await reportData(ctx.paths.stateDir, provider, id);
  const t = ctx.time;
  await writeFileAtomic(out, renderReport(data, { formatTime: (ms) => t.text(ms), generatedAt: ctx.now(), version: packageVersion() }));
  if (ctx.globals.json) return ctx.out.json(reportJson(data, opts.out, t));
  if (data.kind === 'Konekwa run') {
    // The run's story, as `broadcast status` tells it: no delivered or read, which Konekwa cannot show.
    const { countsText } = await import('../../core/runs/story.js');
    const s = data.story;
    return ctx.out.info(`Wrote ${opts.out}: run ${s.id} (${s.status}), ${countsText(s)}.`);
  }
  const f = data.funnel;
  ctx.out.info(`Wrote ${opts.out}: ${f.total} message(s), ${f.sent} sent, ${f.delivered} delivered, ${f.read} read, ${f.failed} failed.`);
}
