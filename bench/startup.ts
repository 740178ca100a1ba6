// Startup cost of `wa-cli --help`, `--version` and every `<noun> <verb> --help` against a bare `node -e 0`, all
// measured in the same run, interleaved, so a noisy moment hits every case alike. Target: ≤ 1.25× node -e 0.
//   node dist/bench/startup.js [runs]
import { spawnSync } from 'node:child_process';
import { PassThrough } from 'node:stream';
import { fileURLToPath } from 'node:url';
import path from 'node:path';
import { Context } from '../src/cli/context.js';
import { buildProgram } from '../src/program.js';

const bin = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', 'bin', 'wa-cli.js');
const runs = Number(process.argv[2] ?? 11);

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

// Every verb, read from the command tree itself.
const io = { stdin: new PassThrough(), stdout: new PassThrough(), stderr: new PassThrough(), env: {}, cwd: process.cwd() };
const verbs: string[][] = [];
for (const noun of buildProgram(new Context(io)).commands) {
  if (noun.commands.length === 0) verbs.push([noun.name()]);
  for (const verb of noun.commands) verbs.push([noun.name(), verb.name()]);
}
const cases: Record<string, string[]> = {
  'node -e 0': ['-e', '0'],
  'wa-cli --help': [bin, '--help'],
  'wa-cli --version': [bin, '--version'],
  ...Object.fromEntries(verbs.map((v) => [`wa-cli ${v.join(' ')} --help`, [bin, ...v, '--help']])),
};
const samples: Record<string, number[]> = Object.fromEntries(Object.keys(cases).map((k) => [k, []]));
for (const args of Object.values(cases)) time(args); // warm the file cache
// Each case is paired with its own `node -e 0` run right before it: the ratio is taken pair by pair.
const ratios: Record<string, number[]> = Object.fromEntries(Object.keys(cases).map((k) => [k, []]));
for (let i = 0; i < runs; i++) {
  for (const [k, args] of Object.entries(cases)) {
    const base = time(cases['node -e 0']!);
    const t = k === 'node -e 0' ? base : time(args);
    samples[k]!.push(t);
    ratios[k]!.push(t / base);
  }
}

console.log(`startup, median of ${runs} runs each, each run paired with a node -e 0 run`);
let worst = 0;
for (const k of Object.keys(cases)) {
  const r = median(ratios[k]!);
  if (k !== 'node -e 0') worst = Math.max(worst, r);
  console.log(`  ${k.padEnd(40)} ${median(samples[k]!).toFixed(1).padStart(7)} ms   ${r.toFixed(2)}× node -e 0`);
}
console.log(`worst: ${worst.toFixed(2)}× node -e 0 (target: ≤ 1.25×)`);
