// Contact-list uploads: a real multipart body, asynchronous processing on the sandbox clock, Qontak's header and row
// rules, the uploaded bytes kept as sent, and answers shaped like the recorded ones.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import * as XLSX from 'xlsx';
import { startSandbox, type Sandbox } from '../../src/sandbox/index.js';
import { recordedFile } from '../helpers/paths.js';
import { clients, keyPaths } from '../helpers/sandbox-client.js';

let sb: Sandbox;
let clock = Date.UTC(2026, 10, 2, 9, 0, 0);
let c: ReturnType<typeof clients>;
before(async () => {
  // speed 2: the 1500 ms of processing take 750 ms of sandbox time.
  sb = await startSandbox({ now: () => clock, seed: 3, speed: 2 });
  c = clients(sb, () => clock);
});
after(() => sb.close());

const recorded = (name: string) => JSON.parse(readFileSync(recordedFile(name), 'utf8')).body;
const fields = (name: string) => ({ name, source_type: 'spreadsheet' });
const list = async (id: string) => (await c.q('GET', `/contacts/contact_lists/${id}`)).body.data;

function xlsx(rows: unknown[][]): Uint8Array {
  const wb = XLSX.utils.book_new();
  XLSX.utils.book_append_sheet(wb, XLSX.utils.aoa_to_sheet(rows), 'Sheet1');
  return XLSX.write(wb, { type: 'buffer', bookType: 'xlsx' }) as Uint8Array;
}

test('CSV: accepted as processing, kept byte for byte, then success with counts, variables and per-row errors', async () => {
  // LibreOffice-style: BOM, semicolons, CRLF.
  const csv = '\uFEFFphone_number;full_name;company;order_id\r\n6281234567890;Budi;Acme;A-1\r\n6.28123E+12;Sari;Acme;A-2\r\n6281234567891;"Tono; Jr";Beta;A-3\r\n+6281234567892;Ani;Beta;A-4\r\n';
  const r = await c.upload(fields('nov-promo'), { name: 'nov.csv', data: csv });
  assert.equal(r.status, 201);
  assert.equal(r.body.data.progress, 'processing');
  assert.equal(r.body.data.finished_at, null);
  assert.deepEqual(sb.state.uploads.at(-1)!.bytes, Buffer.from(csv, 'utf8'));
  assert.equal(sb.state.uploads.at(-1)!.filename, 'nov.csv');
  const id = r.body.data.id;

  clock += 700;
  assert.equal((await list(id)).progress, 'processing', 'not before 1500 ms / speed');
  clock += 100;
  const done = await list(id);
  assert.equal(done.progress, 'success');
  assert.deepEqual([done.contacts_count, done.contacts_count_success, done.contacts_count_failed], [4, 2, 2]);
  assert.deepEqual(done.contact_variables, ['company', 'order_id']);
  // An object, as the notes (§11) and the recorded list show it; keyed by spreadsheet row [inferred].
  assert.deepEqual(done.error_messages, { '3': ['phone_number is invalid'], '5': ['phone_number is invalid'] });
  assert.equal(typeof done.finished_at, 'string');

  const contacts = await c.q('GET', `/contacts/contact_lists/contacts/${id}`);
  assert.deepEqual(contacts.body.data.map((x: any) => [x.phone_number, x.full_name, x.extra]), [
    ['6281234567890', 'Budi', { company: 'Acme', order_id: 'A-1' }],
    ['6281234567891', 'Tono; Jr', { company: 'Beta', order_id: 'A-3' }],
  ]);
  const noExtra = (paths: string[]) => paths.filter((p) => !p.startsWith('extra.')).sort();
  assert.deepEqual(noExtra(keyPaths(contacts.body.data[0])), noExtra(keyPaths(recorded('get_contacts_contact_lists_contacts_ID_200.json').data[0])));
  assert.deepEqual(Object.keys(contacts.body.meta.pagination).sort(), Object.keys(recorded('get_contacts_contact_lists_contacts_ID_200.json').meta.pagination).sort());
  assert.deepEqual(Object.keys(done).sort(), Object.keys(recorded('get_contacts_contact_lists_ID_200.json').data).sort());
});

test('XLSX written by SheetJS: processed the same way', async () => {
  const bytes = xlsx([
    ['phone_number', 'full_name', 'city'],
    ['6281111111111', 'Dewi', 'Bandung'],
    ['6282222222222', 'Eko', 'Medan'],
  ]);
  const r = await c.upload(fields('xlsx-list'), { name: 'list.xlsx', data: bytes, type: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet' });
  assert.equal(r.status, 201);
  assert.ok(Buffer.from(bytes).equals(sb.state.uploads.at(-1)!.bytes), 'the xlsx arrives byte for byte');
  clock += 800;
  const done = await list(r.body.data.id);
  assert.deepEqual([done.progress, done.contacts_count_success, done.contact_variables], ['success', 2, ['city']]);
});

test('headers: uppercase or missing phone_number/full_name fail the list with error_messages', async () => {
  const upper = await c.upload(fields('upper'), { name: 'u.csv', data: 'Phone_Number,full_name\r\n6281234567890,A\r\n' });
  const missing = await c.upload(fields('missing'), { name: 'm.csv', data: 'phone_number,name\r\n6281234567890,A\r\n' });
  clock += 800;
  const u = await list(upper.body.data.id);
  assert.equal(u.progress, 'failed');
  assert.deepEqual(u.error_messages, { header: ['Header "Phone_Number" must be lowercase without spaces'] });
  const m = await list(missing.body.data.id);
  assert.equal(m.progress, 'failed');
  assert.deepEqual(m.error_messages, { header: ['Headers must include phone_number and full_name'] });
});

test('row limits: 5,000 rows for Excel files and 20,000 for CSV; one more is a 422', async () => {
  const rows = (n: number) => [['phone_number', 'full_name'], ...Array.from({ length: n }, (_, i) => [`62812${String(i).padStart(8, '0')}`, `P${i}`])];
  const atLimit = await c.upload(fields('x5000'), { name: 'a.xlsx', data: xlsx(rows(5000)) });
  assert.equal(atLimit.status, 201);
  const over = await c.upload(fields('x5001'), { name: 'b.xlsx', data: xlsx(rows(5001)) });
  assert.equal(over.status, 422);
  assert.deepEqual(over.body.error.messages, ['Maximum contacts per upload is 5,000 rows for .xlsx files (this file has 5,001)']);
  const csv = (n: number) => rows(n).map((r) => r.join(',')).join('\n');
  assert.equal((await c.upload(fields('c20000'), { name: 'a.csv', data: csv(20_000) })).status, 201);
  const csvOver = await c.upload(fields('c20001'), { name: 'b.csv', data: csv(20_001) });
  assert.equal(csvOver.status, 422);
  assert.match(csvOver.body.error.messages[0], /20,000 rows for \.csv/);
});

test('form fields: name, source_type=spreadsheet and a .csv/.xls/.xlsx file are required', async () => {
  const none = await c.upload({ source_type: 'spreadsheet' });
  assert.deepEqual(none.body.error.messages, ["Name can't be blank", "File can't be blank"]);
  const type = await c.upload({ name: 'x', source_type: 'crm_dynamic' }, { name: 'x.csv', data: 'phone_number,full_name\n' });
  assert.deepEqual(type.body.error.messages, ['Source type must be spreadsheet']);
  const ext = await c.upload(fields('x'), { name: 'x.txt', data: 'phone_number,full_name\n' });
  assert.deepEqual([ext.status, ext.body.error.messages], [422, ['File must be .csv, .xls or .xlsx']]);
  const notMultipart = await c.q('POST', '/contacts/contact_lists/async', { name: 'x' });
  assert.equal(notMultipart.status, 400);
});

test('lists page newest first; unknown ids are the recorded 422', async () => {
  const page1 = await c.q('GET', '/contacts/contact_lists?limit=2&offset=1');
  assert.equal(page1.body.data.length, 2);
  assert.equal(page1.body.meta.pagination.total, sb.state.contactLists.size);
  assert.equal(page1.body.data[0].name, [...sb.state.contactLists.values()].at(-1)!.name);
  const unknown = await c.q('GET', '/contacts/contact_lists/534bd3d4-5395-46a9-bfbb-353f3a7721bee');
  assert.equal(unknown.status, 422);
  assert.deepEqual(unknown.body, recorded('get_contacts_contact_lists_ID_422.json'));
  const unknownContacts = await c.q('GET', '/contacts/contact_lists/contacts/ba54238b-02a9-4e92-9d3e-699d9dc28244');
  assert.deepEqual(unknownContacts.body, recorded('get_contacts_contact_lists_contacts_ID_422.json'));
});
