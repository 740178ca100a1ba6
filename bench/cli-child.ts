// Runs one wa-cli command in this process with its output counted, not printed, and reports what it cost:
// `node dist/bench/cli-child.js <wa-cli args…>` prints one JSON line {code, wallMs, cpuMs, maxRssMb, outBytes, outLines}.
import { Writable, PassThrough } from 'node:stream';
import { main } from '../src/main.js';

let outBytes = 0;
let outLines = 0;
const sink = new Writable({
  write(chunk: Buffer, _enc, done) {
    outBytes += chunk.length;
    for (const b of chunk) if (b === 10) outLines++;
    done();
  },
});
const started = performance.now();
const cpu0 = process.cpuUsage();
const code = await main(process.argv.slice(2), {
  stdin: new PassThrough(),
  stdout: sink,
  stderr: new Writable({ write: (_c, _e, done) => done() }),
  env: process.env,
  cwd: process.cwd(),
});
const cpu = process.cpuUsage(cpu0);
process.stdout.write(
  `${JSON.stringify({ code, wallMs: Math.round(performance.now() - started), cpuMs: Math.round((cpu.user + cpu.system) / 1000), maxRssMb: Math.round(process.resourceUsage().maxRSS / 1024), outBytes, outLines })}\n`,
);
