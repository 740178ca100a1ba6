import path from 'node:path';
import type { Context } from '../../cli/context.js';
import type { ContactReport } from '../../core/contacts/index.js';
import { countryFor } from '../../config/profiles.js';

/** Reads and validates a spreadsheet given on the command line; the country falls back to the profile's default. */
export async function loadContacts(ctx: Context, file: string, opts: { country?: string; sheet?: string }): Promise<ContactReport> {
  const { loadContactFile, maxSheetBytes } = await import('../../core/contacts/load-file.js');
  const profile = await (await ctx.config()).profile(ctx.profileName);
  return loadContactFile(path.resolve(ctx.cwd, file), { country: countryFor(opts.country, profile), sheet: opts.sheet, ...maxSheetBytes(ctx.env) });
}


/** Problems as lines, at most `max` of them (all with --json). */
export function problemLines(report: ContactReport, max = 50): string[] {
  const lines = report.problems.slice(0, max).map((p) => `${p.severity}: ${p.message}`);
  if (report.problems.length > max) lines.push(`… and ${report.problems.length - max} more (--json lists them all)`);
  return lines;
}

export function summaryLine(report: ContactReport): string {
  const dupes = report.duplicates.length;
  return `${report.file}: ${report.rowsTotal} rows, ${report.valid.length} valid, ${report.invalid} invalid, ${dupes} duplicate${dupes === 1 ? '' : 's'} dropped${report.emptyRows ? `, ${report.emptyRows} empty skipped` : ''}`;
}
