// The opt-out list as a table: what `optout export` writes and `optout import` reads back (or any sheet with a
// phone_number column and an optional reason column).
import { InputError } from '../input-error.js';
import { normalisePhoneText, readSheet, type CountryCode } from '../contacts/index.js';
import { cellText } from '../contacts/cell-text.js';
import type { OptOut } from './list.js';

export const OPTOUT_COLUMNS = ['phone_number', 'opted_out_at', 'reason', 'source'] as const;

export const optOutRows = (entries: readonly OptOut[]): string[][] => entries.map((e) => [e.phone, e.at, e.reason, e.source]);

/** Every number of the file, normalised; the first unreadable one is refused naming its row and column. */
export async function readOptOutFile(file: string, shownAs: string, country: CountryCode): Promise<{ phone: string; reason: string }[]> {
  const sheet = await readSheet(file);
  const find = (...names: string[]) => sheet.headers.find((h) => names.includes(h.text.trim().toLowerCase()));
  const phoneCol = find('phone_number', 'phone', 'number');
  if (!phoneCol) throw new InputError(`${shownAs}: no phone_number column in the header (row ${sheet.headerRow}); the columns are ${sheet.headers.map((h) => h.text).join(', ') || '(none)'}.`);
  const reasonCol = find('reason');
  const out: { phone: string; reason: string }[] = [];
  for (const row of sheet.rows) {
    const raw = cellText(row.cells[phoneCol.index]);
    if (raw.trim() === '') continue;
    const r = normalisePhoneText(raw, country);
    if (!r.ok) throw new InputError(`${shownAs} row ${row.rowNumber} column ${phoneCol.column} (${phoneCol.text}): ${r.message}.`);
    out.push({ phone: r.phone, reason: reasonCol ? cellText(row.cells[reasonCol.index]).trim() : '' });
  }
  return out;
}
