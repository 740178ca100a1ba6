// Uploading a validated contact list and waiting for the provider to process it. Used by `contacts upload` and by
// `broadcast send --file` on Qontak. Talks to the provider through the port only.
import { InputError } from '../../errors.js';
import { chooseUploadFormat, splitRows } from './limits.js';
import { loadSheetJs } from '../../util/sheetjs.js';
import type { ContactReport, NormalisedContact } from './validate.js';
import { toCsvBuffer, toXlsxBuffer } from './write.js';
import type { ContactList, ContactListsPort, UploadFile } from '../../providers/port.js';
import { askedToWait } from '../../providers/errors.js';

export interface PlannedUpload {
  name: string;
  file: UploadFile;
  rows: number;
}

/**
 * Cuts the valid contacts into files the provider accepts: one file, or numbered parts with `split`. The row limits
 * come from Qontak's org settings (5,000 per Excel upload, 20,000 per CSV; their meaning is inferred), so passing them
 * is a warning and the server's answer decides.
 */
export async function planUploads(report: ContactReport, name: string, limits: { xlsx: number; csv: number }, split: boolean, warn?: (line: string) => void): Promise<PlannedUpload[]> {
  const contacts = report.valid;
  if (contacts.length === 0) throw new InputError(`${report.file}: no valid contacts to upload.`);
  const choice = chooseUploadFormat(contacts.length, limits);
  if (choice === 'xlsx') await loadSheetJs();
  const base = name.replace(/[^\w.-]+/g, '_');
  const fileFor = (rows: NormalisedContact[], format: 'csv' | 'xlsx', suffix: string): UploadFile =>
    format === 'csv'
      ? { filename: `${base}${suffix}.csv`, contentType: 'text/csv', data: toCsvBuffer(report, rows) }
      : {
          filename: `${base}${suffix}.xlsx`,
          contentType: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
          data: toXlsxBuffer(report, rows),
        };
  if (typeof choice === 'string') return [{ name, file: fileFor(contacts, choice, ''), rows: contacts.length }];
  if (!split) {
    warn?.(
      `${report.file}: ${contacts.length.toLocaleString('en-US')} contacts is more than Qontak's organisation settings show for one upload (${limits.csv.toLocaleString('en-US')} rows per CSV, ${limits.xlsx.toLocaleString('en-US')} per Excel file; what the limits mean is not documented). Uploading one CSV: the server's answer decides; --split cuts it into numbered lists.`,
    );
    return [{ name, file: fileFor(contacts, 'csv', ''), rows: contacts.length }];
  }
  const chunks = splitRows(contacts, limits.csv);
  return chunks.map((rows, i) => {
    const suffix = `-${i + 1}-of-${chunks.length}`;
    return { name: `${name} (${i + 1}/${chunks.length})`, file: fileFor(rows, 'csv', suffix), rows: rows.length };
  });
}

export type ListOutcome =
  | { kind: 'success'; list: ContactList }
  | { kind: 'failed'; list: ContactList }
  | { kind: 'timeout'; list: ContactList }
  /** A `progress` no source shows: neither the recorded `success` nor `processing`, nor an inferred failure value. */
  | { kind: 'unknown'; list: ContactList };

// `processing` → `success` is what the documents show; `failed`/`error` are inferred failure values (qontak.md).
const FINISHED_OK = 'success';
const WORKING = 'processing';
const FINISHED_BAD = new Set(['failed', 'error']);

/** Polls the list until the provider says it is done, failed, says something unknown, or the time is up. */
export async function waitForList(
  lists: Pick<ContactListsPort, 'get'>,
  first: ContactList,
  opts: { timeoutMs: number; now: () => number; sleep: (ms: number) => Promise<void>; onTick?: (list: ContactList, elapsedMs: number) => void },
): Promise<ListOutcome> {
  const started = opts.now();
  let list = first;
  let interval = 1000;
  for (;;) {
    const p = list.progress.toLowerCase();
    if (p === FINISHED_OK) return { kind: 'success', list };
    if (FINISHED_BAD.has(p)) return { kind: 'failed', list };
    // Anything else ends the wait at once: polling a value nobody documented for ten minutes helps no one.
    if (p !== WORKING) return { kind: 'unknown', list };
    const elapsed = opts.now() - started;
    opts.onTick?.(list, elapsed);
    if (elapsed >= opts.timeoutMs) return { kind: 'timeout', list };
    await opts.sleep(Math.min(interval, Math.max(0, opts.timeoutMs - elapsed)));
    interval = Math.min(5000, Math.round(interval * 1.5));
    try {
      list = await lists.get(list.id);
    } catch (err) {
      // Rate limited: the next look waits as long as the server asked (the interval is already behind us).
      const asked = askedToWait(err);
      if (asked === undefined) throw err;
      interval = Math.max(interval, asked);
    }
  }
}

/** One sentence for a list that did not become ready. */
export function listOutcomeProblem(o: ListOutcome): string {
  const l = o.list;
  if (o.kind === 'unknown') return `Contact list "${l.name}" (${l.id}) reports progress "${l.progress}", which Qontak's documents do not show (only processing → success); wa-cli stopped waiting. Check it with \`wa-cli contacts show ${l.id}\`.`;
  if (o.kind === 'failed') return `Contact list "${l.name}" (${l.id}) failed on the server (progress "${l.progress}").`;
  if (o.kind === 'timeout') return `Contact list "${l.name}" (${l.id}) is still ${l.progress} after the wait.`;
  return `Contact list "${l.name}" (${l.id}) is ready.`;
}

/**
 * Whether the server holds, under the names a send maps, the values the uploaded file has. Qontak's FAQ reads
 * variables "starting from column E", the API notes by header name, and which one the importer follows is not
 * documented: the list's variables and its first contacts are compared with the file, so a send never goes out with
 * values taken from the wrong column. undefined when they agree, else the sentence saying where they differ.
 */
export async function layoutProblem(lists: Pick<ContactListsPort, 'contacts'>, list: ContactList, columns: readonly string[], rows: readonly NormalisedContact[]): Promise<string | undefined> {
  if (columns.length === 0) return undefined;
  const missing = columns.filter((c) => !list.variables.includes(c));
  const why = "Qontak's FAQ reads variables from column E, its API notes by header: this account's importer did not keep the columns by their headers. Nothing was sent.";
  if (missing.length) return `Contact list "${list.name}" (${list.id}) holds the variables ${list.variables.join(', ') || '(none)'}, not ${missing.join(', ')} that the send maps. ${why}`;
  const sent = new Map(rows.map((r) => [r.phone_number, r]));
  let compared = 0;
  for await (const c of lists.contacts(list.id)) {
    const row = sent.get(c.phone);
    if (row) {
      for (const col of columns) {
        const want = row.variables[col] ?? '';
        const held = c.variables[col] ?? '';
        if (held !== want) return `Contact list "${list.name}" (${list.id}) holds "${held}" under ${col} for ${c.phone}, where the uploaded file has "${want}". ${why}`;
      }
    }
    if (++compared >= 20) break;
  }
  return undefined;
}

/** Rows the server dropped from an uploaded list, read from contacts_count_success/_failed and error_messages. */
export interface Rejections {
  /** Rows the server kept: the recipients a send of this list reaches. */
  kept: number;
  rejected: number;
  /** The server's reasons, flattened to lines (error_messages is an object of undocumented shape). */
  reasons: string[];
}

function reasonLines(v: unknown, prefix = ''): string[] {
  if (v === null || v === undefined || v === '') return [];
  if (typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean') return [`${prefix}${String(v)}`];
  if (Array.isArray(v)) return v.flatMap((x) => reasonLines(x, prefix));
  if (typeof v === 'object') return Object.entries(v as Record<string, unknown>).flatMap(([k, x]) => reasonLines(x, /^\d+$/.test(k) ? `row ${k}: ` : `${k}: `));
  return [];
}

export function listRejections(list: ContactList): Rejections {
  const reasons = reasonLines(list.errorMessages);
  return { kept: list.succeeded, rejected: list.failed, reasons };
}

/**
 * For a send: undefined when the server kept every row, else the one-line reason to stop before the broadcast
 * (exit 1), naming how many rows and why. With `skipInvalid` the send goes on and reports `kept` everywhere.
 */
export function rejectedRowsProblem(list: ContactList, sentRows: number): string | undefined {
  const r = listRejections(list);
  const dropped = Math.max(r.rejected, sentRows - r.kept);
  if (dropped <= 0) return undefined;
  const why = r.reasons.length ? `: ${r.reasons.slice(0, 3).join('; ')}${r.reasons.length > 3 ? ` (+${r.reasons.length - 3} more)` : ''}` : ' (the server gave no reason)';
  return `Qontak kept ${r.kept} of ${sentRows} rows of list "${list.name}" and rejected ${dropped}${why}. Nothing was sent; fix the rows or pass --skip-invalid to send to the ${r.kept} kept.`;
}
