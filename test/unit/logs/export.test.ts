import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, readdirSync, statSync, existsSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import * as XLSX from 'xlsx';
import { exportLog, exportFormatFor, neutraliseCell, EXPORT_COLUMNS } from '../../../src/core/logs/export.js';
import type { LogEntry } from '../../../src/core/logs/entry.js';

const tmp = () => mkdtempSync(path.join(os.tmpdir(), 'wa-logs-export-'));

const entries: LogEntry[] = [
  {
    id: '1',
    phone: '6281234567890',
    name: '=HYPERLINK("http://evil.example","click")',
    status: 'read',
    waMessageId: 'wamid.A',
    createdAt: '2024-10-15T21:18:44.298Z',
    sentAt: '2024-10-15T21:18:50.000Z',
    deliveredAt: '2024-10-15T21:19:00.000Z',
    readAt: '2024-10-15T21:30:00.000Z',
  },
  { id: '2', phone: '612381239', name: 'Siti, "Ani"\nNur', status: 'failed', error: '-1 credits; @admin' },
  { id: '3', phone: '+6285', status: 'pending' },
  { id: '4', phone: '62811', name: '\tTab', status: 'sent', error: '\rCR' },
];

async function* from<T>(xs: T[]): AsyncIterable<T> {
  for (const x of xs) yield x;
}

test('neutraliseCell puts an apostrophe before = + - @ tab and CR, and leaves anything else alone', () => {
  for (const v of ['=1+1', '+62', '-1', '@SUM(A1)', '\tx', '\rx']) assert.equal(neutraliseCell(v), `'${v}`);
  for (const v of ['6281', 'Budi', '', ' =x', "'quoted"]) assert.equal(neutraliseCell(v), v);
});

test('CSV: BOM, CRLF, quoting, every column, formulas neutralised; SheetJS reads the name back as text', async () => {
  const dir = tmp();
  const out = path.join(dir, 'log.csv');
  const r = await exportLog(from(entries), out);
  assert.deepEqual(r, { format: 'csv', rows: 4, path: out });
  const raw = readFileSync(out, 'utf8');
  assert.equal(raw.charCodeAt(0), 0xfeff);
  const body = raw.slice(1);
  assert.ok(body.startsWith(`${EXPORT_COLUMNS.join(',')}\r\n`));
  assert.ok(body.endsWith('\r\n'));
  assert.equal(body.split('\r\n').length, 6, 'header, 4 rows (one with a quoted newline inside), trailing empty');
  assert.ok(body.includes(`"'=HYPERLINK(""http://evil.example"",""click"")"`));
  assert.ok(body.includes(`"Siti, ""Ani""\nNur"`));
  assert.ok(body.includes(`"'-1 credits; @admin"`));
  assert.equal(statSync(out).mode & 0o777, 0o600);
  assert.deepEqual(readdirSync(dir), ['log.csv'], 'no temporary file left');

  const rows = XLSX.utils.sheet_to_json<string[]>(XLSX.read(readFileSync(out), { type: 'buffer', raw: true }).Sheets.Sheet1!, { header: 1, raw: false, defval: '' });
  assert.deepEqual(rows[0], [...EXPORT_COLUMNS]);
  assert.deepEqual(rows[1], ['6281234567890', `'=HYPERLINK("http://evil.example","click")`, 'read', '', 'wamid.A', '2024-10-15T21:18:44.298Z', '2024-10-15T21:18:50.000Z', '2024-10-15T21:19:00.000Z', '2024-10-15T21:30:00.000Z']);
  assert.equal(rows[2]![1], 'Siti, "Ani"\nNur');
  assert.equal(rows[3]![0], "'+6285");
});

test('XLSX: a sheet of text cells, no formula anywhere, neutralised values read back as written', async () => {
  const dir = tmp();
  const out = path.join(dir, 'log.XLSX');
  const r = await exportLog(from(entries), out);
  assert.equal(r.format, 'xlsx');
  assert.equal(r.rows, 4);
  assert.equal(statSync(out).mode & 0o777, 0o600);
  const wb = XLSX.read(readFileSync(out), { type: 'buffer', cellFormula: true });
  const ws = wb.Sheets[wb.SheetNames[0]!]!;
  for (const [addr, cell] of Object.entries(ws)) {
    if (addr.startsWith('!')) continue;
    assert.equal((cell as XLSX.CellObject).f, undefined, `formula in ${addr}`);
    assert.equal((cell as XLSX.CellObject).t, 's', `${addr} is not text`);
  }
  assert.equal(ws.B2!.v, `'=HYPERLINK("http://evil.example","click")`);
  assert.equal(ws.A2!.v, '6281234567890');
  assert.equal(ws.D3!.v, "'-1 credits; @admin");
  assert.equal(ws.B5!.v, "'\tTab");
  assert.equal(ws.D5!.v, "'\rCR");
  assert.equal(ws.I2!.v, '2024-10-15T21:30:00.000Z');
  const rows = XLSX.utils.sheet_to_json<string[]>(ws, { header: 1 });
  assert.equal(rows.length, 5);
});

test('an unsupported extension is refused before anything is written, naming --out and the supported ones', async () => {
  const dir = tmp();
  for (const name of ['log.json', 'log']) {
    const out = path.join(dir, name);
    assert.throws(() => exportFormatFor(out), /--out .*: unsupported extension .*use \.csv or \.xlsx\./);
    let pulled = 0;
    async function* counting() {
      pulled++;
      yield entries[0]!;
    }
    await assert.rejects(exportLog(counting(), out), (e: Error) => e.name === 'InputError' && e.message.includes('--out'));
    assert.equal(pulled, 0);
  }
  assert.deepEqual(readdirSync(dir), []);
});

test('an export cut short by an error leaves neither the file nor a temporary one', async () => {
  const dir = tmp();
  for (const name of ['cut.csv', 'cut.xlsx']) {
    async function* failing() {
      yield entries[0]!;
      throw new Error('HTTP 503 on page 2');
    }
    await assert.rejects(exportLog(failing(), path.join(dir, name)), /HTTP 503 on page 2/);
    assert.equal(existsSync(path.join(dir, name)), false);
  }
  assert.deepEqual(readdirSync(dir), []);
});
