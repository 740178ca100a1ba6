// The bundle answers --help and --version from a copy made at build time: the copy must be commander's output for
// every command, current, and served only where it was made for (a pipe or a file, no forced colours).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { PassThrough } from 'node:stream';
import { repoRoot } from '../helpers/paths.js';
import { runCli } from '../helpers/cli.js';
import { Context } from '../../src/cli/context.js';
import { buildProgram } from '../../src/program.js';
import { cachedHelp as unbundled } from '../../src/cli/help-cache.js';

type CachedHelp = typeof unbundled;
const bundled = async (): Promise<CachedHelp> =>
  ((await import(pathToFileURL(path.join(repoRoot, 'dist', 'cli', 'help.js')).href)) as { cachedHelp: CachedHelp }).cachedHelp;

test('the bundled copy of --help and --version is what commander prints, for every noun and verb', async () => {
  const cachedHelp = await bundled();
  const paths: string[][] = [[]];
  const io = { stdin: new PassThrough(), stdout: new PassThrough(), stderr: new PassThrough(), env: {}, cwd: repoRoot };
  for (const noun of buildProgram(new Context(io)).commands) {
    paths.push([noun.name()]);
    for (const verb of noun.commands) paths.push([noun.name(), verb.name()]);
  }
  assert.ok(paths.length > 25, 'every verb is listed');
  for (const argv of [['--version'], ['-V'], ...paths.flatMap((p) => [[...p, '--help'], [...p, '-h']])]) {
    const live = await runCli(argv);
    assert.equal(live.code, 0);
    assert.equal(cachedHelp(argv, {}, false), live.stdout, argv.join(' '));
  }
});

test('the copy is not used on a terminal, with forced colours, for other argv, nor under tsc', async () => {
  const cachedHelp = await bundled();
  assert.ok(cachedHelp(['--help'], {}, false)?.startsWith('Usage: wa-cli'));
  assert.equal(cachedHelp(['--help'], {}, true), undefined);
  assert.equal(cachedHelp(['--help'], { FORCE_COLOR: '1' }, false), undefined);
  assert.equal(cachedHelp(['--help'], { CLICOLOR_FORCE: '' }, false), undefined);
  assert.equal(cachedHelp(['-p', 'prod', 'broadcast', 'send', '--help'], {}, false), undefined);
  assert.equal(cachedHelp(['broadcast', 'send'], {}, false), undefined);
  assert.equal(unbundled(['--help'], {}, false), undefined);
});

test('the binary prints the copy into a pipe, exactly as the unbundled CLI does', () => {
  const bin = path.join(repoRoot, 'bin', 'wa-cli.js');
  for (const argv of [['--help'], ['broadcast', 'send', '--help'], ['--version']]) {
    const r = spawnSync(process.execPath, [bin, ...argv], { encoding: 'utf8', input: '', env: { PATH: process.env.PATH ?? '' } });
    assert.equal(r.status, 0);
    assert.equal(r.stderr, '');
    const live = spawnSync(process.execPath, ['-e', `import(${JSON.stringify(pathToFileURL(path.join(repoRoot, 'dist', 'src', 'main.js')).href)}).then(async (m) => { process.exitCode = await m.main(${JSON.stringify(argv)}, m.processContextInit()); })`], { encoding: 'utf8', input: '', env: { PATH: process.env.PATH ?? '' } });
    assert.equal(r.stdout, live.stdout, argv.join(' '));
  }
});

test('`help <noun> <verb>` shows the verb\'s help, not the group\'s: live, after a global flag, and from the copy', async () => {
  const cachedHelp = await bundled();
  const verb = await runCli(['broadcast', 'send', '--help']);
  assert.match(verb.stdout, /^Usage: wa-cli broadcast send \[options\]/);
  const viaHelp = await runCli(['help', 'broadcast', 'send']);
  assert.equal(viaHelp.code, 0);
  assert.equal(viaHelp.stdout, verb.stdout);
  assert.equal(cachedHelp(['help', 'broadcast', 'send'], {}, false), verb.stdout);
  const afterFlag = await runCli(['-p', 'ops', 'help', 'templates', 'list']);
  assert.equal(afterFlag.code, 0);
  assert.match(afterFlag.stdout, /^Usage: wa-cli templates list \[options\]/);
  // A lone `help` is still the whole program's.
  assert.match((await runCli(['help'])).stdout, /^Usage: wa-cli \[options\] \[command\]/);
});
