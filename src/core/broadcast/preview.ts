// A preview someone can sign off: every recipient's message as it will be sent, one row each, written atomically.
import { writeTable } from '../../util/table-file.js';
import { graphemeLength } from '../template-rules/text.js';
import { renderFor, type PreparedSend } from './prepare.js';

export const PREVIEW_COLUMNS = ['row', 'phone_number', 'full_name', 'text', 'length'] as const;

/** Writes the preview (.csv or .xlsx by the extension; a .csv is streamed, not held); returns the number of rows. */
export function writePreview(p: PreparedSend, outPath: string): Promise<number> {
  const rows = function* () {
    for (const r of p.checked.recipients()) {
      const text = renderFor(p.template, r.values);
      // Length as a person counts characters, the way the send-time length limit counts them.
      yield [String(r.row), r.phone, r.name, text, String(graphemeLength(text))];
    }
  };
  return writeTable(PREVIEW_COLUMNS, rows(), outPath);
}
