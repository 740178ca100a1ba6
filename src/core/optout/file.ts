// The opt-out list as a table: what `optout export` writes and `optout import` reads back (or any sheet with a
// phone_number column and an optional reason column).
import { InputError } from '../../errors.js';
import { normalisePhoneText, readSheet, type CountryCode } from '../contacts/index.js';
import { cellText } from '../contacts/cell-text.js';
import type { OptOut } from './list.js';

export const OPTOUT_COLUMNS = ['phone_number', 'opted_out_at', 'reason', 'source'] as const;

/** `time` writes each opted_out_at (the CLI's one time format: ISO 8601 with the local offset). */
export const optOutRows = (entries: readonly OptOut[], time: (at: string) => string = (at) => at): string[][] => entries.map((e) => [e.phone, time(e.at), e.reason, e.source]);

/** A row of the file that holds no usable number, named as a person finds it in the sheet. */
export interface SkippedOptOutRow {
  row: number;
  column: string;
  value: string;
  reason: string;
}

/**
 * Every number of the file, normalised, and the rows whose number cannot be read. Without `skipInvalid` the first such
 * row refuses the whole file (naming its row and column); with it those rows are left out and returned.
 */
export async function readOptOutFile(file: string, shownAs: string, country: CountryCode, skipInvalid = false): Promise<{ rows: { phone: string; reason: string }[]; skipped: SkippedOptOutRow[] }> {
  const sheet = await readSheet(file);
  const find = (...names: string[]) => sheet.headers.find((h) => names.includes(h.text.trim().toLowerCase()));
  const phoneCol = find('phone_number', 'phone', 'number');
  if (!phoneCol) throw new InputError(`${shownAs}: no phone_number column in the header (row ${sheet.headerRow}); the columns are ${sheet.headers.map((h) => h.text).join(', ') || '(none)'}.`);
  const reasonCol = find('reason');
  const rows: { phone: string; reason: string }[] = [];
  const skipped: SkippedOptOutRow[] = [];
  for (const row of sheet.rows) {
    const raw = cellText(row.cells[phoneCol.index]);
    if (raw.trim() === '') continue;
    const r = normalisePhoneText(raw, country);
    if (!r.ok) {
      if (!skipInvalid) throw new InputError(`${shownAs} row ${row.rowNumber} column ${phoneCol.column} (${phoneCol.text}): ${r.message}; nothing was imported (--skip-invalid imports the other rows).`);
      skipped.push({ row: row.rowNumber, column: `${phoneCol.column} (${phoneCol.text})`, value: raw, reason: r.message });
      continue;
    }
    rows.push({ phone: r.phone, reason: reasonCol ? cellText(row.cells[reasonCol.index]).trim() : '' });
  }
  return { rows, skipped };
}
