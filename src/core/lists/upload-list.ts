// Uploading a validated contact list and waiting for the provider to process it. Used by `contacts upload` and by
// `broadcast send --file` on Qontak. Talks to the provider through the port only.
import { InputError } from '../input-error.js';
import { loadSheetJs } from '../contacts/sheetjs.js';
import { chooseUploadFormat, splitRows, toCsvBuffer, toXlsxBuffer, type ContactReport, type NormalisedContact } from '../contacts/index.js';
import type { ContactList, ContactListsPort, UploadFile } from '../../providers/port.js';
import { askedToWait } from '../../providers/errors.js';

export interface PlannedUpload {
  name: string;
  file: UploadFile;
  rows: number;
}

/** Cuts the valid contacts into files the provider accepts: one if they fit, numbered parts with `split`. */
export async function planUploads(report: ContactReport, name: string, limits: { xlsx: number; csv: number }, split: boolean): Promise<PlannedUpload[]> {
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
    throw new InputError(
      `${report.file}: ${contacts.length} contacts exceed the provider's largest upload (${choice.max} rows); pass --split to upload numbered lists.`,
    );
  }
  const chunks = splitRows(contacts, limits.csv);
  return chunks.map((rows, i) => {
    const suffix = `-${i + 1}-of-${chunks.length}`;
    return { name: `${name} (${i + 1}/${chunks.length})`, file: fileFor(rows, 'csv', suffix), rows: rows.length };
  });
}

export type ListOutcome = { kind: 'success'; list: ContactList } | { kind: 'failed'; list: ContactList } | { kind: 'timeout'; list: ContactList };

const FINISHED_OK = new Set(['success', 'done', 'completed', 'finished']);
const FINISHED_BAD = new Set(['failed', 'error', 'failure']);

/** Polls the list until the provider says it is done, failed, or the time is up. */
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
    if (FINISHED_OK.has(p)) return { kind: 'success', list };
    if (FINISHED_BAD.has(p)) return { kind: 'failed', list };
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
