/** A spreadsheet that cannot be read at all. The message is one line and names the file (and row when known). */
import { InputError } from '../../errors.js';

export class SpreadsheetError extends InputError {
  override name = 'SpreadsheetError';
  constructor(
    readonly file: string,
    detail: string,
  ) {
    super(`${file}: ${detail}`.replace(/\s*[\r\n]+\s*/g, ' '));
  }
}
