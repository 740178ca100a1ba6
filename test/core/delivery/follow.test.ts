import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import * as XLSX from 'xlsx';
import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import { fromQontakLogEntry } from '../../../src/providers/qontak/mapping.js';
import type { LogEntry } from '../../../src/providers/port.js';
import { SeenIds, followLog, type LogEvent } from '../../../src/core/delivery/follow.js';
import { exportLog } from '../../../src/core/delivery/export.js';
import { writeTable } from '../../../src/util/table-file.js';
import { neutraliseCell } from '../../../src/util/spreadsheet-cell.js';
import { TransportError } from '../../../src/providers/errors.js';
import { loadRecorded } from '../../helpers/recorded.js';

test('contract: the recorded failed log entry maps with its reason, and "n/a" means none', () => {
  const rec = loadRecorded('get_broadcasts_ID_whatsapp_log_200').body as { data: unknown[] };
  const e = fromQontakLogEntry(rec.data[0]);
  assert.equal(e.status, 'failed');
  assert.equal(e.phone, '612381239');
  assert.equal(e.name, 'uzi');
  assert.match(e.error!, /^The template \(sorry_yee\) does not exist in the specified language/);
  assert.equal(e.waMessageId, undefined, '"n/a" is no id');
  const ok = fromQontakLogEntry({ ...(rec.data[0] as object), status: 'read', whatsapp_error_message: 'n/a', whatsapp_message_id: 'wamid.1', messages_response: { statuses: [{ status: 'sent', timestamp: '1700000000' }, { status: 'read', timestamp: '1700000060' }] } });
  assert.equal(ok.error, undefined);
  assert.equal(ok.waMessageId, 'wamid.1');
  assert.equal(ok.sentAt, '2023-11-14T22:13:20.000Z');
  assert.equal(ok.readAt, '2023-11-14T22:14:20.000Z');
});

function scripted(passes: Record<string, LogEntry['status']>[]) {
  let pass = 0;
  return {
    fetchPage: async (cursor: string | null) => {
      const all = Object.entries(passes[Math.min(pass, passes.length - 1)]!).map(([id, status]) => ({ id, phone: id, name: id, status, ...(status === 'failed' ? { error: 'Message undeliverable' } : {}) }));
      if (cursor === null) return { entries: all.slice(0, 2), next: all.length > 2 ? 'p2' : null };
      pass++;
      return { entries: all.slice(2), next: null };
    },
    get pass() {
      return pass;
    },
  };
}

test('follow: each new entry and each change once; regressions from a stale page ignored; stops when done', async () => {
  const src = scripted([
    { a: 'pending', b: 'pending', c: 'pending' },
    { a: 'sent', b: 'pending', c: 'failed' },
    { a: 'sent', b: 'pending', c: 'failed' },
    { a: 'pending', b: 'delivered', c: 'failed' }, // a regresses on a stale page
    { a: 'read', b: 'read', c: 'failed' },
  ]);
  const events: string[] = [];
  const sleeps: number[] = [];
  const r = await followLog({
    fetchPage: src.fetchPage,
    // The broadcast reports done only once the last pass has been read.
    isDone: async () => src.pass >= 5,
    follow: true,
    untilDone: true,
    intervalMs: 1000,
    maxIntervalMs: 5000,
    sleep: async (ms) => void sleeps.push(ms),
    signal: new AbortController().signal,
    onEvent: (e: LogEvent) => events.push(e.kind === 'new' ? `${e.entry.id}:${e.entry.status}` : `${e.entry.id}:${e.from}>${e.entry.status}`),
  });
  assert.deepEqual(events, ['a:pending', 'b:pending', 'c:pending', 'a:pending>sent', 'c:pending>failed', 'b:pending>delivered', 'a:sent>read', 'b:delivered>read']);
  assert.equal(r.passes, 5);
  assert.deepEqual(r.summary.counts, { pending: 0, sent: 0, delivered: 0, read: 2, failed: 1 });
  assert.deepEqual(r.summary.reasons(), [{ reason: 'Message undeliverable', count: 1 }]);
  // The third pass changed nothing: the interval backed off, then came back.
  assert.deepEqual(sleeps, [1000, 1000, 1500, 1000]);
});

test('follow: a 429 the client could not wait out is waited out as the server asked (never under the interval), then followed on', async () => {
  const src = scripted([{ a: 'pending', b: 'sent', c: 'pending' }, { a: 'read', b: 'read', c: 'failed' }]);
  let refusals = 2;
  const sleeps: number[] = [];
  const limited = (ms: number | undefined): TransportError => Object.assign(new TransportError('rate limited (429)', false, 429), { retryAfterMs: ms });
  const r = await followLog({
    fetchPage: async (cursor) => {
      // The second pass is refused twice: once with Retry-After 7 s, once with none.
      if (src.pass === 1 && cursor === null && refusals > 0) throw limited(refusals-- === 2 ? 7000 : undefined);
      return src.fetchPage(cursor);
    },
    isDone: async () => src.pass >= 2,
    follow: true,
    untilDone: true,
    intervalMs: 1000,
    sleep: async (ms) => void sleeps.push(ms),
    signal: new AbortController().signal,
    onEvent: () => undefined,
  });
  assert.deepEqual(r.summary.counts, { pending: 0, sent: 0, delivered: 0, read: 2, failed: 1 });
  assert.deepEqual(sleeps, [1000, 7000, 1000]);
  // Without --follow a refusal is the command's failure, as before.
  await assert.rejects(followLog({ fetchPage: async () => Promise.reject(limited(5000)), isDone: async () => true, follow: false, untilDone: false, intervalMs: 1000, sleep: async () => undefined, signal: new AbortController().signal, onEvent: () => undefined }), /429/);
});

test('follow: Ctrl-C ends with the summary so far, flagged interrupted', async () => {
  const ac = new AbortController();
  const src = scripted([{ a: 'pending', b: 'sent', c: 'pending' }]);
  const r = await followLog({ fetchPage: src.fetchPage, isDone: async () => false, follow: true, untilDone: true, intervalMs: 10, sleep: async () => ac.abort(), signal: ac.signal, onEvent: () => undefined });
  assert.equal(r.interrupted, true);
  assert.equal(r.summary.total, 3);
});

test('follow: the packed id table answers as a Map would, across growth and look-alike ids', () => {
  const seen = new SeenIds();
  const model = new Map<string, number>();
  const uuid = (i: number) => `${(i * 2654435761 >>> 0).toString(16).padStart(8, '0')}-${(i % 65536).toString(16).padStart(4, '0')}-4abc-8def-${i.toString(16).padStart(12, '0')}`;
  const ids: string[] = [];
  for (let i = 0; i < 5000; i++) ids.push(uuid(i), String(i));
  // Same bytes or digits written differently are different ids: they must not share a slot.
  ids.push(uuid(7).toUpperCase(), '007', '1e3', '', '4294967296', '999999999', 'xxxx-xxxx-xxxx-xxxx', `${uuid(9)} `);
  ids.forEach((id, n) => {
    assert.equal(seen.get(id), undefined, `${id} unseen`);
    seen.set(id, n % 5);
    model.set(id, n % 5);
  });
  // Moving forward rewrites the code in place.
  for (let i = 0; i < ids.length; i += 3) {
    seen.set(ids[i]!, 4);
    model.set(ids[i]!, 4);
  }
  for (const [id, code] of model) assert.equal(seen.get(id), code, id);
  assert.equal(seen.size, model.size);
  assert.equal(seen.get(uuid(5001)), undefined);
  assert.equal(seen.get('5001'), undefined);
});

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

test('writeTable streams a CSV of many blocks, and a source failing at the first row or half way leaves the old file and no other', async () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'wa-table-'));
  const out = path.join(dir, 'preview.csv');
  const rows = function* (n: number, failAt = -1) {
    for (let i = 0; i < n; i++) {
      if (i === failAt) throw new Error(`row ${i} could not be read`);
      yield [String(i), `0812${String(i).padStart(8, '0')}`, i % 1000 === 0 ? `=cmd|${i}` : `Pelanggan ${i}`];
    }
  };
  // About 40 bytes a row: 20,000 rows are a dozen 64 KB blocks.
  assert.equal(await writeTable(['row', 'phone', 'name'], rows(20_000), out), 20_000);
  const lines = readFileSync(out, 'utf8').split('\r\n');
  assert.equal(lines[0], '\uFEFFrow,phone,name');
  assert.equal(lines.length, 20_002, 'header, rows, and the empty piece after the last CRLF');
  assert.equal(lines[1 + 19_999], '19999,081200019999,Pelanggan 19999');
  assert.equal(lines[1 + 5000], "5000,081200005000,'=cmd|5000");
  writeFileSync(out, 'kept\n');
  for (const failAt of [0, 15_000]) {
    await assert.rejects(writeTable(['row', 'phone', 'name'], rows(20_000, failAt), out), new RegExp(`row ${failAt} could not be read`));
    assert.equal(readFileSync(out, 'utf8'), 'kept\n', `failing at row ${failAt}`);
    assert.deepEqual(readdirSync(dir), ['preview.csv'], 'no temporary file left');
  }
});
