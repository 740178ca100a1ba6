// Following a broadcast's log from the sandbox: entries per second, and peak RSS of the following process at 10,000
// vs 100,000 entries (target: at most 1.15×: nothing is kept per entry beyond its id and status), with a 100-entry
// follow as the floor (the CLI's own code and heap) so the growth above it is visible.
// Only the child's RSS counts: the sandbox runs in this process. `node dist/bench/logs.js [small] [large]`
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { startSandbox } from '../src/sandbox/index.js';
import { sandboxEnv } from '../src/sandbox/env.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const small = Number(process.argv[2] ?? 10_000);
const large = Number(process.argv[3] ?? 100_000);
const TARGET = 1.15;

async function follow(n: number): Promise<{ wallMs: number; cpuMs: number; maxRssMb: number; outLines: number; code: number }> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'wa-bench-logs-'));
  const sandbox = await startSandbox({ recordRequests: false });
  try {
    // Delivery already settled: one pass reads every entry, then --until-done ends the follow.
    const b = sandbox.state.seedBroadcast({ recipients: n, startAtMs: Date.now() - 3_600_000 });
    const env = { ...process.env, HOME: dir, WA_CONFIG_DIR: dir, WA_STATE_DIR: dir, ...sandboxEnv(sandbox)['qontak-hmac'] };
    return await new Promise((resolve, reject) => {
      const child = spawn(process.execPath, [path.join(here, 'cli-child.js'), '--json', 'logs', 'tail', b.id, '--follow', '--until-done', '--interval', '1s'], { env, stdio: ['ignore', 'pipe', 'inherit'] });
      let out = '';
      child.stdout.on('data', (d: Buffer) => (out += d));
      child.on('exit', () => {
        try {
          resolve(JSON.parse(out.trim().split('\n').at(-1)!));
        } catch (e) {
          reject(e);
        }
      });
    });
  } finally {
    await sandbox.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

const floor = await follow(100);
const a = await follow(small);
const b = await follow(large);
for (const [n, r] of [[100, floor], [small, a], [large, b]] as const) {
  console.log(`  ${n.toLocaleString('en-US')} entries: ${r.outLines - 1} events in ${(r.wallMs / 1000).toFixed(1)} s → ${Math.round(((r.outLines - 1) / r.wallMs) * 1000).toLocaleString('en-US')} entries/s; peak RSS ${r.maxRssMb} MB (${r.maxRssMb - floor.maxRssMb} MB above the floor); exit ${r.code}`);
}
const ratio = b.maxRssMb / a.maxRssMb;
console.log(`logs follow: peak RSS ${large.toLocaleString('en-US')} vs ${small.toLocaleString('en-US')} entries = ${ratio.toFixed(2)}× (target ≤ ${TARGET}×: ${ratio <= TARGET ? 'met' : 'NOT met'})`);
