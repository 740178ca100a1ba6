// Hostile template bodies of 1 MB and 10 MB: the time to validate each, against a same-run baseline of a bare
// JSON.parse of the same file plus one regex scan of its body (the least any check must do). Linear checks keep the
// ratio flat from 1 MB to 10 MB; a quadratic one makes it grow tenfold.
// `node dist/bench/hostile.js [megabytes...]` (default 1 10)
import { parseTemplates, validateTemplate } from '../src/core/template-rules/index.js';

const sizes = (process.argv.length > 2 ? process.argv.slice(2) : ['1', '10']).map(Number);
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

for (const mb of sizes) {
  for (const [name, unit] of Object.entries(units)) {
    const body = unit.repeat(Math.ceil((mb * 1024 * 1024) / unit.length)).slice(0, mb * 1024 * 1024);
    const json = JSON.stringify({ name: 'hostile', language: 'id', category: 'MARKETING', components: [{ type: 'BODY', text: body }] });
    const base = time(() => (JSON.parse(json) as { components: { text: string }[] }).components[0]!.text.match(/[\t\u200B{}\r\n]/g)?.length);
    let findings = 0;
    const full = time(() => (findings = validateTemplate(parseTemplates(json, 'hostile.json')[0]!).length));
    console.log(`${String(mb).padStart(3)} MB ${name.padEnd(22)} ${full.toFixed(0).padStart(7)} ms  baseline ${base.toFixed(0).padStart(5)} ms  ×${(full / base).toFixed(0).padStart(4)}  ${findings} findings`);
  }
}
