// Validating 10,000 templates: templates per second, against a plain JSON.parse of the same inputs in the same run.
// `node dist/bench/templates.js [count]`
import { parseTemplates, validateTemplate } from '../src/core/template-rules/index.js';

const count = Number(process.argv[2] ?? 10_000);
const bodies = [
  'Halo {{1}}, pesanan {{2}} sudah kami kirim.\nTerima kasih sudah berbelanja di Toko Maju Jaya!',
  'Hi {{1}}! 🎉 Our November promo: {{2}} off everything until the 30th.\nReply STOP to opt out.',
  'Halo {{1}},  tagihan {{2}} jatuh tempo besok.\n\nAbaikan jika sudah membayar.',
  `Halo {{2}}, ${'kalimat panjang untuk menguji batas. '.repeat(30)}{{1}}`,
  'Selamat datang, {{1}}! 👨‍👩‍👧 Kartu member 🇮🇩 Anda sudah aktif di https://bit.ly/abc.',
];
const inputs: string[] = [];
for (let i = 0; i < count; i++) {
  inputs.push(
    JSON.stringify({
      name: i % 17 === 0 ? `Promo ${i}` : `template_${i}`,
      language: i % 2 ? 'id' : 'en',
      category: i % 5 === 0 ? 'SHIPPING_UPDATE' : 'MARKETING',
      components: [
        ...(i % 3 === 0 ? [{ type: 'HEADER', format: 'TEXT', text: `Header ${i}` }] : []),
        { type: 'BODY', text: bodies[i % bodies.length], example: { body_text: [['Budi', 'INV-1']] } },
        ...(i % 4 === 0 ? [{ type: 'BUTTONS', buttons: [{ type: 'QUICK_REPLY', text: 'Ya' }, { type: 'URL', text: 'Buka', url: 'https://example.com/{{1}}' }] }] : []),
      ],
    }),
  );
}

function time(fn: () => number): { ms: number; result: number } {
  const t = performance.now();
  const result = fn();
  return { ms: performance.now() - t, result };
}

// Warm both paths once so the JIT is not what is measured.
for (const s of inputs.slice(0, 200)) validateTemplate(parseTemplates(s, 'w.json')[0]!);
const base = time(() => inputs.reduce((n, s) => n + (JSON.parse(s) ? 1 : 0), 0));
const full = time(() => inputs.reduce((n, s, i) => n + validateTemplate(parseTemplates(s, `t${i}.json`)[0]!).length, 0));
console.log(`templates: ${count} validated in ${full.ms.toFixed(0)} ms → ${Math.round((count / full.ms) * 1000).toLocaleString('en-US')} templates/s (${full.result} findings)`);
console.log(`baseline JSON.parse of the same inputs: ${base.ms.toFixed(1)} ms → validation costs ${(full.ms / base.ms).toFixed(1)}× a bare parse`);
