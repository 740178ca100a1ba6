// Templates: paging by offset and by cursor, filters, the seeded catalogue (including its deliberate rule breakers),
// and creation refused or accepted as the real API does. Shapes are compared with the recorded answers.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { startSandbox, type Sandbox } from '../../src/sandbox/index.js';
import { recordedFile } from '../helpers/paths.js';
import { clients, keyPaths } from '../helpers/sandbox-client.js';

let sb: Sandbox;
const clock = Date.UTC(2026, 10, 2, 9, 0, 0);
let c: ReturnType<typeof clients>;
before(async () => {
  sb = await startSandbox({ now: () => clock, seed: 11 });
  c = clients(sb, () => clock);
});
after(() => sb.close());

const recorded = (name: string) => JSON.parse(readFileSync(recordedFile(name), 'utf8')).body;

async function allByOffset(query: string): Promise<string[]> {
  const ids: string[] = [];
  for (let offset = 1; offset < 100; offset++) {
    const r = await c.q('GET', `/templates/whatsapp?${query}&offset=${offset}`);
    assert.equal(r.status, 200);
    if (r.body.data.length === 0) return ids;
    ids.push(...r.body.data.map((t: { id: string }) => t.id));
  }
  throw new Error('paging never ended');
}

async function allByCursor(query: string): Promise<{ ids: string[]; pages: number }> {
  const ids: string[] = [];
  let cursor: string | null = null;
  let pages = 0;
  do {
    const r = await c.q('GET', `/templates/whatsapp?${query}${cursor ? `&cursor=${encodeURIComponent(cursor)}&cursor_direction=after` : ''}`);
    assert.equal(r.status, 200);
    ids.push(...r.body.data.map((t: { id: string }) => t.id));
    cursor = r.body.meta.pagination.cursor.next;
    assert.ok(cursor === null || typeof cursor === 'string');
    pages++;
  } while (cursor && pages < 100);
  return { ids, pages };
}

test('the seeded catalogue: ~45 templates, three statuses, id and en, names in both languages, deliberate rule breakers', () => {
  const t = sb.state.templates;
  assert.ok(t.length >= 40 && t.length <= 50, `${t.length} templates`);
  assert.deepEqual([...new Set(t.map((x) => x.status))].sort(), ['APPROVED', 'PENDING', 'REJECTED']);
  assert.deepEqual([...new Set(t.map((x) => x.language))].sort(), ['en', 'id']);
  const both = [...new Set(t.map((x) => x.name))].filter((n) => t.some((x) => x.name === n && x.language === 'id') && t.some((x) => x.name === n && x.language === 'en'));
  assert.ok(both.length >= 3, `names in both languages: ${both}`);
  assert.ok(t.some((x) => /[A-Z]/.test(x.name)), 'an uppercase name');
  assert.ok(t.some((x) => / {2}/.test(x.body)), 'a double space');
  assert.ok(t.some((x) => x.body.indexOf('{{2}}') >= 0 && x.body.indexOf('{{2}}') < x.body.indexOf('{{1}}')), '{{2}} before {{1}}');
  assert.ok(t.some((x) => x.body.length > 1024), 'a body over 1024 characters');
});

test('paging: default limit 10; every template exactly once by offset and by cursor, in the same order', async () => {
  const first = await c.q('GET', '/templates/whatsapp');
  assert.equal(first.body.data.length, 10);
  const meta = first.body.meta.pagination;
  assert.deepEqual([meta.offset, meta.limit, meta.total], [1, 10, sb.state.templates.length]);
  assert.equal(typeof meta.cursor.next, 'string');
  assert.equal(meta.cursor.prev, null);

  const byOffset = await allByOffset('limit=10');
  const byCursor = await allByCursor('limit=10');
  assert.equal(byOffset.length, sb.state.templates.length);
  assert.equal(new Set(byOffset).size, byOffset.length, 'no template twice');
  assert.deepEqual(byCursor.ids, byOffset);
  assert.equal(byCursor.pages, Math.ceil(sb.state.templates.length / 10));
  // Uneven page sizes end the same way.
  assert.deepEqual((await allByCursor('limit=7')).ids, byOffset);
});

test('paging with a filter, a cursor read backwards, and a cursor the sandbox never issued', async () => {
  const approved = await allByCursor('status=APPROVED&limit=4');
  const expected = sb.state.templates.filter((t) => t.status === 'APPROVED').map((t) => t.id);
  assert.deepEqual(approved.ids, expected);
  const second = await c.q('GET', `/templates/whatsapp?limit=5&offset=2`);
  const back = await c.q('GET', `/templates/whatsapp?limit=5&cursor=${second.body.meta.pagination.cursor.prev}&cursor_direction=before`);
  assert.deepEqual(back.body.data.map((t: { id: string }) => t.id), sb.state.templates.slice(0, 5).map((t) => t.id));
  const bad = await c.q('GET', '/templates/whatsapp?cursor=bm9wZQ');
  assert.equal(bad.status, 422);
  assert.equal(bad.body.status, 'error');
});

test('filters: query on the name, status, category', async () => {
  const promo = await c.q('GET', '/templates/whatsapp?query=promo&limit=100');
  assert.ok(promo.body.data.length >= 2);
  assert.ok(promo.body.data.every((t: { name: string }) => t.name.toLowerCase().includes('promo')));
  const rejected = await c.q('GET', '/templates/whatsapp?status=REJECTED&limit=100');
  assert.equal(rejected.body.meta.pagination.total, sb.state.templates.filter((t) => t.status === 'REJECTED').length);
  const utility = await c.q('GET', '/templates/whatsapp?category=UTILITY&limit=100');
  assert.ok(utility.body.data.length > 0 && utility.body.data.every((t: { category: string }) => t.category === 'UTILITY'));
});

test('one template by id has the recorded shape; an unknown id is the recorded 422', async () => {
  const t = sb.state.templates[0]!;
  const one = await c.q('GET', `/templates/${t.id}/whatsapp`);
  assert.equal(one.status, 200);
  assert.deepEqual(keyPaths(one.body).sort(), keyPaths(recorded('get_templates_ID_whatsapp_200.json')).sort());
  const list = await c.q('GET', '/templates/whatsapp?limit=1');
  assert.deepEqual(keyPaths(list.body.data[0]).sort(), keyPaths(recorded('get_templates_whatsapp_200.json').data[0]).sort());
  const unknown = await c.q('GET', '/templates/0000/whatsapp');
  assert.equal(unknown.status, 422);
  assert.deepEqual(unknown.body, { status: 'error', error: { code: 422, messages: ["Couldn't find message template with 'id'=0000"] } });
});

test('create: the refusals as one 422 envelope listing each problem', async () => {
  const bad = await c.q('POST', '/templates/whatsapp', { name: 'Promo Baru', language: 'xx', category: 'PROMO', components: [] });
  assert.equal(bad.status, 422);
  assert.deepEqual(bad.body.error.messages, [
    'Name must only contain lowercase letters, numbers and underscores',
    'Language xx is not supported',
    'Category must be one of AUTHENTICATION, MARKETING, UTILITY',
    'Components must have exactly one BODY',
  ]);
  const long = await c.q('POST', '/templates/whatsapp', { name: 'panjang', language: 'id', category: 'MARKETING', components: [{ type: 'BODY', text: 'x'.repeat(1025) }] });
  assert.deepEqual(long.body.error.messages, ['Body text is too long (maximum is 1024 characters)']);
  const blank = await c.q('POST', '/templates/whatsapp', {});
  assert.deepEqual(blank.body.error.messages.slice(0, 2), ["Name can't be blank", "Language can't be blank"]);
  const taken = sb.state.templates.find((t) => t.status === 'APPROVED')!;
  const dup = await c.q('POST', '/templates/whatsapp', { name: taken.name, language: taken.language, category: 'UTILITY', components: [{ type: 'BODY', text: 'Halo {{1}}' }] });
  assert.deepEqual(dup.body.error.messages, ['Name has already been taken for this language']);
  assert.equal((await c.q('POST', '/templates/whatsapp', 'not json')).status, 422);
});

test('create: 1024 characters exactly is accepted, PENDING, shaped like the recorded 201, then listed', async () => {
  const before = sb.state.templates.length;
  const body = `Halo {{1}}, ${'a'.repeat(1024 - 'Halo {{1}}, '.length)}`;
  const r = await c.q('POST', '/templates/whatsapp', { name: 'batas_panjang', language: 'en_US', category: 'MARKETING', components: [{ type: 'BODY', text: body }] });
  assert.equal(r.status, 201, JSON.stringify(r.body));
  assert.deepEqual(keyPaths(r.body, '', 3).sort(), keyPaths(recorded('post_templates_whatsapp_201.json'), '', 3).filter((p) => !p.includes('header.') && !p.includes('buttons[].')).sort());
  const created = r.body.data.data[0];
  assert.equal(created.status, 'PENDING');
  assert.equal(sb.state.templates.length, before + 1);
  const found = await c.q('GET', '/templates/whatsapp?query=batas_panjang');
  assert.deepEqual(found.body.data.map((t: { id: string }) => t.id), [created.id]);
});

test('the catalogue endpoints answer as recorded', async () => {
  assert.deepEqual((await c.q('GET', '/templates/category')).body, recorded('get_templates_category_200.json'));
  assert.deepEqual((await c.q('GET', '/templates/language')).body, recorded('get_templates_language_200.json'));
  const langs = await c.q('GET', '/templates/languages?limit=100');
  assert.ok(langs.body.data.some((l: { code: string }) => l.code === 'id'));
});
