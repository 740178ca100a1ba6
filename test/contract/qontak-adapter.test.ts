// The Qontak adapter against Qontak's recorded responses, and its request bodies against the documented shapes.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import type { QontakProvider } from '../../src/providers/qontak/adapter.js';
import { ApiAuthError, ApiNotFoundError } from '../../src/providers/errors.js';
import { ConflictError } from '../../src/errors.js';
import { toTemplate } from '../../src/providers/qontak/mapping.js';
import { loadRecorded, qontakAt, replay } from '../helpers/recorded.js';
import { recordedFile } from '../helpers/paths.js';

const qontak = qontakAt;

async function withReplay<T>(route: Parameters<typeof replay>[0], fn: (p: QontakProvider, srv: Awaited<ReturnType<typeof replay>>) => Promise<T>): Promise<T> {
  const srv = await replay(route);
  try {
    return await fn(await qontak(srv.url), srv);
  } finally {
    await srv.close();
  }
}

const collect = async <T>(it: AsyncIterable<T>): Promise<T[]> => {
  const out: T[] = [];
  for await (const x of it) out.push(x);
  return out;
};

test('templates: the recorded list maps every template with status, category and buttons', async () => {
  const recorded = (loadRecorded('get_templates_whatsapp_200').body as { data: { id: string; status: string }[] }).data;
  await withReplay('get_templates_whatsapp_200', async (p, srv) => {
    const all = await collect(p.listTemplates({}));
    assert.equal(all.length, recorded.length);
    assert.deepEqual(all.map((t) => t.id), recorded.map((t) => t.id));
    assert.ok(all.some((t) => t.status === 'APPROVED') && all.some((t) => t.status === 'REJECTED'));
    const withHeader = all.find((t) => t.header !== null)!;
    assert.ok(withHeader.header!.format);
    assert.match(srv.requests[0]!.url, /^\/qontak\/chat\/v1\/templates\/whatsapp\?limit=50$/);
  });
});

test('templates: filters go into the query string', async () => {
  await withReplay('get_templates_whatsapp_200', async (p, srv) => {
    await collect(p.listTemplates({ status: 'APPROVED', category: 'MARKETING', query: 'promo', max: 3 }));
    const url = new URL(srv.requests[0]!.url, 'http://x');
    assert.equal(url.searchParams.get('status'), 'APPROVED');
    assert.equal(url.searchParams.get('query'), 'promo');
    assert.deepEqual(url.searchParams.getAll('category[]'), ['MARKETING']);
  });
});

test('templates: one template by id, and the 401 as an auth error', async () => {
  await withReplay('get_templates_ID_whatsapp_200', async (p, srv) => {
    const t = await p.getTemplate('131ee1d0-5c27-4ec3-887c-a11ceb66b561');
    assert.equal(t.name, 'template_1729088217941_hsm_chat_expired');
    assert.equal(t.language, 'en_US');
    assert.equal(srv.requests[0]!.url, '/qontak/chat/v1/templates/131ee1d0-5c27-4ec3-887c-a11ceb66b561/whatsapp');
  });
  await withReplay('get_templates_ID_whatsapp_401', async (p) => {
    await assert.rejects(p.getTemplate('x'), ApiAuthError);
  });
});

test('templates: create looks first, then sends the seed\'s shape (a string example) and reads the doubly nested 201', async () => {
  // GET: the recorded listing (no template of that name); POST: the recorded 201.
  await withReplay((req) => (req.method === 'POST' ? 'post_templates_whatsapp_201' : 'get_templates_whatsapp_200'), async (p, srv) => {
    const t = await p.createTemplate({
      name: 'dama_testing_create_template_2',
      language: 'id',
      category: 'MARKETING',
      body: 'Halo {{1}}, promo {{2}}.',
      bodyExamples: ['Budi', 'November'],
      buttons: [{ type: 'QUICK_REPLY', text: 'Button 1' }],
    });
    assert.equal(t.id, 'cf69dfb0-8ddf-4757-8b0f-a1f724a5d2a3');
    assert.equal(t.status, 'PENDING');
    assert.match(srv.requests[0]!.url, /^\/qontak\/chat\/v1\/templates\/whatsapp\?limit=50$/, 'the listing is read (names compared locally) before anything is submitted');
    const sent = JSON.parse(srv.requests.find((r) => r.method === 'POST')!.body);
    // seeds/qontak-omnichannel-api-notes.txt, "WhatsApp Message Template Creation": BODY's example is the text filled in.
    assert.deepEqual(sent, {
      name: 'dama_testing_create_template_2',
      language: 'id',
      category: 'MARKETING',
      components: [
        { type: 'BODY', text: 'Halo {{1}}, promo {{2}}.', example: 'Halo Budi, promo November.' },
        { type: 'BUTTONS', buttons: [{ type: 'QUICK_REPLY', text: 'Button 1' }] },
      ],
    });
  });
});

test('templates: a name the account already holds in that language is a conflict before any POST', async () => {
  await withReplay('get_templates_whatsapp_200', async (p, srv) => {
    const err = await p.createTemplate({ name: 'template_1729088217941_hsm_chat_expired', language: 'en_US', category: 'MARKETING', body: 'x' }).catch((e: unknown) => e);
    assert.ok(err instanceof ConflictError, String(err));
    assert.match(err.message, /already exists in en_US \(APPROVED, id 131ee1d0/);
    assert.ok(srv.requests.every((r) => r.method === 'GET'));
  });
});

test('templates: the category list is read from GET /templates/category', async () => {
  await withReplay('get_templates_category_200', async (p) => {
    const c = await p.templateCategories();
    assert.equal(c[0], 'ACCOUNT_UPDATE');
    assert.equal(c.length, 11);
  });
});

test('templates: footers and headers in any shape are text, never "[object Object]"', () => {
  const base = { id: 'x', name: 'n' };
  assert.equal(toTemplate({ ...base, footer: { text: 'Toko Maju Jaya' } }).footer, 'Toko Maju Jaya');
  assert.equal(toTemplate({ ...base, footer: 'plain' }).footer, 'plain');
  assert.equal(toTemplate({ ...base, footer: null }).footer, null);
  assert.equal(toTemplate({ ...base, footer: { type: 'FOOTER', note: 1 } }).footer, '{"type":"FOOTER","note":1}');
  assert.deepEqual(toTemplate({ ...base, header: { format: 'TEXT', text: { text: 'Halo' } } }).header, { format: 'TEXT', text: 'Halo' });
  assert.deepEqual(toTemplate({ ...base, header: 'Halo' }).header, { format: 'TEXT', text: 'Halo' });
  assert.deepEqual(toTemplate({ ...base, header: { shape: 'odd' } }).header, { format: 'TEXT', text: '{"shape":"odd"}' });
});

test('contact lists: detail, contacts, and the 422 for an unknown id as not found', async () => {
  await withReplay('get_contacts_contact_lists_ID_200', async (p) => {
    const l = await p.lists.get('534bd3d4-5395-46a9-bfbb-353f3a7721be');
    assert.equal(l.progress, 'success');
    assert.equal(l.count, 2);
    assert.deepEqual(l.variables, ['company', 'customer_name']);
  });
  await withReplay('get_contacts_contact_lists_ID_422', async (p) => {
    const err = await p.lists.get('nope').catch((e: unknown) => e);
    assert.ok(err instanceof ApiNotFoundError);
    assert.match(err.message, /Couldn't find contact list/);
  });
});

test('contact lists: upload is multipart with name, source_type=spreadsheet and the file', async () => {
  await withReplay('get_contacts_contact_lists_ID_200', async (p, srv) => {
    await p.lists.upload('nov promo', { filename: 'nov.csv', contentType: 'text/csv', data: Buffer.from('phone_number,full_name\r\n6281,Budi\r\n') });
    const req = srv.requests[0]!;
    assert.equal(req.method, 'POST');
    assert.equal(req.url, '/qontak/chat/v1/contacts/contact_lists/async');
    assert.match(String(req.headers['content-type']), /^multipart\/form-data; boundary=/);
    assert.match(req.body, /name="name"\r\n\r\nnov promo\r\n/);
    assert.match(req.body, /name="source_type"\r\n\r\nspreadsheet\r\n/);
    assert.match(req.body, /name="file"; filename="nov.csv"\r\nContent-Type: text\/csv\r\n\r\nphone_number,full_name\r\n6281,Budi\r\n\r\n/);
  });
});

test('broadcasts: detail and list map execute status and message counts', async () => {
  await withReplay('get_broadcasts_ID_whatsapp_200', async (p) => {
    const b = await p.broadcasts.get('98b463bc-a8f1-4f19-84df-ae62967ff795');
    assert.equal(b.status, 'done');
    assert.equal(b.templateName, 'sorry_yee');
    assert.deepEqual(b.counts, { pending: 0, sent: 0, delivered: 0, read: 0, failed: 0 });
  });
  await withReplay('get_broadcasts_whatsapp_200', async (p) => {
    const all = await collect(p.broadcasts.list({ query: 'wa-abc' }));
    assert.equal(all.length, 1);
    assert.equal(all[0]!.name, 'broadcast_automation_1729027102497');
  });
});

test('broadcasts: the bulk body has the documented shape; a schedule adds execute_type and send_at', async () => {
  await withReplay('get_broadcasts_ID_whatsapp_200', async (p, srv) => {
    await p.broadcasts.sendBulk({ name: 'nov-promo', templateId: 't', contactListId: 'l', channelId: 'c', body: [{ key: '1', value: 'full_name' }] });
    await p.broadcasts.sendBulk({ name: 'later', templateId: 't', contactListId: 'l', channelId: 'c', body: [], sendAt: '2026-12-01T09:00:00+07:00' });
    assert.deepEqual(JSON.parse(srv.requests[0]!.body), {
      name: 'nov-promo',
      message_template_id: 't',
      contact_list_id: 'l',
      channel_integration_id: 'c',
      parameters: { body: [{ key: '1', value: 'full_name' }] },
    });
    const later = JSON.parse(srv.requests[1]!.body);
    assert.equal(later.execute_type, 'specific');
    assert.equal(later.send_at, '2026-12-01T02:00:00.000Z', 'the same instant in UTC with Z');
  });
});

test('broadcasts: the direct body matches the documented request (header, string button index, body)', async () => {
  const doc = JSON.parse(readFileSync(recordedFile('request_post_broadcasts_whatsapp_direct.json'), 'utf8'));
  const example = doc.schema['x-examples']['Example 1'];
  await withReplay('get_broadcasts_ID_whatsapp_200', async (p, srv) => {
    await p.broadcasts.sendDirect({
      toName: example.to_name,
      toNumber: example.to_number,
      templateId: example.message_template_id,
      channelId: example.channel_integration_id,
      language: example.language.code,
      header: example.parameters.header,
      buttons: [{ index: 0 as unknown as string, type: 'url', value: '123456' }],
      body: [{ key: '1', valueText: '123454321', value: 'otp' }],
    });
    const sent = JSON.parse(srv.requests[0]!.body);
    assert.deepEqual(sent, example);
    for (const field of doc.schema.required as string[]) assert.ok(field in sent, field);
    assert.equal(typeof sent.parameters.buttons[0].index, 'string');
  });
});

test('logs: a page of the recorded log, with no next page when the cursor is null and the total is reached', async () => {
  await withReplay('get_broadcasts_ID_whatsapp_log_200', async (p, srv) => {
    const page = await p.broadcasts.logPage('98b463bc-a8f1-4f19-84df-ae62967ff795', null);
    assert.equal(page.entries.length, 1);
    assert.equal((page.entries[0] as { status: string }).status, 'failed');
    assert.equal(page.next, null);
    assert.equal(srv.requests[0]!.url, '/qontak/chat/v1/broadcasts/98b463bc-a8f1-4f19-84df-ae62967ff795/whatsapp/log?limit=100');
  });
});

for (const name of ['get_broadcasts_ID_whatsapp_401', 'get_broadcasts_whatsapp_401', 'get_contacts_contact_lists_ID_401', 'get_broadcasts_ID_whatsapp_log_401']) {
  test(`errors: ${name} is an auth error with the gateway's message`, async () => {
    await withReplay(name, async (p) => {
      const calls: Record<string, () => Promise<unknown>> = {
        get_broadcasts_ID_whatsapp_401: () => p.broadcasts.get('x'),
        get_broadcasts_whatsapp_401: () => collect(p.broadcasts.list({})),
        get_contacts_contact_lists_ID_401: () => p.lists.get('x'),
        get_broadcasts_ID_whatsapp_log_401: () => p.broadcasts.logPage('x', null),
      };
      const err = await calls[name]!().catch((e: unknown) => e);
      assert.ok(err instanceof ApiAuthError, String(err));
      assert.equal(err.exitCode, 4);
    });
  });
}
