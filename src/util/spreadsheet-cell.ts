/**
 * A leading = + - @ (or tab, CR) makes Excel and LibreOffice evaluate a cell as a formula (CSV injection); a quote in
 * front keeps it text. Used for every spreadsheet wa-cli writes for people to open: exports and cleaned contact files.
 */
export function neutraliseCell(v: string): string {
  return /^[=+\-@\t\r]/.test(v) ? `'${v}` : v;
}
