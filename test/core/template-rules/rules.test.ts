import { test } from 'node:test';
import assert from 'node:assert/strict';
import { formatGithub, formatText, graphemeLength, parseTemplates, validateTemplate } from '../../../src/core/template-rules/index.js';

const body = (text: string, extra: object = {}) => parseTemplates(JSON.stringify({ name: 't', language: 'id', category: 'UTILITY', body: text, ...extra }), 't.json')[0]!;
const ids = (text: string) => validateTemplate(body(text)).map((f) => f.ruleId);

test('counting: a flag, a skin-toned emoji and a family are one character each', () => {
  assert.equal(graphemeLength('🇮🇩'), 1);
  assert.equal(graphemeLength('👍🏽'), 1);
  assert.equal(graphemeLength('👨‍👩‍👧'), 1);
  assert.equal(graphemeLength('a\r\nb'), 3, 'CRLF is one line break');
  assert.equal(graphemeLength('é'), 1, 'e + combining accent');
});

test('body length: 1024 visible characters pass even when UTF-16 says more; 1025 fails and says by how much', () => {
  const flags = '🇮🇩'.repeat(1000);
  assert.ok(flags.length > 1024);
  assert.ok(!ids(`Halo {{1}} ${flags.slice(0, 2 * 1000)}`).includes('body-length'));
  const over = validateTemplate(body(`Halo ${'x'.repeat(1020)}`)).find((f) => f.ruleId === 'body-length')!;
  assert.match(over.message, /body is 1025 characters \(counted as a person sees them.*shorten it by 1/);
});

test('look-alikes: a non-breaking space next to a space is a double space; one NBSP alone is not', () => {
  assert.ok(ids('Halo {{1}}, apa\u00a0 kabar hari ini?').includes('double-space'));
  assert.ok(!ids('Halo {{1}}, apa\u00a0kabar hari ini?').includes('double-space'));
  const f = validateTemplate(body('Halo {{1}}, apa\u2003\u2003kabar hari ini?')).find((x) => x.ruleId === 'double-space')!;
  assert.match(f.message, /non-breaking or other Unicode space/);
});

test('line breaks: one CRLF is fine, CRLF CRLF is an empty line', () => {
  assert.ok(!ids('Halo {{1}},\r\napa kabar hari ini?').includes('consecutive-line-breaks'));
  assert.ok(ids('Halo {{1}},\r\n\r\napa kabar hari ini?').includes('consecutive-line-breaks'));
});

test('positions: line and column inside the body, and in the file through JSON escapes', () => {
  const text = '{\n  "name": "t",\n  "language": "id",\n  "category": "UTILITY",\n  "body": "Baris satu {{1}}.\\nBaris  dua."\n}\n';
  const [doc] = parseTemplates(text, 'x.json');
  const f = validateTemplate(doc!).find((x) => x.ruleId === 'double-space')!;
  assert.equal(f.line, 2);
  assert.equal(f.column, 6);
  // "Baris  dua" starts after the two-character escape \n: file column counts the escape as written.
  assert.equal(f.fileLine, 5);
  assert.equal(f.fileColumn, text.split('\n')[4]!.indexOf('Baris  dua') + 6);
});

test('severities can be changed per rule, or a rule turned off', () => {
  const d = body('Halo {{1}},  apa kabar hari ini?');
  assert.equal(validateTemplate(d, { 'double-space': 'warning' }).find((f) => f.ruleId === 'double-space')!.severity, 'warning');
  assert.equal(validateTemplate(d, { 'double-space': 'off' }).find((f) => f.ruleId === 'double-space'), undefined);
});

test('invalid JSON names the file, line and column', () => {
  assert.throws(() => parseTemplates('{\n  "name": "x",\n  "body": oops\n}', 'bad.json'), /^InputError: bad\.json:3:11: invalid JSON/);
});

test('output: text lines and GitHub annotations, one per finding', () => {
  const d = body('Halo {{1}},  apa kabar hari ini?');
  const results = [{ doc: d, findings: validateTemplate(d) }];
  assert.match(formatText(results)[0]!, /^t\.json:1:\d+ error double-space t: 2 spaces in a row; use one \(body 1:12\)$/);
  assert.match(formatGithub(results)[0]!, /^::error file=t\.json,line=1,col=\d+,title=double-space::t: 2 spaces in a row; use one$/);
  assert.deepEqual(results[0]!.findings.map((f) => [f.ruleId, f.severity]), [['double-space', 'error']]);
});

test('a rule broken many times in one field lists the first 20 and counts the rest in one more finding, in place', () => {
  const text = Array.from({ length: 35 }, (_, i) => `kata${i}  lagi`).join(' ');
  const found = validateTemplate(body(text)).filter((f) => f.ruleId === 'double-space');
  assert.equal(found.length, 21);
  const last = found[19]!;
  assert.equal(last.column, text.indexOf('kata19  ') + 'kata19'.length + 1);
  assert.deepEqual({ ...found[20]!, message: '' }, { ...last, message: '' });
  assert.equal(found[20]!.message, 'and 15 more like this in body (only the first 20 are listed)');
  // Exactly 20: no summary.
  assert.equal(validateTemplate(body(Array.from({ length: 20 }, (_, i) => `k${i}  x`).join(' '))).filter((f) => f.ruleId === 'double-space').length, 20);
});

test('the fields of a list count as one: 5,000 examples with "#" list 20 and count the rest; a pasted value is not echoed whole', () => {
  const meta = (more: object) => parseTemplates(JSON.stringify({ name: 't', language: 'id', category: 'UTILITY', ...more }), 't.json')[0]!;
  const examples = Array.from({ length: 5000 }, (_, i) => `Rp#${i}`);
  const found = validateTemplate(meta({ components: [{ type: 'BODY', text: 'Halo {{1}}, apa kabar?', example: { body_text: [examples] } }] })).filter((f) => f.ruleId === 'example-special-chars');
  assert.equal(found.length, 21);
  assert.deepEqual(found.slice(0, 20).map((f) => f.field), examples.slice(0, 20).map((_, i) => `examples[${i}]`));
  assert.equal(found[20]!.message, 'and 4980 more like this in examples[…] (only the first 20 are listed)');
  // Values past 60 characters are quoted by their start and their length, in every rule that quotes one.
  const long = `A-${'b'.repeat(100_000)}`;
  const name = validateTemplate(meta({ name: long, body: 'Halo {{1}}, apa kabar?' })).find((f) => f.ruleId === 'name-charset')!;
  assert.equal(name.message, `name "${long.slice(0, 40)}…" (100002 characters) may use only lowercase letters, digits and underscores; use "${`a_${'b'.repeat(38)}`}…" (512 characters)`);
  const label = validateTemplate(meta({ body: 'Halo {{1}}, apa kabar?', buttons: [{ type: 'QUICK_REPLY', text: `👍${'x'.repeat(70)}` }] })).find((f) => f.ruleId === 'button-label')!;
  assert.match(label.message, /^button label "👍x{38}…" \(72 characters\) is 71 characters; the limit is 25$/);
});

test('a rule that can break once per character hands its findings over one at a time, not as one list', async () => {
  const { RULES } = await import('../../../src/core/template-rules/rules.js');
  const doc = body('a\t\u200B  {x} }}{{ b\n\n {{1}}{{1}} bit.ly/x');
  for (const id of ['body-edge-space', 'double-space', 'consecutive-line-breaks', 'tab-character', 'zero-width-character', 'placeholder-syntax', 'placeholder-sequence', 'adjacent-placeholders', 'example-special-chars', 'shortened-link', 'button-label']) {
    const found = RULES.find((r) => r.id === id)!.check(doc);
    assert.ok(!Array.isArray(found) && typeof (found as Generator).next === 'function', `${id} builds a list`);
  }
});

test('edge spaces: a run at a line start (after LF, CRLF or a lone CR) or a line end is one finding at the run; one inside a line is none', () => {
  const edges = (text: string) => validateTemplate(body(text)).filter((f) => f.ruleId === 'body-edge-space').map((f) => [f.line, f.column, /starts/.test(f.message) ? 'starts' : 'ends']);
  assert.deepEqual(edges('Halo {{1}},\n  apa kabar \u00a0\r\n\u3000baik\r saja \rya.'), [
    [2, 1, 'starts'],
    [2, 12, 'ends'],
    [3, 1, 'starts'],
    [4, 1, 'starts'],
    [4, 6, 'ends'],
  ]);
  assert.deepEqual(edges(`Halo {{1}} a${' '.repeat(1 << 20)}b selesai.`), []);
});

test('placeholder sequence: 100,000 placeholders in order are none; the first repeat and the first gap are named', () => {
  const many = Array.from({ length: 100_000 }, (_v, i) => `kata {{${i + 1}}}`).join(' ');
  const seq = (text: string) => validateTemplate(body(`Halo ${text} selesai.`)).filter((f) => f.ruleId === 'placeholder-sequence').map((f) => f.message);
  assert.deepEqual(seq(many), []);
  assert.deepEqual(seq(`${many} lagi {{7}} dan {{100002}}`), [
    '{{7}} appears twice; each placeholder is used once (Qontak: "variable double")',
    '{{100002}} comes where {{100001}} should: number placeholders 1, 2, 3… in order of appearance',
  ]);
});
