// Template core throughput. Generates varied templates in memory (create JSON, Qontak objects, Konekwa; clean and
// broken; Indonesian and English; emoji, CRLF, escapes), then measures in the same run:
//   - a bare JSON.parse of the same inputs (the baseline),
//   - parseTemplateText + validateTemplate + placing every finding in the file,
//   - checkSendValues for 100,000 recipients (the per-recipient cost of a broadcast).
// `node dist/bench/templates.js [templates] [recipients]`
import { checkSendValues, parseTemplateText, validateTemplate, type TemplateDoc } from '../src/core/templates/index.js';

const count = Number(process.argv[2] ?? 10_000);
const recipients = Number(process.argv[3] ?? 100_000);

// A small deterministic generator, so runs compare.
let seed = 42;
const rnd = () => ((seed = (seed * 1103515245 + 12345) & 0x7fffffff) / 0x7fffffff);
const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rnd() * xs.length)]!;

const openings = ['Halo {{1}},', 'Hi {{1}},', 'Yth. Bapak/Ibu {{1}},', 'Dear {{1}},', 'Halo {{1}} 👋🏽,'];
const sentences = [
  'pesanan {{n}} Anda sudah kami kirim dan akan tiba dalam dua hari kerja.',
  'your order {{n}} has shipped and should arrive within two days.',
  'tagihan sebesar {{n}} jatuh tempo besok, abaikan pesan ini jika sudah membayar.',
  'promo akhir tahun 🎉 diskon hingga {{n}} untuk semua produk di Toko Maju Jaya 🇮🇩.',
  'jadwal pengangkutan sampah di area {{n}} dilakukan pada hari Sabtu pagi.',
  'kode verifikasi Anda adalah {{n}}, jangan berikan kode ini kepada siapa pun.',
  'terima kasih sudah berbelanja, keluarga 👨‍👩‍👧 kami menunggu kunjungan Anda berikutnya.',
];
// Each defect breaks one rule; most templates get none.
const defects: ((b: string) => string)[] = [
  (b) => b.replace(' ', '  '),
  (b) => b.replace(' ', '\u00a0 '),
  (b) => b.replace(',', ',\n\n'),
  (b) => b.replace(',', ',\t'),
  (b) => `${b} Cek di https://bit.ly/x1.`,
  (b) => b.replace('{{1}}', '{{ 1 }}'),
  (b) => b.replace('{{1}}', '{{0}}'),
  (b) => `{{9}} ${b}`,
  (b) => `${b}\u200b`,
  (b) => `${b} ${'Kalimat tambahan yang membuat pesan ini terlalu panjang. '.repeat(20)}`,
];

function body(): { text: string; n: number } {
  let text = pick(openings);
  let n = 1;
  const k = 1 + Math.floor(rnd() * 3);
  for (let i = 0; i < k; i++) {
    const sentence = pick(sentences);
    text += `${rnd() < 0.3 ? '\r\n' : ' '}${sentence.includes('{{n}}') ? sentence.replace('{{n}}', `{{${++n}}}`) : sentence}`;
  }
  if (rnd() < 0.35) text = pick(defects)(text);
  return { text, n };
}

function input(i: number): string {
  const { text, n } = body();
  const examples = Array.from({ length: n }, (_, j) => (j === 0 ? 'Budi' : `INV-${i}-${j}`));
  const kind = i % 10;
  if (kind < 6) {
    return JSON.stringify(
      {
        name: rnd() < 0.05 ? `Promo ${i}` : `template_${i}`,
        language: pick(['id', 'en', 'en_US']),
        category: pick(['MARKETING', 'UTILITY', 'UTILITY', 'SHIPPING_UPDATE']),
        components: [
          ...(rnd() < 0.3 ? [{ type: 'HEADER', format: 'TEXT', text: rnd() < 0.1 ? '*Promo* spesial' : `Info pesanan ${i}` }] : []),
          { type: 'BODY', text, example: { body_text: [examples] } },
          ...(rnd() < 0.3 ? [{ type: 'FOOTER', text: 'Toko Maju Jaya' }] : []),
          ...(rnd() < 0.25
            ? [{ type: 'BUTTONS', buttons: [{ type: 'QUICK_REPLY', text: 'Ya' }, { type: 'URL', text: 'Lacak paket', url: 'https://tokomaju.co.id/lacak/{{1}}', example: ['https://tokomaju.co.id/lacak/INV1'] }] }]
            : []),
        ],
      },
      null,
      i % 2 ? 2 : undefined,
    );
  }
  if (kind < 9) {
    return JSON.stringify({ id: `id-${i}`, name: `tmpl_${i}`, language: 'id', header: null, body: text, footer: null, buttons: [], status: 'APPROVED', category: 'UTILITY' });
  }
  return JSON.stringify({ id: `tpl_${i}`, name: `sapaan_${i}`, content: text.replace(/\{\{(\d+)\}\}/g, (_, d: string) => `{{v${d}}}`) });
}

const inputs = Array.from({ length: count }, (_, i) => input(i));
const bytes = inputs.reduce((n, s) => n + s.length, 0);

function time<T>(fn: () => T): { ms: number; result: T } {
  const t = performance.now();
  const result = fn();
  return { ms: performance.now() - t, result };
}

const parseOnly = () => inputs.reduce((n, s) => n + (JSON.parse(s) ? 1 : 0), 0);
const validateAll = () => {
  let findings = 0;
  let dirty = 0;
  for (let i = 0; i < inputs.length; i++) {
    for (const doc of parseTemplateText(inputs[i]!, `t${i}.json`)) {
      const f = validateTemplate(doc);
      findings += f.length;
      if (f.length) dirty++;
    }
  }
  return { findings, dirty };
};

// Warm both paths so the JIT is not what is measured; then take the best of three.
parseOnly();
validateAll();
const best = <T>(fn: () => T) => [time(fn), time(fn), time(fn)].sort((a, b) => a.ms - b.ms)[0]!;
const base = best(parseOnly);
const full = best(validateAll);
const perSec = (n: number, ms: number) => Math.round((n / ms) * 1000).toLocaleString('en-US');

console.log(`inputs: ${count.toLocaleString('en-US')} templates, ${(bytes / 1e6).toFixed(1)} MB of JSON; ${full.result.dirty.toLocaleString('en-US')} with findings (${full.result.findings.toLocaleString('en-US')} findings)`);
console.log(`parse + validate + place findings: ${full.ms.toFixed(0)} ms → ${perSec(count, full.ms)} templates/s`);
console.log(`baseline JSON.parse of the same inputs: ${base.ms.toFixed(1)} ms → ${perSec(count, base.ms)} templates/s; validation costs ${(full.ms / base.ms).toFixed(1)}× a bare parse`);

// Per-recipient send checks: one template with emoji, values that vary per recipient.
const sendDoc: TemplateDoc = parseTemplateText(JSON.stringify({ name: 'kirim', language: 'id', category: 'UTILITY', body: 'Halo {{1}} 👋🏽, pesanan {{2}} senilai {{3}} sudah kami kirim ke {{4}} 🇮🇩. Terima kasih!' }), 's.json')[0]!;
const values = Array.from({ length: 1000 }, (_, i) => ({ '1': `Pelanggan ${i} Ñandú`, '2': `INV-2025-${i}`, '3': `Rp ${(i * 1000).toLocaleString('id-ID')}`, '4': i % 97 === 0 ? 'Jl. Merdeka\nNo. 1' : `Jl. Merdeka No. ${i}, Jakarta` }));
const sendRun = () => {
  let problems = 0;
  for (let i = 0; i < recipients; i++) problems += checkSendValues(sendDoc, values[i % values.length]!).length;
  return problems;
};
sendRun();
const send = best(sendRun);
const renderBase = best(() => {
  let n = 0;
  for (let i = 0; i < recipients; i++) n += JSON.stringify(values[i % values.length]!).length;
  return n;
});
console.log(`send checks: ${recipients.toLocaleString('en-US')} recipients in ${send.ms.toFixed(0)} ms → ${perSec(recipients, send.ms)} recipients/s (${send.result} problems); baseline JSON.stringify of each recipient's values: ${renderBase.ms.toFixed(0)} ms (${(send.ms / renderBase.ms).toFixed(1)}×)`);
