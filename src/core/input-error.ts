/**
 * Input a person gave us cannot be read: a broken spreadsheet, invalid JSON, an unknown extension. The message is one
 * line naming the file (and row, column or field). The CLI maps it to the usage exit code; core stays CLI-free.
 */
export class InputError extends Error {
  override name = 'InputError';
}
