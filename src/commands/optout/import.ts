import path from 'node:path';
import type { Context } from '../../cli/context.js';
import type { Options } from './command.js';
import { readOptOutFile } from '../../core/optout/file.js';
import { optOutImportJson } from '../../cli/present/optout.js';
import { countryOf, openList } from './common.js';

export async function run(ctx: Context, opts: Options<'import'>, file: string): Promise<void> {
  const { rows, skipped } = await readOptOutFile(path.resolve(ctx.cwd, file), file, await countryOf(ctx, opts.country), opts.skipInvalid === true);
  // Each row left out is named, as a send names the rows it skips.
  for (const s of skipped) ctx.out.warn(`skipped row ${s.row}, column ${s.column} = ${JSON.stringify(s.value)}: ${s.reason}`);
  const added = await openList(ctx).add(rows.map((r) => ({ phone: r.phone, reason: r.reason || opts.reason || `imported from ${path.basename(file)}`, source: 'import' as const })));
  if (ctx.globals.json) return ctx.out.json(optOutImportJson(rows.length, added, skipped, ctx.time));
  ctx.out.info(`Imported ${file}: ${rows.length} number(s) read, ${added.length} added, ${rows.length - added.length} already on the list${skipped.length ? `, ${skipped.length} row(s) skipped` : ''}.`);
}
