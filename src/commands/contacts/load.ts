import path from 'node:path';
import type { Context } from '../../cli/context.js';
import { UsageError } from '../../errors.js';
import type { ContactReport, CountryCode } from '../../core/contacts/index.js';

/** Reads and validates a spreadsheet given on the command line; the country falls back to the profile's default. */
export async function loadContacts(ctx: Context, file: string, opts: { country?: string; sheet?: string }): Promise<ContactReport> {
  const { readSheet, validateContacts } = await import('../../core/contacts/index.js');
  const { getCountries } = await import('libphonenumber-js');
  const profile = await (await ctx.config()).profile(ctx.profileName);
  const country = (opts.country ?? profile?.defaultCountry ?? 'ID').toUpperCase();
  if (!(getCountries() as string[]).includes(country)) throw new UsageError(`--country ${country} is not a country code (ID, MY, SG, …).`);
  const sheet = await readSheet(path.resolve(ctx.cwd, file), { ...(opts.sheet ? { sheet: opts.sheet } : {}), ...maxSheetBytes(ctx) });
  return validateContacts(sheet, { country: country as CountryCode });
}

/** WA_MAX_SHEET_MB: the most megabytes an .xlsx may inflate to (the core's default when unset). */
function maxSheetBytes(ctx: Context): { maxInflatedBytes?: number } {
  const raw = ctx.env.WA_MAX_SHEET_MB;
  if (raw === undefined || raw === '') return {};
  if (!/^\d+$/.test(raw) || Number(raw) < 1) throw new UsageError(`WA_MAX_SHEET_MB=${raw}: give a whole number of megabytes, e.g. 500.`);
  return { maxInflatedBytes: Number(raw) * 1024 * 1024 };
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

export function reportJson(report: ContactReport) {
  return {
    file: report.file,
    format: report.format,
    sheet: report.sheetName,
    rows: report.rowsTotal,
    valid: report.valid.length,
    invalid: report.invalid,
    duplicates: report.duplicates,
    emptyRows: report.emptyRows,
    columns: report.columns,
    headerMap: report.headerMap,
    errors: report.errors,
    warnings: report.warnings,
    problems: report.problems,
  };
}
