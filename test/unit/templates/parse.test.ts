// Reading every accepted shape into TemplateDoc, the recorded Qontak responses, and pointing at the exact character
// in the file through JSON escapes; broken JSON fails with file, line and column.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fromRemoteTemplate, parseTemplateText, TemplateFileError, validateTemplate } from '../../../src/core/templates/index.js';
import { InputError } from '../../../src/core/input-error.js';
import { sharedDir } from '../../helpers/paths.js';

const recorded = (name: string) => readFileSync(path.join(sharedDir, 'api', 'qontak', 'recorded', name), 'utf8');

test('create JSON: body, examples, header with example, footer, buttons with upper-cased types', () => {
  const [doc] = parseTemplateText(
    JSON.stringify({
      name: 'promo',
      language: 'id',
      category: 'MARKETING',
      components: [
        { type: 'header', format: 'text', text: 'Promo {{1}}', example: { header_text: ['Budi'] } },
        { type: 'BODY', text: 'Halo {{1}}, diskon {{2}} hari ini.', example: { body_text: [['Budi', '10 persen']] } },
        { type: 'FOOTER', text: 'Toko Maju' },
        { type: 'BUTTONS', buttons: [{ type: 'quick_reply', text: 'Ya' }, { type: 'URL', text: 'Buka', url: 'https://a.id/{{1}}', example: ['https://a.id/x'] }] },
      ],
    }),
    'p.json',
  );
  assert.ok(doc);
  assert.equal(doc.body, 'Halo {{1}}, diskon {{2}} hari ini.');
  assert.equal(doc.bodyCount, 1);
  assert.deepEqual(doc.examples, ['Budi', '10 persen']);
  assert.deepEqual(doc.header, { format: 'TEXT', text: 'Promo {{1}}', example: ['Budi'] });
  assert.equal(doc.footer, 'Toko Maju');
  assert.deepEqual(doc.buttons.map((b) => b.type), ['QUICK_REPLY', 'URL']);
  assert.deepEqual(doc.buttons[1]!.example, ['https://a.id/x']);
  assert.equal(doc.placeholderStyle, 'positional');
  assert.deepEqual([doc.source.format, doc.source.file, doc.source.pointer, doc.source.index], ['meta', 'p.json', '', 0]);
});

test('the recorded GET /templates/whatsapp response (envelope and all) reads as its 100 Qontak templates', () => {
  const docs = parseTemplateText(recorded('get_templates_whatsapp_200.json'), 'get.json');
  assert.equal(docs.length, 100);
  assert.ok(docs.every((d) => d.source.format === 'qontak' && d.id && d.status));
  const video = docs.find((d) => d.id === '688e4a68-69f8-4931-8b2c-2bea215f0814')!;
  assert.equal(video.header?.format, 'VIDEO');
  assert.match(video.header?.media ?? '', /^#<Hashie::Mash header_handle=/);
  assert.deepEqual(video.buttons, [{ type: 'URL', text: 'access here', url: 'http://www.qontak.com/' }]);
  assert.equal(docs[99]!.source.pointer, '/body/data/99');
  // "testing purpose only{{1}}" ends with its placeholder: reported where the file holds it.
  const text = docs.find((d) => d.id === 'd9266399-22e6-4db7-b18c-0b985283de03')!;
  const dangling = validateTemplate(text).find((f) => f.ruleId === 'dangling-placeholder')!;
  const lines = recorded('get_templates_whatsapp_200.json').split('\n');
  assert.equal(lines[dangling.fileLine! - 1]!.slice(dangling.fileColumn! - 1, dangling.fileColumn! + 4), '{{1}}');
});

test('the recorded POST /templates/whatsapp response reads as the created template with its quick reply', () => {
  const [doc, ...rest] = parseTemplateText(recorded('post_templates_whatsapp_201.json'), 'post.json');
  assert.equal(rest.length, 0);
  assert.equal(doc!.name, 'dama_testing_create_template_2');
  assert.equal(doc!.status, 'PENDING');
  assert.deepEqual(doc!.buttons, [{ type: 'QUICK_REPLY', text: 'Button 1' }]);
  assert.equal(doc!.header?.format, 'IMAGE');
});

test('Konekwa templates read as named placeholders; a list gives one document per entry with its index', () => {
  const docs = parseTemplateText('[{"name":"a","content":"Halo {{name}}."},{"id":"tpl_2","name":"b","content":"Hai {{nama}}!"}]', 'k.json');
  assert.deepEqual(docs.map((d) => [d.name, d.placeholderStyle, d.source.format, d.source.index, d.source.pointer, d.id]), [
    ['a', 'named', 'konekwa', 0, '/0', undefined],
    ['b', 'named', 'konekwa', 1, '/1', 'tpl_2'],
  ]);
});

test("Meta's named parameter format reads its named examples", () => {
  const [doc] = parseTemplateText(
    JSON.stringify({ name: 'n', language: 'en', category: 'UTILITY', parameter_format: 'NAMED', components: [{ type: 'BODY', text: 'Hi {{first_name}}, your order {{order_id}} has shipped today.', example: { body_text_named_params: [{ param_name: 'first_name', example: 'Jo' }] } }] }),
    'n.json',
  );
  assert.equal(doc!.placeholderStyle, 'named');
  assert.deepEqual(doc!.exampleKeys, ['first_name']);
  const f = validateTemplate(doc!);
  assert.deepEqual(f.map((x) => x.ruleId), ['example-values']);
  assert.match(f[0]!.message, /\{\{order_id\}\}/);
});

test('invalid JSON: one-line TemplateFileError naming file, line and column of the fault', () => {
  const cases: [string, RegExp][] = [
    ['{\n  "name": "a",\n  "body": "x" "y"\n}', /^t\.json:3:15: invalid JSON: expected "," or "}"$/],
    ['{\n  "name": "a\nb"\n}', /^t\.json:2:13: invalid JSON: a control character/],
    ['[1, 2,]', /^t\.json:1:7: invalid JSON: unexpected "]"$/],
    ['{"a": 01}', /^t\.json:1:8: invalid JSON: expected "," or "}"$/],
    ['{"a": "\\x"}', /^t\.json:1:8: invalid JSON: unknown escape "\\x"$/],
    ['', /^t\.json:1:1: invalid JSON: the file ends where a value should be$/],
    ['{"name": "a', /^t\.json:1:10: invalid JSON: a string is never closed$/],
  ];
  for (const [text, re] of cases) {
    assert.throws(
      () => parseTemplateText(text, 't.json'),
      (e: unknown) => e instanceof TemplateFileError && e instanceof InputError && re.test((e as Error).message) && !(e as Error).message.includes('\n'),
      text,
    );
  }
});

test('an entry that is no template is refused at its position', () => {
  assert.throws(() => parseTemplateText('[\n  {"name": "a", "content": "x"},\n  42\n]', 'l.json'), { name: 'TemplateFileError', message: /^l\.json:3:3: not a template/ });
});

test('a byte-order mark is skipped and positions stay right', () => {
  const [doc] = parseTemplateText('\ufeff{"name": "Bad Name", "content": "Halo."}', 'bom.json');
  const f = validateTemplate(doc!, { profileProvider: 'qontak' });
  assert.deepEqual(f, []); // Konekwa names are free text
  const [meta] = parseTemplateText('\ufeff{"name": "Bad", "language": "id", "category": "UTILITY", "components": [{"type": "BODY", "text": "Halo."}]}', 'bom.json');
  const nf = validateTemplate(meta!).find((x) => x.ruleId === 'name-charset')!;
  assert.deepEqual([nf.fileLine, nf.fileColumn], [1, 12]);
});

test('positions map through escapes: \\n, \\", \\\\, \\u00e9 and a surrogate pair written as \\ud83c\\udf89', () => {
  const text = '{"name":"esc","language":"id","category":"UTILITY","components":[{"type":"BODY","example":{"body_text":[["A"]]},\n"text":"Hi {{1}} \\"x\\\\y\\" caf\\u00e9 \\ud83c\\udf89\\nline two  here."}]}';
  const [doc] = parseTemplateText(text, 'e.json');
  assert.equal(doc!.body, 'Hi {{1}} "x\\y" café 🎉\nline two  here.');
  const f = validateTemplate(doc!);
  assert.deepEqual(f.map((x) => x.ruleId), ['double-space']);
  assert.deepEqual([f[0]!.line, f[0]!.column], [2, 9]);
  const line = text.split('\n')[f[0]!.fileLine! - 1]!;
  assert.equal(line.slice(f[0]!.fileColumn! - 1, f[0]!.fileColumn! + 5), '  here');
});

test('a template from an account listing validates without file positions', () => {
  const doc = fromRemoteTemplate({ id: '1', name: 'x', language: 'id', category: 'UTILITY', status: 'APPROVED', body: 'Halo  {{1}}', header: null, footer: null, buttons: [] }, 'qontak');
  assert.deepEqual(validateTemplate(doc).map((x) => [x.ruleId, x.fileLine, x.line, x.column]), [
    ['dangling-placeholder', undefined, 1, 7],
    ['double-space', undefined, 1, 5],
    ['placeholder-density', undefined, undefined, undefined],
  ]);
  const k = fromRemoteTemplate({ id: 't', name: 'Sapaan pagi', body: 'Halo {{nama}}, selamat pagi dan selamat bekerja!', language: '', category: '' }, 'konekwa');
  assert.equal(k.placeholderStyle, 'named');
  assert.equal(k.source.format, 'konekwa');
  assert.deepEqual(validateTemplate(k), []);
});
