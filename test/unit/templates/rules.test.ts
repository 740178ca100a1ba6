// Rule behaviour the corpus does not pin down: severities by provider and override, look-alike spaces, CR LF,
// joiners inside emoji, older categories, and messages that say what to change.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { defaultSeverities, parseTemplateText, RULE_IDS, validateTemplate, type TemplateDoc } from '../../../src/core/templates/index.js';

const meta = (body: string, extra: Record<string, unknown> = {}, examples: string[] = ['Budi', 'INV-1', 'besok']): TemplateDoc =>
  parseTemplateText(JSON.stringify({ name: 'order_update', language: 'id', category: 'UTILITY', components: [{ type: 'BODY', text: body, example: { body_text: [examples] } }], ...extra }), 'm.json')[0]!;
const ids = (doc: TemplateDoc, opts = {}) => validateTemplate(doc, opts).map((f) => `${f.ruleId}/${f.severity}`);

test('rule ids are kebab-case, unique, and default to the severities of template-rules.md', () => {
  assert.equal(new Set(RULE_IDS).size, RULE_IDS.length);
  for (const id of RULE_IDS) assert.match(id, /^[a-z]+(-[a-z]+)*$/);
  const q = defaultSeverities('qontak');
  const warnings = Object.keys(q).filter((k) => q[k] === 'warning').sort();
  assert.deepEqual(warnings, ['adjacent-placeholders', 'emoji-count', 'example-values', 'placeholder-density', 'shortened-link', 'zero-width-character']);
  assert.equal(defaultSeverities('konekwa')['consecutive-line-breaks'], 'warning');
});

test('consecutive line breaks: error for Qontak, warning for a Konekwa profile, overridable, off drops it', () => {
  const doc = meta('Halo {{1}},\n\nPesanan Anda siap hari ini.');
  assert.deepEqual(ids(doc), ['consecutive-line-breaks/error']);
  assert.deepEqual(ids(doc, { profileProvider: 'konekwa' }), ['consecutive-line-breaks/warning']);
  assert.deepEqual(ids(doc, { severities: { 'consecutive-line-breaks': 'warning' } }), ['consecutive-line-breaks/warning']);
  assert.deepEqual(ids(doc, { severities: { 'consecutive-line-breaks': 'off' } }), []);
});

test('CR LF is one line break: single CR LF breaks are fine, two in a row are one finding per run', () => {
  assert.deepEqual(ids(meta('Halo {{1}},\r\nPesanan Anda siap.\r\nTerima kasih.')), []);
  const f = validateTemplate(meta('Halo {{1}},\r\n\r\n\r\nPesanan Anda siap.'));
  assert.deepEqual(f.map((x) => [x.ruleId, x.line, x.column]), [['consecutive-line-breaks', 2, 1]]);
});

test('look-alike spaces: no-break, em, thin and ideographic spaces next to a space are double spaces, named in the message', () => {
  for (const c of ['\u00a0', '\u2003', '\u2009', '\u202f', '\u3000']) {
    const f = validateTemplate(meta(`Halo {{1}}, pesanan${c} Anda siap.`));
    assert.deepEqual(f.map((x) => x.ruleId), ['double-space'], JSON.stringify(c));
    assert.match(f[0]!.message, new RegExp(`look-alike: U\\+${c.codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0')}`));
  }
  // A single no-break space between words is not two spaces.
  assert.deepEqual(ids(meta('Halo {{1}}, Rp\u00a050.000 sudah diterima.')), []);
});

test('zero-width characters are reported, but not the joiner inside an emoji family', () => {
  assert.deepEqual(ids(meta('Halo {{1}}, keluarga 👨‍👩‍👧 menunggu Anda.')), []);
  const f = validateTemplate(meta('Halo {{1}},\u200d pesanan\ufeff Anda\u2060 siap\u200b.'));
  assert.deepEqual(f.map((x) => [x.ruleId, x.column]), [
    ['zero-width-character', 12],
    ['zero-width-character', 20],
    ['zero-width-character', 26],
    ['zero-width-character', 32],
  ]);
  assert.match(f[0]!.message, /U\+200D; delete it/);
});

test('older Qontak categories are accepted with a warning; unknown ones are errors', () => {
  for (const c of ['PAYMENT_UPDATE', 'ACCOUNT_UPDATE', 'SHIPPING_UPDATE', 'TRANSACTIONAL', 'OTP']) assert.deepEqual(ids(meta('Halo {{1}}, pesanan Anda siap.', { category: c })), ['category/warning'], c);
  assert.deepEqual(ids(meta('Halo {{1}}, pesanan Anda siap.', { category: 'marketing' })), []);
  assert.deepEqual(ids(meta('Halo {{1}}, pesanan Anda siap.', { category: 'PROMO' })), ['category/error']);
  // An override applies to the legacy warning too.
  assert.deepEqual(ids(meta('Halo {{1}}, pesanan Anda siap.', { category: 'OTP' }), { severities: { category: 'error' } }), ['category/error']);
});

test('messages say what to change', () => {
  const msg = (doc: TemplateDoc, id: string) => validateTemplate(doc).find((f) => f.ruleId === id)?.message ?? '';
  assert.match(msg(meta('Halo {{1}}, pesanan {{3}} Anda sudah dikirim hari ini.'), 'placeholder-sequence'), /\{\{3\}\} comes where \{\{2\}\} should/);
  assert.match(msg(meta('Halo {{1}}, pesanan  Anda siap.'), 'double-space'), /2 spaces in a row; use a single normal space/);
  const named = parseTemplateText('{"name":"x","content":"Halo {{Nama Lengkap}} dan {{NamaToko}}, selamat datang di toko kami."}', 'k.json')[0]!;
  assert.match(validateTemplate(named).map((f) => f.message).join(' | '), /write \{\{namatoko\}\}/);
  const badName = parseTemplateText('{"name":"Promo Akhir-Tahun","language":"id","category":"MARKETING","components":[{"type":"BODY","text":"Diskon hari ini."}]}', 'n.json')[0]!;
  assert.match(msg(badName, 'name-charset'), /e\.g\. "promo_akhir_tahun"/);
});

test('placeholder syntax: spaces, single and triple braces, unbalanced, empty; lone braces in prose are left alone', () => {
  const syntax = (body: string) => validateTemplate(meta(body)).filter((f) => f.ruleId === 'placeholder-syntax').map((f) => f.column);
  assert.deepEqual(syntax('Halo {{ 1 }}, pesanan Anda siap.'), [6]);
  assert.deepEqual(syntax('Halo {1}, pesanan Anda siap.'), [6]);
  assert.deepEqual(syntax('Halo {{{1}}}, pesanan Anda siap.'), [6]);
  assert.deepEqual(syntax('Halo {{1}}, pesanan {{2} Anda siap.'), [21]);
  assert.deepEqual(syntax('Halo {{1}}, pesanan 2}} Anda siap.'), [22]);
  assert.deepEqual(syntax('Halo {{}}, pesanan Anda siap.'), [6]);
  assert.deepEqual(syntax('Halo {{1}}, kode :-{ atau :-} boleh dipakai.'), []);
});

test('buttons: quick replies must be grouped, labels have 1 to 25 characters counted as seen, URL needs a scheme', () => {
  const withButtons = (buttons: unknown[]) => meta('Halo {{1}}, pesanan Anda siap.', { components: [{ type: 'BODY', text: 'Halo {{1}}, pesanan Anda siap.', example: { body_text: [['A']] } }, { type: 'BUTTONS', buttons }] });
  assert.deepEqual(ids(withButtons([{ type: 'URL', text: 'Buka', url: 'https://a.id' }, { type: 'QUICK_REPLY', text: 'Ya' }, { type: 'QUICK_REPLY', text: 'Tidak' }])), []);
  assert.deepEqual(ids(withButtons([{ type: 'QUICK_REPLY', text: '👍🏽'.repeat(25) }])), []);
  assert.deepEqual(ids(withButtons([{ type: 'QUICK_REPLY', text: '' }])), ['button-label/error']);
  assert.deepEqual(ids(withButtons([{ type: 'URL', text: 'Buka', url: 'tokomaju.co.id' }])), ['url-button/error']);
});

test('misnumbered placeholders give one finding with the renumbering, not one per placeholder', () => {
  const f = validateTemplate(meta('{{9}} Halo {{1}}, pesanan {{2}} Anda sudah dikirim hari ini.')).filter((x) => x.ruleId === 'placeholder-sequence');
  assert.equal(f.length, 1);
  assert.match(f[0]!.message, /the placeholders appear as \{\{9\}\}, \{\{1\}\}, \{\{2\}\}; number them \{\{1\}\}, \{\{2\}\}, \{\{3\}\}/);
  const dup = validateTemplate(meta('Halo {{1}}, kode {{2}} dan sekali lagi {{1}} untuk Anda.')).filter((x) => x.ruleId === 'placeholder-sequence');
  assert.deepEqual(dup.map((x) => x.column), [40]);
});
