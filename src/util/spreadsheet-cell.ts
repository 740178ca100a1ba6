/**
 * A leading = + - @ (or tab, CR) makes Excel and LibreOffice evaluate a cell as a formula (CSV injection); a quote in
 * front keeps it text. Used for every spreadsheet wa-cli writes for people to open: exports and cleaned contact files.
 */
export function neutraliseCell(v: string): string {
  return /^[=+\-@\t\r]/.test(v) ? `'${v}` : v;
}

const NEEDS_QUOTES = /[",\r\n]|^\s|\s$/;

/**
 * One CSV record (RFC 4180), without its line end: quotes only where a field needs them, including a field that
 * starts or ends with a space, which a spreadsheet would otherwise trim. The one CSV writer of every file wa-cli makes.
 */
export function csvRow(fields: readonly string[]): string {
  return fields.map((s) => (NEEDS_QUOTES.test(s) ? `"${s.replace(/"/g, '""')}"` : s)).join(',');
}
