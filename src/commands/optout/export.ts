import path from 'node:path';
import type { Context } from '../../cli/context.js';
import type { Options } from './command.js';
import { tableBuffer } from '../../util/table-file.js';
import { OPTOUT_COLUMNS, optOutRows } from '../../core/optout/file.js';
import { writeFileAtomic } from '../../util/atomic-file.js';
import { optOut, optOutExportJson } from '../../cli/present/optout.js';
import { openList } from './common.js';

export async function run(ctx: Context, opts: Options<'export'>): Promise<void> {
  const { entries } = await openList(ctx).load();
  if (!opts.out) {
    // To standard output: the same CSV the file would hold, or with --json the entries as `optout list` gives them.
    if (ctx.globals.json) return ctx.out.json(entries.map((e) => optOut.toJson(e, ctx.time)));
    ctx.stdout.write(await tableBuffer(OPTOUT_COLUMNS, optOutRows(entries, (at) => ctx.time.iso(at) ?? at), 'stdout.csv'));
    return;
  }
  await writeFileAtomic(path.resolve(ctx.cwd, opts.out), await tableBuffer(OPTOUT_COLUMNS, optOutRows(entries, (at) => ctx.time.iso(at) ?? at), opts.out));
  ctx.out.info(`Wrote ${entries.length} opted-out number(s) to ${opts.out}.`);
  if (ctx.globals.json) ctx.out.json(optOutExportJson(opts.out, entries.length));
}
