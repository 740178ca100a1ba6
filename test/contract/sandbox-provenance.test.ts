// The sandbox's Qontak side against its sources: every citation in src/sandbox/PROVENANCE.md says what the row claims
// (checked against the copies under fixtures/api), every field of a GET or POST answer appears in a recording or a
// document, and each declared behaviour is probed against the running sandbox with its row named.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { startSandbox } from '../../src/sandbox/index.js';
import { fixture, recordedDir, repoRoot } from '../helpers/paths.js';
import { clients } from '../helpers/sandbox-client.js';

const provenance = readFileSync(path.join(repoRoot, 'src', 'sandbox', 'PROVENANCE.md'), 'utf8');
const qontakSection = provenance.slice(provenance.indexOf('## Qontak'), provenance.indexOf('## Konekwa'));
/** The Qontak rows as [what, source], with Markdown's escaped pipes read back. */
const rows: [string, string][] = qontakSection
  .split('\n')
  .filter((l) => l.startsWith('| ') && !l.startsWith('| field') && !l.startsWith('|---'))
  .map((l) => l.split(/(?<!\\)\|/).slice(1, -1).map((c) => c.trim().replace(/\\\|/g, '|')) as [string, string]);

/** The row whose "what" contains `phrase`; fails when no row declares it. */
function row(phrase: string): [string, string] {
  const r = rows.find(([what]) => what.includes(phrase));
  assert.ok(r, `PROVENANCE.md declares no Qontak row about "${phrase}"`);
  return r;
}

test('every PROVENANCE.md citation says what its row quotes; every row has a source or says inferred; none claims an observation', () => {
  const qontakMd = readFileSync(fixture('api', 'qontak.md'), 'utf8').split('\n');
  const notes = readFileSync(fixture('api', 'qontak-omnichannel-api-notes.txt'), 'utf8');
  const faq = readFileSync(fixture('api', 'qontak-omnichannel-faq.txt'), 'utf8').split('\n');
  const wrong: string[] = [];
  assert.ok(rows.length > 40, `${rows.length} rows`);
  for (const [what, source] of rows) {
    let cited = 0;
    for (const m of source.matchAll(/qontak\.md:(\d+) «([^»]+)»/g)) {
      cited++;
      if (!qontakMd[Number(m[1]) - 1]?.includes(m[2]!)) wrong.push(`${what}: qontak.md line ${m[1]} does not say «${m[2]}»`);
    }
    for (const m of source.matchAll(/notes@(\d+) «([^»]+)»/g)) {
      cited++;
      if (!notes.startsWith(m[2]!, Number(m[1]))) wrong.push(`${what}: the notes at ${m[1]} do not say «${m[2]}» (found at ${notes.indexOf(m[2]!)})`);
    }
    for (const m of source.matchAll(/faq:(\d+) «([^»]+)»/g)) {
      cited++;
      if (!faq[Number(m[1]) - 1]?.includes(m[2]!)) wrong.push(`${what}: faq line ${m[1]} does not say «${m[2]}»`);
    }
    for (const m of source.matchAll(/`((?:get|post|request)_[A-Za-z_]+(?:_\d{3})?\.json)`/g)) {
      cited++;
      if (!existsSync(path.join(recordedDir, m[1]!))) wrong.push(`${what}: no recording ${m[1]}`);
    }
    if (cited === 0 && !/\*\*inferred\*\*|RFC \d+|test hook/.test(source)) wrong.push(`${what}: no source and not marked inferred`);
    if (/observed/i.test(source)) wrong.push(`${what}: claims an observation ("${source}"); the sources are documents and examples`);
  }
  assert.deepEqual(wrong, []);
});

function paths(v: unknown, prefix: string, out: Set<string>): void {
  if (Array.isArray(v)) {
    for (const x of v) paths(x, `${prefix}[]`, out);
    return;
  }
  if (v === null || typeof v !== 'object') return;
  for (const [k, x] of Object.entries(v as Record<string, unknown>)) {
    const p = prefix ? `${prefix}.${k}` : k;
    out.add(p);
    // Objects whose keys are data, not fields (variables, counts by status, per-status webhooks, rows).
    if (!['extra', 'contact_extra', 'error_messages', 'parameters', 'messages_response', 'messages', 'settings', 'example'].includes(k)) paths(x, p, out);
  }
}

function recordedFields(): { allowed: Set<string>; leaves: Set<string> } {
  // Documented, not recorded: the broadcasts meta's `pit` (qontak.md:48) and a template's footer object (notes@11467).
  const allowed = new Set<string>(['meta.pagination.cursor.pit', 'data[].footer.text', 'data.footer.text', 'data.data[].footer.text']);
  for (const f of readdirSync(recordedDir)) {
    const rec = JSON.parse(readFileSync(path.join(recordedDir, f), 'utf8')) as { body?: unknown };
    if (rec.body !== undefined) paths(rec.body, '', allowed);
  }
  // The success envelope of a single object is the same whichever endpoint: compare data fields by their last names.
  const leaf = (p: string) => p.replace(/^data(\[\])?\./, '');
  return { allowed, leaves: new Set([...allowed].map(leaf)) };
}

test('every field of a Qontak answer, GET or POST, appears in a recording or a document', async () => {
  const { allowed, leaves } = recordedFields();
  const leaf = (p: string) => p.replace(/^data(\[\])?\./, '');
  let clock = Date.UTC(2026, 10, 2, 9, 0, 0);
  const sb = await startSandbox({ now: () => clock, seed: 3, speed: 100, bulkCooldownMs: 0 });
  try {
    const c = clients(sb, () => clock);
    const answers: [string, unknown][] = [];
    const csv = 'phone_number,full_name,order_id\r\n6281234567890,Budi,A-1\r\nxx,Sari,A-2\r\n';
    const upload = await c.upload({ name: 'p', source_type: 'spreadsheet' }, { name: 'p.csv', data: csv });
    answers.push(['POST /contacts/contact_lists/async', upload.body]);
    const listId = upload.body.data.id;
    clock += 5000;
    const b = sb.state.seedBroadcast({ recipients: 30, startAtMs: clock - 60_000 });
    const t = sb.state.templates.find((x) => x.header?.format === 'IMAGE')!;
    const withFooter = sb.state.templates.find((x) => x.footer !== null)!;
    for (const p of ['/integrations', `/integrations/${sb.state.integrations[0]!.id}`, '/templates/whatsapp?limit=100', `/templates/${t.id}/whatsapp`, `/templates/${withFooter.id}/whatsapp`, '/contacts/contact_lists', `/contacts/contact_lists/${listId}`, `/contacts/contact_lists/contacts/${listId}`, '/broadcasts/whatsapp', `/broadcasts/${b.id}/whatsapp`, `/broadcasts/${b.id}/whatsapp/log`]) {
      answers.push([`GET ${p}`, (await c.q('GET', p)).body]);
    }
    const order = sb.state.templates.find((x) => x.name === 'order_update' && x.language === 'id')!;
    const channel = sb.state.integrations.find((i) => i.target_channel === 'wa' && i.is_active)!.id;
    const bulk = await c.q('POST', '/broadcasts/whatsapp', { name: 'p', message_template_id: order.id, contact_list_id: listId, channel_integration_id: channel, parameters: { body: [{ key: '1', value: 'full_name' }, { key: '2', value: 'order_id' }] } });
    assert.equal(bulk.status, 201, bulk.text);
    // qontak.md:131: the fields three public clients read, and nothing a client could mistake for more.
    assert.deepEqual(Object.keys(bulk.body.data).sort(), ['created_at', 'id', 'message_status_count', 'name', 'send_at']);
    answers.push(['POST /broadcasts/whatsapp', bulk.body]);
    const direct = await c.q('POST', '/broadcasts/whatsapp/direct', { to_name: 'Budi', to_number: '6281234567890', message_template_id: order.id, channel_integration_id: channel, language: { code: 'id' }, parameters: { body: [{ key: '1', value_text: 'Budi', value: 'full_name' }, { key: '2', value_text: 'A-1', value: 'order_id' }] } });
    assert.deepEqual(direct.body, { status: 'success', data: { id: direct.body.data.id } }, 'qontak.md:83: only data.id');
    const file = await c.upload({}, { name: 'a.png', data: 'png', type: 'image/png' }, '/file_uploader');
    answers.push(['POST /file_uploader', file.body]);
    const created = await c.q('POST', '/templates/whatsapp', { name: 'asal_usul', language: 'id', category: 'MARKETING', components: [{ type: 'BODY', text: 'Halo {{1}}', example: 'Halo Budi' }, { type: 'FOOTER', text: 'Toko' }] });
    assert.equal(created.status, 201, created.text);
    answers.push(['POST /templates/whatsapp', created.body]);
    const unexplained: string[] = [];
    for (const [what, body] of answers) {
      const got = new Set<string>();
      paths(body, '', got);
      for (const p of got) if (!allowed.has(p) && !leaves.has(leaf(p))) unexplained.push(`${what}: ${p}`);
    }
    assert.deepEqual(unexplained, [], 'fields with no source: add the recording or document to PROVENANCE.md and here, or drop the field');
  } finally {
    await sb.close();
  }
});

test('each declared behaviour is what the sandbox does, and its row is in PROVENANCE.md', async () => {
  let clock = Date.UTC(2026, 10, 2, 9, 0, 0);
  const sb = await startSandbox({ now: () => clock, seed: 4, speed: 100, bulkCooldownMs: 5000, directPerMinute: 2 });
  try {
    const c = clients(sb, () => clock);
    const channel = sb.state.integrations.find((i) => i.target_channel === 'wa' && i.is_active)!.id;
    const order = sb.state.templates.find((x) => x.name === 'order_update' && x.language === 'id')!;
    const csv = 'phone_number,full_name,kota,order_id\r\n6281234567890,Budi,Bandung,A-1\r\n';

    // Uploads: processing first; variables by header name; the FAQ's column-E reading when switched on.
    row('upload answer');
    const up = await c.upload({ name: 'h', source_type: 'spreadsheet' }, { name: 'h.csv', data: csv });
    assert.equal(up.body.data.progress, 'processing');
    clock += 1000;
    assert.match(row('become variables by header name')[1], /\*\*inferred\*\*/);
    assert.deepEqual((await c.q('GET', `/contacts/contact_lists/${up.body.data.id}`)).body.data.contact_variables, ['kota', 'order_id']);
    sb.state.qontakUploadLayout = 'column-e';
    const e = await c.upload({ name: 'e', source_type: 'spreadsheet' }, { name: 'e.csv', data: csv });
    sb.state.qontakUploadLayout = 'header';
    clock += 1000;
    assert.deepEqual((await c.q('GET', `/contacts/contact_lists/${e.body.data.id}`)).body.data.contact_variables, [], 'columns C and D are not variables from column E on');

    // Bulk: the public clients' fields, then "please wait" within the window; a bare {} when switched to it.
    row('bulk answer');
    row('Please wait a moment');
    const bulk = (name: string) => c.q('POST', '/broadcasts/whatsapp', { name, message_template_id: order.id, contact_list_id: up.body.data.id, channel_integration_id: channel, parameters: { body: [{ key: '1', value: 'full_name' }, { key: '2', value: 'order_id' }] } });
    const first = await bulk('one');
    assert.equal(first.body.data.execute_status, undefined, 'the answer carries no execute_status');
    const soon = await bulk('two');
    assert.deepEqual(soon.body.error.messages, ['Please wait a moment to send a new broadcast message.']);
    clock += 5000;
    sb.state.qontakBulkAnswer = 'empty';
    const empty = await bulk('three');
    sb.state.qontakBulkAnswer = 'documented';
    assert.deepEqual([empty.status, empty.body], [201, {}]);
    assert.equal([...sb.state.broadcasts.values()].filter((x) => x.name === 'three').length, 1, 'made, though the answer says nothing');

    // Listing and log paging as their sources show them.
    row('epoch milliseconds');
    const listing = (await c.q('GET', '/broadcasts/whatsapp?limit=1&offset=2')).body.meta.pagination.cursor;
    assert.deepEqual([typeof listing.prev, listing.next], ['number', null]);
    row('`next == prev`');
    const seeded = sb.state.seedBroadcast({ recipients: 3, startAtMs: clock - 60_000 });
    const log = (await c.q('GET', `/broadcasts/${seeded.id}/whatsapp/log`)).body;
    assert.equal(log.meta.pagination.cursor.next, log.meta.pagination.cursor.prev);
    row('`messages.body.template` is the template');
    assert.equal(log.data[0].messages.body.template, seeded.template.body);

    // Direct: only the id, a broadcast GET can read, 429 with the documented body past the limit.
    row('direct answer');
    row('a direct send is a broadcast');
    row('60 per sliding minute');
    const direct = () => c.q('POST', '/broadcasts/whatsapp/direct', { to_name: 'Budi', to_number: '6281234567890', message_template_id: order.id, channel_integration_id: channel, language: { code: 'id' }, parameters: { body: [{ key: '1', value_text: 'Budi', value: 'full_name' }, { key: '2', value_text: 'A-1', value: 'order_id' }] } });
    const d1 = await direct();
    assert.equal((await c.q('GET', `/broadcasts/${d1.body.data.id}/whatsapp`)).status, 200);
    row('must be the template\'s own language');
    const en = await c.q('POST', '/broadcasts/whatsapp/direct', { to_name: 'B', to_number: '6281234567899', message_template_id: order.id, channel_integration_id: channel, language: { code: 'en' }, parameters: { body: [] } });
    assert.deepEqual(en.body.error.messages, [`Message template ${order.name} is not available in en`]);
    const limited = await direct();
    assert.equal(limited.status, 429);
    assert.ok(limited.body.error.messages.some((m: string) => /^rate_limit_reset: \d+$/.test(m)));

    // Template create: both documented shapes; a shape no source shows refused; footers as objects.
    row("the seed's shape");
    row("the SDK's shape");
    assert.match(row('neither form')[1], /\*\*inferred\*\*/);
    const seed = await c.q('POST', '/templates/whatsapp', { name: 'bentuk_seed', language: 'id', category: 'UTILITY', components: [{ type: 'BODY', text: 'Halo {{1}}', example: 'Halo Budi' }, { type: 'FOOTER', text: 'Toko' }] });
    assert.equal(seed.status, 201, seed.text);
    assert.deepEqual(seed.body.data.data[0].footer, { text: 'Toko' });
    row('a footer is an object');
    const sdk = await c.q('POST', '/templates/whatsapp', { name: 'bentuk_sdk', category: 'UTILITY', attributes: [{ language: 'id', components: [{ type: 'BODY', text: 'Halo {{1}}', example: { body_text: ['Budi'] } }] }, { language: 'en', components: [{ type: 'BODY', text: 'Hi {{1}}', example: { body_text: ['Budi'] } }] }] });
    assert.equal(sdk.status, 201, sdk.text);
    assert.deepEqual(sdk.body.data.data.map((t: { language: string }) => t.language), ['id', 'en']);
    const meta = await c.q('POST', '/templates/whatsapp', { name: 'bentuk_meta', language: 'id', category: 'UTILITY', components: [{ type: 'BODY', text: 'Halo {{1}}', example: { body_text: [['Budi']] } }] });
    assert.deepEqual([meta.status, meta.body.error.messages], [422, ['Body example must be a text']]);

    // Rows stated as inferred where no source shows them.
    for (const phrase of ['not APPROVED is accepted', 'without `parameters.header`', 'schedule is asked', 'ties at a boundary', 'position cursors']) assert.match(row(phrase)[1], /\*\*inferred\*\*/, phrase);
  } finally {
    await sb.close();
  }
});
