// Startup cost of `wa-cli --help` and `--version` against a bare `node -e 0`, measured in the same run.
// Target: ≤ 1.5× node's own start, i.e. only commander is loaded before a command is chosen.
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import path from 'node:path';

const bin = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', 'bin', 'wa-cli.js');
const runs = Number(process.argv[2] ?? 15);

function time(args: string[]): number {
  const t = process.hrtime.bigint();
  const r = spawnSync(process.execPath, args, { stdio: 'ignore' });
  if (r.status !== 0) throw new Error(`${args.join(' ')} exited ${r.status}`);
  return Number(process.hrtime.bigint() - t) / 1e6;
}
const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
};

const cases: Record<string, string[]> = {
  'node -e 0': ['-e', '0'],
  'wa-cli --help': [bin, '--help'],
  'wa-cli --version': [bin, '--version'],
};
const samples: Record<string, number[]> = Object.fromEntries(Object.keys(cases).map((k) => [k, []]));
for (const args of Object.values(cases)) time(args); // warm the file cache
// Interleaved, so a noisy moment hits every case alike.
for (let i = 0; i < runs; i++) for (const [k, args] of Object.entries(cases)) samples[k]!.push(time(args));

const base = median(samples['node -e 0']!);
console.log(`startup, median of ${runs} runs each`);
for (const [k, xs] of Object.entries(samples)) {
  const m = median(xs);
  console.log(`  ${k.padEnd(18)} ${m.toFixed(1).padStart(7)} ms   ${(m / base).toFixed(2)}× node -e 0`);
}
console.log('target: wa-cli ≤ 1.50× node -e 0');
