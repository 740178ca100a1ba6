// Completion from the command specs: `wa-cli __complete` walks what each noun's command.ts declares, and the scripts
// of `wa-cli completion bash|zsh|fish` hand it the words typed so far.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { runCli } from '../../helpers/cli.js';
import { repoRoot } from '../../helpers/paths.js';

const bin = path.join(repoRoot, 'bin', 'wa-cli.js');
const complete = async (words: string[], cwd?: string) => {
  const r = await runCli(['__complete', ...words], cwd ? { init: { cwd } } : {});
  assert.equal(r.code, 0, r.stderr);
  return r.stdout.split('\n').filter(Boolean);
};

/** The bash script as a shell would run it, `wa-cli` being the built binary. */
async function bash(words: string[], cwd = repoRoot): Promise<string[]> {
  const script = (await runCli(['completion', 'bash'])).stdout;
  const quoted = words.map((w) => `'${w.replace(/'/g, `'\\''`)}'`).join(' ');
  const r = spawnSync('bash', ['-c', `wa-cli() { "${process.execPath}" "${bin}" "$@"; }\n${script}\nCOMP_WORDS=(wa-cli ${quoted}); COMP_CWORD=${words.length}; _wa_cli; printf '%s\\n' "\${COMPREPLY[@]}"`], { cwd, encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  return r.stdout.split('\n').filter(Boolean);
}

test('completion: subcommands of the noun in hand, by prefix; the hidden verb is not offered', async () => {
  assert.deepEqual(await complete(['auth', 'lo']), ['login', 'logout']);
  const top = await complete(['']);
  assert.ok(top.includes('broadcast') && top.includes('completion'));
  assert.ok(!top.some((w) => w.startsWith('__')));
  assert.deepEqual(await complete(['completion', '']), ['bash', 'zsh', 'fish']);
  assert.deepEqual(await complete(['auth', 'login', '--provider', '']), ['qontak', 'konekwa']);
  // Choices a parser of its own checks are offered too.
  assert.deepEqual(await complete(['templates', 'list', '--status', 'PEN']), ['PENDING', 'PENDING_DELETION']);
});

test('completion: bash keeps its place after a positional and after a flag value', async () => {
  assert.deepEqual(await bash(['templates', 'show', 'order_update', '--lang']), ['--language']);
  assert.deepEqual(await bash(['-p', 'staging', 'auth', 'lo']), ['login', 'logout']);
  // After a positional no word is taken for a subcommand.
  assert.deepEqual(await bash(['templates', 'show', 'order_update', '']), []);
});

test('completion: a verb is offered its own flags and the global ones, never another verb\'s (fish asks the same)', async () => {
  const flags = await complete(['broadcast', 'list', '--']);
  for (const f of ['--since', '--limit', '--json', '--profile', '--help']) assert.ok(flags.includes(f), f);
  // templates list has --status, --category, --query and --all; broadcast list has none of them.
  for (const f of ['--status', '--category', '--query', '--all', '--version', '--template']) assert.ok(!flags.includes(f), f);
  const fish = (await runCli(['completion', 'fish'])).stdout;
  assert.match(fish, /wa-cli __complete \$words \(commandline -ct\)/);
  assert.match(fish, /^complete -c wa-cli -f -a '\(__wa_cli_complete\)'$/m);
});

test('completion: --file, --out, --media and file arguments complete file names; folders end in /', async () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'wa-complete-'));
  writeFileSync(path.join(dir, 'contacts.xlsx'), '');
  writeFileSync(path.join(dir, 'contacts.csv'), '');
  writeFileSync(path.join(dir, '.hidden.csv'), '');
  mkdirSync(path.join(dir, 'lists'));
  writeFileSync(path.join(dir, 'lists', 'nov.csv'), '');
  assert.deepEqual(await complete(['broadcast', 'send', '--file', 'con'], dir), ['contacts.csv', 'contacts.xlsx']);
  assert.deepEqual(await complete(['broadcast', 'send', '--file', ''], dir), ['contacts.csv', 'contacts.xlsx', 'lists/']);
  assert.deepEqual(await complete(['broadcast', 'send', '--file', 'lists/'], dir), ['lists/nov.csv']);
  assert.deepEqual(await complete(['broadcast', 'send', '--file=con'], dir), ['--file=contacts.csv', '--file=contacts.xlsx']);
  assert.deepEqual(await complete(['logs', 'export', 'b-1', '--out', 'l'], dir), ['lists/']);
  assert.deepEqual(await complete(['broadcast', 'send', '--media', '.h'], dir), ['.hidden.csv']);
  assert.deepEqual(await complete(['contacts', 'validate', 'contacts.x'], dir), ['contacts.xlsx']);
  // Whatever the spec marks as a file: a folder argument, a run folder, a variadic list of paths.
  assert.deepEqual(await complete(['templates', 'plan', 'l'], dir), ['lists/']);
  assert.deepEqual(await complete(['broadcast', 'status', '--journal', 'l'], dir), ['lists/']);
  assert.deepEqual(await complete(['templates', 'validate', 'contacts.xlsx', 'contacts.c'], dir), ['contacts.csv']);
  // A flag that takes no file completes none.
  assert.deepEqual(await complete(['broadcast', 'send', '--name', ''], dir), []);
  // Through the bash script, including bash's split of --file=… at the =.
  assert.deepEqual(await bash(['broadcast', 'send', '--file', 'contacts.c'], dir), ['contacts.csv']);
  assert.deepEqual(await bash(['broadcast', 'send', '--file', '=', 'contacts.c'], dir), ['contacts.csv']);
});
