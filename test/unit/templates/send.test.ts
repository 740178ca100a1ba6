// Send-time rules for one recipient's values, variable names, placeholders and rendering.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { SendRules } from '../../../src/core/send/plan.js';
import { checkSendValues, checkVariableName, graphemeLength, parseTemplateText, placeholdersOf, renderBody, type TemplateDoc } from '../../../src/core/templates/index.js';

const doc = (body: string, buttons: unknown[] = []): TemplateDoc =>
  parseTemplateText(JSON.stringify({ id: 'x', name: 'n', language: 'id', category: 'UTILITY', status: 'APPROVED', header: null, body, footer: null, buttons }), 'r.json')[0]!;
const ids = (fs: { ruleId: string; field: string }[]) => fs.map((f) => `${f.ruleId} ${f.field}`);

test('placeholdersOf: ordered unique keys and the style', () => {
  assert.deepEqual(placeholdersOf('Halo {{2}} dan {{1}}, {{2}} lagi'), { style: 'positional', keys: ['2', '1'] });
  assert.deepEqual(placeholdersOf('Halo {{name}} dari {{ company }}'), { style: 'named', keys: ['name', 'company'] });
  assert.deepEqual(placeholdersOf('Tanpa variabel.'), { style: 'positional', keys: [] });
});

test('renderBody fills each occurrence and leaves a placeholder without a value as written', () => {
  assert.equal(renderBody('Halo {{1}}, {{ 2 }} dan {{1}}!', { '1': 'Budi', '2': 'Ani' }), 'Halo Budi, Ani dan Budi!');
  assert.equal(renderBody('Halo {{name}} {{x}}', { name: 'Budi' }), 'Halo Budi {{x}}');
  assert.equal(renderBody('Tanpa variabel.', { '1': 'x' }), 'Tanpa variabel.');
});

test('parameter count: exactly one value per placeholder, none missing and none extra', () => {
  const d = doc('Halo {{1}}, pesanan {{2}} siap.');
  assert.deepEqual(checkSendValues(d, { '1': 'Budi', '2': 'INV-1' }), []);
  assert.deepEqual(ids(checkSendValues(d, { '1': 'Budi' })), ['parameter-count values.2']);
  const extra = checkSendValues(d, { '1': 'Budi', '2': 'INV-1', '3': 'x' });
  assert.deepEqual(ids(extra), ['parameter-count values.3']);
  assert.match(extra[0]!.message, /has 2 placeholder\(s\) \(\{\{1\}\}, \{\{2\}\}\) — remove the extra value/);
});

test('parameter text: no line break, tab, empty value or more than 4 spaces in a row', () => {
  const d = doc('Halo {{1}}, pesanan siap.');
  for (const bad of ['Budi\nSantoso', 'Budi\r\nSantoso', 'Budi\tSantoso', 'Budi     Santoso', '', '   ']) {
    assert.deepEqual(ids(checkSendValues(d, { '1': bad })), ['parameter-text values.1'], JSON.stringify(bad));
  }
  assert.deepEqual(checkSendValues(d, { '1': 'Budi    Santoso' }), []); // four spaces are allowed
});

test('rendered length: the filled-in body within 1024 characters as seen, counting repeated placeholders each time', () => {
  const d = doc('Halo {{1}}, kode Anda {{1}}.');
  const fixed = graphemeLength('Halo , kode Anda .');
  const fits = 'x'.repeat(Math.floor((1024 - fixed) / 2));
  assert.deepEqual(checkSendValues(d, { '1': fits }), []);
  const over = checkSendValues(d, { '1': `${fits}y` });
  assert.deepEqual(ids(over), ['rendered-length body']);
  // One more character in a value used twice adds two.
  assert.match(over[0]!.message, /is 1026 characters \(counted as a person sees them\); the limit is 1024 — shorten the values by 2/);
  // Flags are one character each: 500 of them fit though they take 2,000 UTF-16 units.
  assert.deepEqual(checkSendValues(doc('Bendera: {{1}}.'), { '1': '🇮🇩'.repeat(500) }), []);
});

test('URL button value must be percent-encoded; a missing one is a count problem', () => {
  const d = doc('Halo {{1}}, lacak paket Anda di bawah.', [{ type: 'URL', text: 'Lacak', url: 'https://a.id/track/{{1}}' }]);
  assert.deepEqual(checkSendValues(d, { '1': 'Budi' }, { buttons: { '0': 'INV%2F1?x=1' } }), []);
  const bad = checkSendValues(d, { '1': 'Budi' }, { buttons: { '0': 'INV 1/é' } });
  assert.deepEqual(ids(bad), ['url-button-value buttons[0].url']);
  assert.match(bad[0]!.message, /send "INV%201\/%C3%A9" instead/);
  assert.deepEqual(ids(checkSendValues(d, { '1': 'Budi' })), ['parameter-count buttons[0].url']);
});

test('variable names: 2 to 16 of a-z, 0-9 and _', () => {
  for (const ok of ['ab', 'full_name', 'a1_b2_c3_d4_e5_f']) assert.equal(checkVariableName(ok), null, ok);
  for (const [bad, hint] of [['a', /shorter than 2/], ['Nama Lengkap', /e\.g\. "nama_lengkap"/], ['tanggal_jatuh_tempo', /19 characters/], ['kode-pos', /"kode_pos"/]] as const) {
    const f = checkVariableName(bad);
    assert.equal(f?.ruleId, 'variable-name', bad);
    assert.match(f!.message, hint);
  }
});

test('per-recipient checks are cheap: 100,000 recipients with emoji in the body in well under a second each run', () => {
  const d = doc('Halo {{1}} 👋🏽, pesanan {{2}} senilai {{3}} sudah kami kirim 🇮🇩. Terima kasih!');
  const t = performance.now();
  let problems = 0;
  for (let i = 0; i < 100_000; i++) problems += checkSendValues(d, { '1': `Pelanggan ${i}`, '2': `INV-${i}`, '3': i % 1000 === 0 ? 'Rp\t5' : 'Rp 50.000' }).length;
  const ms = performance.now() - t;
  assert.equal(problems, 100);
  assert.ok(ms < 3000, `${ms.toFixed(0)} ms`);
});

test('templateSendRules fits the broadcast planner: a listed template, its values, messages only', async () => {
  const { templateSendRules } = await import('../../../src/core/templates/index.js');
  const listed = { id: 'x', name: 'n', language: 'id', category: 'UTILITY', status: 'APPROVED', body: 'Halo {{1}}, pesanan {{2}} siap.', header: null, footer: null, buttons: [], qualityRating: null, raw: {} };
  // The compiler checks it against the planner's SendRules interface.
  const rules: SendRules = templateSendRules;
  assert.equal(rules.render('a {{1}}.', { '1': 'b' }), 'a b.');
  assert.deepEqual(templateSendRules.placeholders(listed.body), { style: 'positional', keys: ['1', '2'] });
  assert.deepEqual(templateSendRules.checkValues(listed, { '1': 'Budi', '2': 'INV-1' }), []);
  assert.deepEqual(templateSendRules.checkValues(listed, { '1': 'Budi\nS', '2': 'INV-1' }).map((p) => p.ruleId), ['parameter-text']);
  assert.equal(templateSendRules.checkVariableName('full_name'), null);
  assert.match(templateSendRules.checkVariableName('Full Name') ?? '', /e\.g\. "full_name"/);
  assert.equal(templateSendRules.render(listed.body, { '1': 'Budi', '2': 'INV-1' }), 'Halo Budi, pesanan INV-1 siap.');
});
