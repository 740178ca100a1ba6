// Prints, as JSON, what the CLI (the tsc output in dist/src) writes for --help, -h, --version, -V and every command's
// --help and -h, keyed by argv. Run with standard output to a pipe, as scripts/bundle.mjs does: commander sizes and
// colours help by the terminal, and the copy serves only output that goes to a pipe or a file.
import { PassThrough } from 'node:stream';
import { main } from '../dist/src/main.js';
import { buildProgram } from '../dist/src/program.js';
import { Context } from '../dist/src/cli/context.js';
import { helpKey } from '../dist/src/cli/help-cache.js';

const io = () => ({ stdin: new PassThrough(), stdout: new PassThrough(), stderr: new PassThrough(), env: {}, cwd: process.cwd() });
const paths = [[]];
for (const noun of buildProgram(new Context(io())).commands) {
  paths.push([noun.name()]);
  for (const verb of noun.commands) paths.push([noun.name(), verb.name()]);
}
const argvs = [['--version'], ['-V'], ...paths.flatMap((p) => [[...p, '--help'], [...p, '-h']])];
const copy = {};
for (const argv of argvs) {
  const init = io();
  let out = '';
  let err = '';
  init.stdout.on('data', (d) => (out += d));
  init.stderr.on('data', (d) => (err += d));
  const code = await main(argv, init);
  if (code !== 0 || err !== '' || out === '') throw new Error(`wa-cli ${argv.join(' ')}: exit ${code}, ${err || 'no output'}`);
  copy[helpKey(argv)] = out;
}
process.stdout.write(JSON.stringify(copy));
