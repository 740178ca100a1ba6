// A preview someone can sign off: every recipient's message as it will be sent, one row each, written atomically.
import { tableBuffer } from '../delivery/export.js';
import { graphemeLength } from '../template-rules/text.js';
import { writeFileAtomic } from '../../util/atomic-file.js';
import { renderFor, type PreparedSend } from './prepare.js';

export const PREVIEW_COLUMNS = ['row', 'phone_number', 'full_name', 'text', 'length'] as const;

/** Writes the preview (.csv or .xlsx by the extension); returns the number of rows. */
export async function writePreview(p: PreparedSend, outPath: string): Promise<number> {
  let n = 0;
  const rows = function* () {
    for (const r of p.checked.recipients()) {
      const text = renderFor(p.template, r.values);
      n++;
      // Length as a person counts characters, the way the send-time length limit counts them.
      yield [String(r.row), r.phone, r.name, text, String(graphemeLength(text))];
    }
  };
  await writeFileAtomic(outPath, await tableBuffer(PREVIEW_COLUMNS, rows(), outPath));
  return n;
}
