import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import * as XLSX from 'xlsx';
import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import type { LogEntry } from '../../../src/providers/port.js';
import { exportLog } from '../../../src/core/delivery/export.js';
import { neutraliseCell } from '../../../src/util/spreadsheet-cell.js';

test('export: CSV and XLSX carry every entry; formula-like cells are neutralised', async () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'wa-export-'));
  const entries: LogEntry[] = [
    { id: '1', phone: '6281', name: '=HYPERLINK("http://x","click")', status: 'read', waMessageId: 'wamid.1', readAt: '2026-01-01T00:00:00Z' },
    { id: '2', phone: '6282', name: 'Sari, "the" boss', status: 'failed', error: '+ bad' },
  ];
  async function* gen() {
    yield* entries;
  }
  const csv = path.join(dir, 'log.csv');
  assert.equal(await exportLog(gen(), csv), 2);
  const text = readFileSync(csv, 'utf8');
  assert.ok(text.startsWith('\uFEFFphone,name,status,error,whatsapp_message_id,created_at,sent_at,delivered_at,read_at\r\n'));
  assert.match(text, /^6281,"'=HYPERLINK\(""http:\/\/x"",""click""\)",read,,wamid\.1,,,,2026-01-01T00:00:00Z\r$/m);
  assert.match(text, /^6282,"Sari, ""the"" boss",failed,'\+ bad,/m);
  const xlsx = path.join(dir, 'log.xlsx');
  await exportLog(gen(), xlsx);
  const ws = XLSX.read(readFileSync(xlsx)).Sheets.log!;
  assert.equal(ws.B2!.v, `'=HYPERLINK("http://x","click")`);
  assert.equal(ws.B2!.f, undefined, 'no formula');
  assert.equal(ws.D3!.v, "'+ bad");
  await assert.rejects(exportLog(gen(), path.join(dir, 'log.txt')), /--out .*log\.txt: write a \.csv or \.xlsx file/);
  assert.equal(neutraliseCell('@SUM(A1)'), "'@SUM(A1)");
  assert.equal(neutraliseCell('-1'), "'-1");
  assert.equal(neutraliseCell('Budi'), 'Budi');
});
