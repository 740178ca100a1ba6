// Reading a contact spreadsheet (.xlsx, .xls, .csv) into headers plus a lazy, re-iterable row sequence.
import { closeSync, openSync, readSync } from 'node:fs';
import { open, readFile } from 'node:fs/promises';
import path from 'node:path';
import { createInflateRaw } from 'node:zlib';
import type * as XLSX from 'xlsx';
import { columnLetter } from './columns.js';
import { CsvSyntaxError, parseCsvRecords } from './csv-parse.js';
import { csvCoding, detectDelimiter, sepHint, utf8Chunks } from './csv-decode.js';
import { SpreadsheetError } from './errors.js';
import { isKnownHeader } from './headers.js';
import type { Cell, HeaderCell, SheetData, SheetFormat, SheetRow } from './types.js';
import { loadSheetJs, sheetJs } from '../../util/sheetjs.js';
import { ZipDamagedError, zipParts, type ZipPart } from './zip.js';

export const SUPPORTED_EXTENSIONS = ['.xlsx', '.xls', '.csv'] as const;

export interface ReadOptions {
  /** Sheet to read by name; the first sheet when omitted. Ignored for CSV. */
  sheet?: string;
  /** Most bytes the parts of an .xlsx may inflate to, all parts together (default DEFAULT_MAX_INFLATED_BYTES). */
  maxInflatedBytes?: number;
}

/** A real 100,000-row contact sheet inflates to about 50 MB; a zip bomb inflates without end. */
export const DEFAULT_MAX_INFLATED_BYTES = 200 * 1024 * 1024;

export async function readSheet(filePath: string, opts: ReadOptions = {}): Promise<SheetData> {
  // Refuses an unknown extension before touching the disk.
  const format = formatOf(filePath);
  // A CSV is read in chunks each time its rows are gone through: it is never in memory whole.
  if (format === 'csv') return readCsv(await csvFile(filePath), filePath);
  await loadSheetJs();
  let bytes: Buffer;
  try {
    bytes = await readFile(filePath);
  } catch (e) {
    throw cannotRead(filePath, e);
  }
  // Each part is inflated once into nothing before SheetJS (which trusts the sizes a zip declares) sees it.
  if (startsWith(bytes, ZIP)) await checkInflatedSize(bytes, filePath, format, opts.maxInflatedBytes ?? DEFAULT_MAX_INFLATED_BYTES);
  return readSheetBuffer(bytes, filePath, opts);
}

function cannotRead(file: string, e: unknown): SpreadsheetError {
  const code = (e as NodeJS.ErrnoException).code;
  const why = code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'is a directory' : (e as Error).message;
  return new SpreadsheetError(file, `cannot read the file (${why})`);
}

/**
 * Same as readSheet for bytes already in memory; `fileName` gives the format (by extension) and names the file in
 * errors. Of the size cap it checks the sizes the zip declares only: readSheet also inflates each part to be sure.
 * A workbook needs SheetJS loaded first (loadSheetJs); a CSV never does.
 */
export function readSheetBuffer(bytes: Uint8Array, fileName: string, opts: ReadOptions = {}): SheetData {
  const format = formatOf(fileName);
  if (bytes.byteLength === 0) throw new SpreadsheetError(fileName, 'the file is empty');
  if (format !== 'csv' && startsWith(bytes, ZIP)) checkDeclaredSize(partsOf(bytes, fileName, format), fileName, opts.maxInflatedBytes ?? DEFAULT_MAX_INFLATED_BYTES);
  return format === 'csv' ? readCsv(memoryBytes(bytes), fileName) : readWorkbook(bytes, fileName, format, opts);
}

// ---------- the size cap on inflated zip parts ----------

function partsOf(bytes: Uint8Array, file: string, format: SheetFormat): ZipPart[] {
  try {
    return zipParts(bytes);
  } catch (e) {
    if (e instanceof ZipDamagedError) throw damagedFile(file, format, e.message);
    throw e;
  }
}

/** What SheetJS would allocate by the declared sizes alone: a stored part's bytes, a deflated part's declared size. */
function checkDeclaredSize(parts: ZipPart[], file: string, max: number): void {
  let total = 0;
  for (const p of parts) total += p.method === 0 ? p.data.length : p.declared;
  if (total > max) throw tooLarge(file, max);
}

async function checkInflatedSize(bytes: Uint8Array, file: string, format: SheetFormat, max: number): Promise<void> {
  const parts = partsOf(bytes, file, format);
  checkDeclaredSize(parts, file, max);
  let total = 0;
  for (const p of parts) {
    // A deflated part costs SheetJS its declared size, or what it inflates to when that is more (or none is declared).
    total += p.method === 0 ? p.data.length : Math.max(p.declared, await inflatedLength(p.data, max - total, file, format));
    if (total > max) throw tooLarge(file, max);
  }
}

/**
 * Inflates a deflated part chunk by chunk, keeping nothing, up to the end of its stream; stops as soon as it passes
 * `room`. A stream zlib cannot finish is refused here: SheetJS's own inflater checks nothing and would read on into
 * whatever follows it, so what it makes of one is not what was counted.
 */
function inflatedLength(data: Uint8Array, room: number, file: string, format: SheetFormat): Promise<number> {
  return new Promise((resolve, reject) => {
    let length = 0;
    // Large chunks: fewer buffers left for the collector while SheetJS reads next (16 KB ones cost 16 MB more at peak).
    const inflate = createInflateRaw({ chunkSize: 1 << 20 });
    inflate.on('data', (chunk: Buffer) => {
      length += chunk.length;
      if (length > room) {
        inflate.destroy();
        resolve(length);
      }
    });
    inflate.on('end', () => resolve(length));
    inflate.on('error', (e) => reject(damagedFile(file, format, `a part does not inflate: ${e.message}`)));
    inflate.end(data);
  });
}

function damagedFile(file: string, format: SheetFormat, detail: string): SpreadsheetError {
  return new SpreadsheetError(file, `cannot be read as .${format}: the file is damaged or incomplete (${detail})`);
}

function tooLarge(file: string, max: number): SpreadsheetError {
  const mb = Math.round(max / (1024 * 1024));
  return new SpreadsheetError(file, `refused: its parts inflate to more than ${mb} MB (a zip bomb, or a sheet far larger than a contact list); WA_MAX_SHEET_MB raises the bound`);
}

function formatOf(fileName: string): SheetFormat {
  const ext = path.extname(fileName).toLowerCase();
  if (ext === '.xlsx' || ext === '.xls' || ext === '.csv') return ext.slice(1) as SheetFormat;
  throw new SpreadsheetError(
    fileName,
    `unsupported file type "${ext || '(none)'}"; use ${SUPPORTED_EXTENSIONS.join(', ')}`,
  );
}

// ---------- CSV ----------

/** A CSV's bytes: its first few, and a fresh read of all of them in chunks each time `chunks` is called. */
interface CsvBytes {
  head: Uint8Array;
  chunks: () => Generator<Uint8Array>;
}

const CHUNK_BYTES = 1 << 16;

async function csvFile(file: string): Promise<CsvBytes> {
  const head = Buffer.alloc(4);
  let headLength = 0;
  let whole: Buffer | undefined;
  try {
    const h = await open(file, 'r');
    try {
      // A pipe or a device cannot be read twice: read whole, as it comes.
      if (!(await h.stat()).isFile()) whole = await h.readFile();
      else headLength = (await h.read(head, 0, head.length, 0)).bytesRead;
    } finally {
      await h.close();
    }
  } catch (e) {
    throw cannotRead(file, e);
  }
  if (whole) {
    if (whole.length === 0) throw new SpreadsheetError(file, 'the file is empty');
    return memoryBytes(whole);
  }
  if (headLength === 0) throw new SpreadsheetError(file, 'the file is empty');
  return {
    head: head.subarray(0, headLength),
    // Synchronous reads: the rows are gone through in one synchronous pass. The one buffer is reused, since each
    // chunk is decoded before the next is read.
    *chunks() {
      let fd: number;
      try {
        fd = openSync(file, 'r');
      } catch (e) {
        throw cannotRead(file, e);
      }
      try {
        const buf = Buffer.allocUnsafe(CHUNK_BYTES);
        for (;;) {
          let n: number;
          try {
            n = readSync(fd, buf, 0, buf.length, null);
          } catch (e) {
            throw cannotRead(file, e);
          }
          if (n === 0) return;
          yield buf.subarray(0, n);
        }
      } finally {
        closeSync(fd);
      }
    },
  };
}

function memoryBytes(bytes: Uint8Array): CsvBytes {
  return {
    head: bytes.subarray(0, 4),
    *chunks() {
      for (let at = 0; at < bytes.length; at += CHUNK_BYTES) yield bytes.subarray(at, at + CHUNK_BYTES);
    },
  };
}

/** How many bytes the delimiter and Excel's sep= line are looked for in: a header line is far shorter. */
const PROBE_BYTES = 1 << 16;

function readCsv(bytes: CsvBytes, file: string): SheetData {
  const coding = csvCoding(bytes.head, bytes.chunks);
  const { encoding } = coding;
  const utf8 = (): Generator<Uint8Array> => utf8Chunks(bytes.chunks(), coding);
  const probe: Uint8Array[] = [];
  let probed = 0;
  for (const chunk of utf8()) {
    probe.push(Buffer.from(chunk));
    if ((probed += chunk.length) >= PROBE_BYTES) break;
  }
  const head = new TextDecoder().decode(Buffer.concat(probe));
  const hint = sepHint(head);
  if (hint && (hint.delimiter.length !== 1 || hint.delimiter.charCodeAt(0) > 127)) {
    throw new SpreadsheetError(file, `its first line sep=${hint.delimiter} names a delimiter that is not an ASCII character; use , ; or tab`);
  }
  const start = hint?.start ?? 0;
  const delimiter = hint?.delimiter ?? detectDelimiter(head, start);
  // The sep= line is ASCII, so its length in characters is its length in bytes.
  const records = (): Generator<string[]> => parseCsvRecords(utf8(), delimiter, start);

  let headerRow = 0;
  let headerFields: string[] | undefined;
  try {
    for (const fields of records()) {
      headerRow++;
      if (fields.some((f) => f.trim() !== '')) {
        headerFields = fields;
        break;
      }
    }
  } catch (e) {
    throw csvError(file, e);
  }
  if (!headerFields) throw new SpreadsheetError(file, 'has no header row (the file holds no data)');
  const headers = headerFields.map((f, index) => header(index, f));
  checkLooksLikeHeader(file, headerRow, headers, headerFields.map((f): Cell => ({ t: 's', v: f })));

  const firstDataRow = headerRow;
  const rows: Iterable<SheetRow> = {
    *[Symbol.iterator]() {
      let rowNumber = 0;
      try {
        for (const fields of records()) {
          rowNumber++;
          if (rowNumber <= firstDataRow) continue;
          const cells: Cell[] = new Array(fields.length);
          for (let c = 0; c < fields.length; c++) cells[c] = { t: 's', v: fields[c]! };
          yield { rowNumber, cells };
        }
      } catch (e) {
        throw csvError(file, e);
      }
    },
  };
  const sheetName = path.basename(file, path.extname(file));
  return { file, format: 'csv', sheetName, sheetNames: [sheetName], encoding, delimiter, headerRow, headers, rows };
}

function csvError(file: string, e: unknown): Error {
  if (e instanceof CsvSyntaxError) return new SpreadsheetError(file, e.message);
  return e as Error;
}

// ---------- xlsx / xls ----------

const ZIP = [0x50, 0x4b, 0x03, 0x04];
const CFB = [0xd0, 0xcf, 0x11, 0xe0];
const startsWith = (b: Uint8Array, magic: number[]): boolean => magic.every((x, i) => b[i] === x);

function readWorkbook(bytes: Uint8Array, file: string, format: 'xlsx' | 'xls', opts: ReadOptions): SheetData {
  const zip = startsWith(bytes, ZIP);
  const cfb = startsWith(bytes, CFB);
  // SheetJS reads almost anything as text, so check the container first: a renamed CSV or a
  // download error page must not turn into a one-column "spreadsheet".
  if (format === 'xlsx' && !zip) {
    throw new SpreadsheetError(file, `is not an Excel .xlsx file${cfb ? ' (it is an old .xls workbook; rename it to .xls)' : looksLikeText(bytes) ? ' (it is plain text; if it is a CSV, rename it to .csv)' : ''}`);
  }
  if (format === 'xls' && !zip && !cfb && !looksLikeMarkup(bytes)) {
    throw new SpreadsheetError(file, `is not an Excel .xls file${looksLikeText(bytes) ? ' (it is plain text; if it is a CSV, rename it to .csv)' : ''}`);
  }
  let wb: XLSX.WorkBook;
  try {
    // Rows as arrays (dense), and of each cell only what the checks read: its type, value and shown text (w, which
    // SheetJS formats with the cell's number format: how a 6.28E+12 phone number is caught).
    wb = sheetJs().read(bytes, {
      type: 'buffer',
      dense: true,
      cellHTML: false,
      cellFormula: false,
      cellStyles: false,
      cellNF: false,
      cellDates: false,
      sheetStubs: false,
      // Only the sheet wanted is parsed (every part is inflated all the same: the size cap counts them all).
      sheets: opts.sheet ?? 0,
    });
  } catch (e) {
    throw damagedFile(file, format, ((e as Error).message || String(e)).split('\n')[0]!);
  }
  const names = wb.SheetNames;
  if (names.length === 0) throw new SpreadsheetError(file, 'the workbook has no sheets');
  const sheetName = opts.sheet ?? names[0]!;
  if (!names.includes(sheetName)) {
    throw new SpreadsheetError(file, `has no sheet named "${sheetName}"; sheets: ${names.map((n) => `"${n}"`).join(', ')}`);
  }
  const ws = wb.Sheets[sheetName];
  if (!ws) throw new SpreadsheetError(file, `sheet "${sheetName}" could not be read`);
  const data = (ws['!data'] ?? []) as (Cell[] | undefined)[];

  let h = 0;
  while (h < data.length && isEmptyRow(data[h])) h++;
  if (h >= data.length) throw new SpreadsheetError(file, `has no header row (sheet "${sheetName}" is empty)`);
  const headerCells = data[h]!;
  const headers: HeaderCell[] = [];
  for (let c = 0; c < headerCells.length; c++) headers.push(header(c, headerText(headerCells[c])));
  checkLooksLikeHeader(file, h + 1, headers, headerCells);

  const rows: Iterable<SheetRow> = {
    *[Symbol.iterator]() {
      for (let r = h + 1; r < data.length; r++) {
        // SheetJS cells already carry t, v and w: hand them over without copying.
        yield { rowNumber: r + 1, cells: data[r] ?? [] };
      }
    },
  };
  return { file, format: zip ? 'xlsx' : format, sheetName, sheetNames: names, headerRow: h + 1, headers, rows };
}

function headerText(cell: Cell | undefined): string {
  if (!cell || cell.v === undefined || cell.v === null) return '';
  return cell.w ?? String(cell.v);
}

function isEmptyRow(row: (Cell | undefined)[] | undefined): boolean {
  if (!row) return true;
  for (const cell of row) {
    if (cell && cell.v !== undefined && cell.v !== null && String(cell.v).trim() !== '') return false;
  }
  return true;
}

function header(index: number, text: string): HeaderCell {
  return { index, column: columnLetter(index), text };
}

const PHONE_LIKE = /^\+?[\d\s().\-]{8,}$/;

/** A first row that holds a phone number and no header we know is data: the header row is missing. */
function checkLooksLikeHeader(file: string, rowNumber: number, headers: HeaderCell[], cells: ReadonlyArray<Cell | undefined>): void {
  if (headers.some((hc) => isKnownHeader(hc.text))) return;
  const phoneLike = cells.some(
    (c) => c !== undefined && ((c.t === 'n' && typeof c.v === 'number' && Math.abs(c.v) >= 1e6) || (c.t === 's' && PHONE_LIKE.test(String(c.v).trim()))),
  );
  if (phoneLike) {
    throw new SpreadsheetError(file, `has no header row (row ${rowNumber} holds data); add a first row with phone_number, full_name and the variable names`);
  }
}

function looksLikeText(b: Uint8Array): boolean {
  const n = Math.min(b.length, 512);
  for (let i = 0; i < n; i++) {
    const c = b[i]!;
    if (c < 9 || (c > 13 && c < 32 && c !== 27)) return false;
  }
  return true;
}

function looksLikeMarkup(b: Uint8Array): boolean {
  const head = Buffer.from(b.subarray(0, 256)).toString('latin1').replace(/^\uFEFF|^\xEF\xBB\xBF/, '').trimStart();
  return head.startsWith('<');
}
