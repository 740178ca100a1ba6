// Runs one wa-cli command in this process with its output counted, not printed, and reports what it cost:
// `node dist/bench/cli-child.js <wa-cli args…>` prints one JSON line {code, wallMs, cpuMs, maxRssMb, outBytes, outLines}.
import { Writable, PassThrough } from 'node:stream';
import { main } from '../src/main.js';

let outBytes = 0;
let outLines = 0;
// Strings are counted as they come (decodeStrings: false): a Buffer per line would be the harness's memory, not
// wa-cli's, and a real stdout pipe takes strings without that copy.
const sink = new Writable({
  decodeStrings: false,
  write(chunk: Buffer | string, _enc, done) {
    if (typeof chunk === 'string') {
      outBytes += Buffer.byteLength(chunk);
      for (let i = chunk.indexOf('\n'); i !== -1; i = chunk.indexOf('\n', i + 1)) outLines++;
    } else {
      outBytes += chunk.length;
      for (const b of chunk) if (b === 10) outLines++;
    }
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
