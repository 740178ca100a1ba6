// Hostile templates of 1 MB and 10 MB. First by content: the time to validate a body, against a same-run baseline of a
// bare JSON.parse of the same file plus one regex scan of its body (the least any check must do); linear checks keep
// the ratio flat from 1 MB to 10 MB, a quadratic one makes it grow tenfold. Then by rule: for every rule a template
// of the largest size built to make that rule work hardest (the field it reads, the pattern it looks for), with the
// time of the whole validation (parse, every rule, placing the findings) and of that rule's own check, each case in a
// process of its own (so one case's heap does not slow the next) with its peak RSS. Target: every rule's case in seconds.
// `node dist/bench/hostile.js [megabytes...]` (default 1 10)
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { parseTemplates, RULES, validateTemplate } from '../src/core/template-rules/index.js';

const child = process.argv[2] === 'rule';
const sizes = child ? [Number(process.argv[4])] : (process.argv.length > 2 ? process.argv.slice(2) : ['1', '10']).map(Number);
const units: Record<string, string> = {
  'a tab every 2 chars': 'a\t',
  'CRLF lines': 'kata\r\n',
  'lone low surrogates': '\uDE00',
  'emoji families': '👨‍👩‍👧 ',
  'invisible chars': 'x\u200B',
  'placeholders {{ 1 }}': '{{ 1 }} ',
  'mixed': 'kata \t\u200B😀\r\n{{1}} ',
};

const time = (fn: () => unknown): number => {
  const t = performance.now();
  fn();
  return performance.now() - t;
};

for (const mb of child ? [] : sizes) {
  for (const [name, unit] of Object.entries(units)) {
    const body = unit.repeat(Math.ceil((mb * 1024 * 1024) / unit.length)).slice(0, mb * 1024 * 1024);
    const json = JSON.stringify({ name: 'hostile', language: 'id', category: 'MARKETING', components: [{ type: 'BODY', text: body }] });
    const base = time(() => (JSON.parse(json) as { components: { text: string }[] }).components[0]!.text.match(/[\t\u200B{}\r\n]/g)?.length);
    let findings = 0;
    const full = time(() => (findings = validateTemplate(parseTemplates(json, 'hostile.json')[0]!).length));
    console.log(`${String(mb).padStart(3)} MB ${name.padEnd(22)} ${full.toFixed(0).padStart(7)} ms  baseline ${base.toFixed(0).padStart(5)} ms  ×${(full / base).toFixed(0).padStart(4)}  ${findings} findings`);
  }
}

// ---------- one case per rule ----------

const mb = Math.max(...sizes);
const size = mb * 1024 * 1024;
/** `unit` (a string, or one made from its index) repeated until `size` characters. */
const fill = (unit: string | ((i: number) => string), chars = size): string => {
  if (typeof unit === 'string') return unit.repeat(Math.ceil(chars / unit.length)).slice(0, chars);
  const parts: string[] = [];
  for (let i = 0, n = 0; n < chars; i++) {
    const s = unit(i);
    parts.push(s);
    n += s.length;
  }
  return parts.join('');
};
/** How many copies of `item` make about `size` characters of JSON. */
const many = <T>(item: (i: number) => T): T[] => {
  const each = JSON.stringify(item(0)).length + 1;
  return Array.from({ length: Math.ceil(size / each) }, (_v, i) => item(i));
};
const meta = (body: string, more: Record<string, unknown> = {}, components: unknown[] = []): unknown => ({
  name: 'hostile',
  language: 'id',
  category: 'MARKETING',
  ...more,
  components: [{ type: 'BODY', text: body }, ...components],
});
const plain = 'Halo {{1}}, pesanan Anda sudah dikirim.';

const cases: Record<string, () => unknown> = {
  'name-charset': () => ({ ...(meta(plain) as object), name: fill('A-') }),
  'name-length': () => ({ ...(meta(plain) as object), name: fill('a') }),
  category: () => meta(plain, { category: fill('X') }),
  'language-required': () => meta(fill('kata '), { language: '' }),
  'body-required': () => meta(fill(' \n')),
  'body-length': () => meta(fill('👨‍👩‍👧 ')),
  // One run of spaces between two letters: a regex that tries every start in the run takes the square of its length.
  'body-edge-space': () => meta(`a${fill(' ', size - 2)}b`),
  'double-space': () => meta(fill('a \u00A0\u200B b')),
  'consecutive-line-breaks': () => meta(fill('a\r\n \t\u00A0\r\n')),
  'tab-character': () => meta(fill('a\t')),
  'zero-width-character': () => meta(fill('👨‍👩‍👧\u200Bx')),
  'placeholder-syntax': () => meta(fill('{{ 1 }} {x} {{')),
  // Distinct keys in order: the numbers seen so far are looked up for every placeholder.
  'placeholder-sequence': () => meta(fill((i) => `kata {{${i + 1}}} `)),
  'named-placeholder': () => ({ name: 'hostile', content: fill((i) => `{{nama_${i}}} {{Bad Name}} {{nama_0}} `) }),
  'dangling-placeholder': () => meta(`${fill(' ', size / 2)}{{1}} kata {{2}}${fill('\n', size / 2)}`),
  'adjacent-placeholders': () => meta(fill('{{1}} \n {{2}}')),
  'placeholder-density': () => meta(fill('{{1}}{{2}} a ')),
  'example-values': () => meta(fill((i) => `kata {{${i + 1}}} `)),
  'example-special-chars': () => ({ ...(meta(plain) as object), components: [{ type: 'BODY', text: plain, example: { body_text: [many(() => 'Rp#100%')] } }] }),
  'emoji-count': () => meta(fill('😀')),
  'shortened-link': () => meta(fill('bit.ly/x ')),
  'header-text': () => meta(plain, {}, [{ type: 'HEADER', format: 'TEXT', text: fill('*{{1}}_') }]),
  footer: () => meta(plain, {}, [{ type: 'FOOTER', text: fill('{{1}} ') }]),
  'buttons-total': () => meta(plain, {}, [{ type: 'BUTTONS', buttons: many((i) => ({ type: i % 2 ? 'QUICK_REPLY' : 'URL', text: 'Lihat', url: 'https://a.id/{{1}}' })) }]),
  'button-label': () => meta(plain, {}, [{ type: 'BUTTONS', buttons: [{ type: 'QUICK_REPLY', text: fill('👍 ') }] }]),
  'url-button': () => meta(plain, {}, [{ type: 'BUTTONS', buttons: [{ type: 'URL', text: 'Lihat', url: fill('https://a.id/{{1}}') }] }]),
  'phone-button': () => meta(plain, {}, [{ type: 'BUTTONS', buttons: many(() => ({ type: 'PHONE_NUMBER', text: 'Telepon', phone_number: '+62812345678901234567890' })) }]),
};

if (child) {
  const rule = RULES.find((r) => r.id === process.argv[3])!;
  const json = JSON.stringify(cases[rule.id]!());
  let all: ReturnType<typeof validateTemplate> = [];
  const full = time(() => (all = validateTemplate(parseTemplates(json, 'hostile.json')[0]!)));
  const doc = parseTemplates(json, 'hostile.json')[0]!;
  let found = 0;
  const own = time(() => {
    for (const _ of rule.check(doc)) found++;
  });
  const listed = all.filter((x) => x.ruleId === rule.id).length;
  process.stdout.write(JSON.stringify({ mb: json.length / 1048576, full, own, found, listed, rssMb: process.resourceUsage().maxRSS / 1024 }));
} else {
  const missing = RULES.map((r) => r.id).filter((id) => !(id in cases));
  if (missing.length) throw new Error(`no hostile case for ${missing.join(', ')}`);
  console.log(`every rule, a template of about ${mb} MB of JSON built against it, each in its own process: the whole validation, the rule's own check, its findings (found; listed, the rest counted in one), peak RSS`);
  let slowest = 0;
  for (const rule of RULES) {
    const r = spawnSync(process.execPath, [fileURLToPath(import.meta.url), 'rule', rule.id, String(mb)], { encoding: 'utf8' });
    if (r.status !== 0) throw new Error(`${rule.id}: exited ${r.status}: ${r.stderr.split('\n')[0]}`);
    const x = JSON.parse(r.stdout) as { mb: number; full: number; own: number; found: number; listed: number; rssMb: number };
    slowest = Math.max(slowest, x.full);
    console.log(`  ${rule.id.padEnd(24)} ${x.mb.toFixed(1).padStart(5)} MB  ${(x.full / 1000).toFixed(2).padStart(6)} s  rule ${(x.own / 1000).toFixed(2).padStart(6)} s  ${String(x.found).padStart(8)} found, ${String(x.listed).padStart(7)} listed  ${x.rssMb.toFixed(0).padStart(5)} MB`);
  }
  console.log(`slowest whole validation ${(slowest / 1000).toFixed(1)} s (target: seconds)`);
}
