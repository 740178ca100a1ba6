// The Konekwa fan-out against the sandbox, each figure against its target, measured in one run:
// - achieved rate as a fraction of a known limit (target ≥ 0.97, no 429);
// - CPU ms per message, the durable journal included (target ≤ 0.5 at 10,000 and at 100,000);
// - peak RSS of the sending process at 100,000 recipients against 10,000 (target ≤ 1.2×);
// - when the first message reaches the server, from the start of `bin/wa-cli.js`, for a 100,000-row CSV (target ≤ 1.5 s).
// `node dist/bench/fanout.js [rate] [small] [large]`
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { startSandbox } from '../src/sandbox/index.js';
import { sandboxEnv } from '../src/sandbox/env.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const rate = Number(process.argv[2] ?? 400);
const small = Number(process.argv[3] ?? 10_000);
const large = Number(process.argv[4] ?? 100_000);

interface ChildReport {
  code: number;
  wallMs: number;
  cpuMs: number;
  maxRssMb: number;
}

async function fanout(n: number, sendRate: number, serverRate: number): Promise<ChildReport & { rejected429: number; accepted: number; sendMs: number }> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'wa-bench-fanout-'));
  const sheet = path.join(dir, 'contacts.csv');
  const lines = ['phone_number,full_name,company'];
  for (let i = 0; i < n; i++) lines.push(`0812${String(i).padStart(8, '0')},Pelanggan ${i},Acme`);
  writeFileSync(sheet, `${lines.join('\n')}\n`);
  const sandbox = await startSandbox({ konekwaRatePerSecond: serverRate, konekwaBurst: Math.max(1, Math.round(serverRate / 10)), recordRequests: false });
  try {
    const env = { ...process.env, HOME: dir, WA_CONFIG_DIR: path.join(dir, 'c'), WA_STATE_DIR: path.join(dir, 's'), ...sandboxEnv(sandbox).konekwa };
    const args = [path.join(here, 'cli-child.js'), '-y', 'broadcast', 'send', '--template', 'promo_nov', '--file', sheet, '--param', 'name=full_name', '--rate', `${sendRate}/s`, '--concurrency', process.env.BENCH_CONCURRENCY ?? '16'];
    const report = await new Promise<ChildReport>((resolve, reject) => {
      const child = spawn(process.execPath, args, { env, stdio: ['ignore', 'pipe', 'inherit'] });
      let out = '';
      child.stdout.on('data', (d: Buffer) => (out += d));
      child.on('exit', () => {
        try {
          resolve(JSON.parse(out.trim().split('\n').at(-1)!) as ChildReport);
        } catch (e) {
          reject(e);
        }
      });
    });
    const k = sandbox.state.konekwa;
    const accepted = k.order.length;
    // The send phase as the server saw it: first accepted message to last.
    const first = k.messages.get(k.order[0]!)!.queuedAtMs;
    const last = k.messages.get(k.order.at(-1)!)!.queuedAtMs;
    return { ...report, accepted, rejected429: sandbox.state.konekwaRateLimited, sendMs: last - first };
  } finally {
    await sandbox.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * When the first message of a 100,000-row send reaches the server, from the spawn of `bin/wa-cli.js` (the bundled CLI
 * a user runs, not the in-process harness): the median of `runs`, each stopped once its first message arrived.
 */
async function firstMessageMs(n: number, runs: number): Promise<number[]> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'wa-bench-first-'));
  const sheet = path.join(dir, 'contacts.csv');
  const lines = ['phone_number,full_name,company'];
  for (let i = 0; i < n; i++) lines.push(`0812${String(i).padStart(8, '0')},Pelanggan ${i},Acme`);
  writeFileSync(sheet, `${lines.join('\n')}\n`);
  const out: number[] = [];
  try {
    for (let run = 0; run < runs; run++) {
      const sandbox = await startSandbox({ konekwaRatePerSecond: 100_000, konekwaBurst: 10_000, recordRequests: false });
      try {
        const env = { ...process.env, HOME: dir, WA_CONFIG_DIR: path.join(dir, `c${run}`), WA_STATE_DIR: path.join(dir, `s${run}`), ...sandboxEnv(sandbox).konekwa };
        const started = Date.now();
        const child = spawn(process.execPath, [path.join(here, '..', '..', 'bin', 'wa-cli.js'), '-y', 'broadcast', 'send', '--template', 'promo_nov', '--file', sheet, '--param', 'name=full_name', '--rate', '2000/s', '--concurrency', '16'], { env, stdio: 'ignore' });
        const exited = new Promise((r) => child.on('exit', r));
        const k = sandbox.state.konekwa;
        while (k.order.length === 0 && child.exitCode === null) await new Promise((r) => setTimeout(r, 2));
        if (k.order.length === 0) throw new Error(`the send exited ${child.exitCode} before its first message`);
        out.push(k.messages.get(k.order[0]!)!.queuedAtMs - started);
        child.kill('SIGKILL');
        await exited;
      } finally {
        await sandbox.close();
      }
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  return out.sort((x, y) => x - y);
}

const verdict = (ok: boolean): string => (ok ? 'met' : 'NOT met');
console.log(`fan-out through the Konekwa sandbox, limit ${rate}/s`);
const a = await fanout(small, rate, rate);
const achieved = ((a.accepted - 1) / a.sendMs) * 1000;
console.log(`  ${small} recipients at --rate ${rate}/s: ${a.accepted} accepted over ${(a.sendMs / 1000).toFixed(1)} s of sending → ${achieved.toFixed(1)}/s = ${(achieved / rate).toFixed(3)} of the limit (target ≥ 0.97: ${verdict(achieved / rate >= 0.97 && a.rejected429 === 0)}); ${a.rejected429} refused with 429; exit ${a.code}, ${(a.wallMs / 1000).toFixed(1)} s in all`);
console.log(`  CPU ${(a.cpuMs / small).toFixed(3)} ms per message at ${rate}/s (${a.cpuMs} ms in all; target ≤ 0.5: ${verdict(a.cpuMs / small <= 0.5)}); peak RSS ${a.maxRssMb} MB`);
// For the memory comparison the limit is lifted so 100,000 recipients take a minute, not four.
const fast = Math.max(rate, 2000);
const b = await fanout(small, fast, 100_000);
const c = await fanout(large, fast, 100_000);
console.log(`  peak RSS at --rate ${fast}/s: ${small} recipients ${b.maxRssMb} MB, ${large} recipients ${c.maxRssMb} MB → ${(c.maxRssMb / b.maxRssMb).toFixed(2)}× (target ≤ 1.2×: ${verdict(c.maxRssMb / b.maxRssMb <= 1.2)})`);
console.log(`  CPU per message at --rate ${fast}/s: ${(b.cpuMs / small).toFixed(3)} ms at ${small}, ${(c.cpuMs / large).toFixed(3)} ms at ${large} (target ≤ 0.5: ${verdict(Math.max(b.cpuMs / small, c.cpuMs / large) <= 0.5)})`);
console.log(`  ${large} recipients: ${c.accepted} accepted in ${(c.wallMs / 1000).toFixed(1)} s, exit ${c.code}`);
const firsts = await firstMessageMs(large, 5);
const firstMedian = firsts[Math.floor(firsts.length / 2)]!;
console.log(`  first message of a ${large}-row CSV at the server, after \`wa-cli broadcast send\` started: median ${(firstMedian / 1000).toFixed(2)} s of ${firsts.length} (${firsts.map((x) => (x / 1000).toFixed(2)).join(', ')}) (target ≤ 1.5 s: ${verdict(firstMedian <= 1500)})`);
