// The real binary, spawned as a user or a cron job runs it: no terminal, no stdin.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { repoRoot } from '../helpers/paths.js';

const bin = path.join(repoRoot, 'bin', 'wa-cli.js');
const home = mkdtempSync(path.join(os.tmpdir(), 'wa-e2e-'));
const run = (args: string[], env: Record<string, string> = {}) =>
  spawnSync(process.execPath, [bin, ...args], {
    env: { PATH: process.env.PATH ?? '', HOME: home, WA_CONFIG_DIR: home, WA_STATE_DIR: home, DBUS_SESSION_BUS_ADDRESS: `unix:path=${home}/none`, ...env },
    input: '',
    encoding: 'utf8',
    timeout: 20_000,
  });

test('--version prints the package version', () => {
  const r = run(['--version']);
  assert.equal(r.status, 0);
  assert.equal(r.stdout.trim(), JSON.parse(readFileSync(path.join(repoRoot, 'package.json'), 'utf8')).version);
});

test('--help lists the commands, an example and the exit codes', () => {
  const r = run(['--help']);
  assert.equal(r.status, 0);
  for (const word of ['auth', 'channels', 'sandbox', 'Examples:', 'Exit codes']) assert.ok(r.stdout.includes(word), word);
});

test('every command has an example in its help', () => {
  const groups: string[][] = [
    ['auth', 'login'], ['auth', 'status'], ['auth', 'logout'], ['channels', 'list'],
    ['templates', 'list'], ['templates', 'show'], ['templates', 'validate'], ['templates', 'create'], ['templates', 'wait'],
    ['contacts', 'validate'], ['contacts', 'upload'], ['contacts', 'lists'], ['contacts', 'show'],
    ['broadcast', 'send'], ['broadcast', 'status'], ['broadcast', 'list'],
    ['logs', 'tail'], ['logs', 'export'], ['sandbox'], ['demo'], ['completion'],
  ];
  for (const g of groups) {
    const r = run([...g, '--help']);
    assert.equal(r.status, 0, g.join(' '));
    assert.match(r.stdout, /Examples:\n\s+\$ wa-cli/, g.join(' '));
  }
});

test('an unknown command or flag is a usage error (exit 2)', () => {
  assert.equal(run(['nonsense']).status, 2);
  const r = run(['channels', 'list', '--bogus']);
  assert.equal(r.status, 2);
  assert.match(r.stderr, /unknown option '--bogus'/);
});

test('no credentials: exit 4 with one line that names the environment variables', () => {
  const r = run(['channels', 'list'], { WA_PROVIDER: 'konekwa' });
  assert.equal(r.status, 4);
  assert.equal(r.stdout, '');
  const lines = r.stderr.trim().split('\n');
  assert.equal(lines.length, 1, r.stderr);
  assert.match(lines[0]!, /KONEKWA_API_KEY/);
});

test('a question without a terminal fails with exit 2 naming the flag', () => {
  const r = run(['auth', 'login', '--provider', 'konekwa']);
  assert.equal(r.status, 2);
  assert.match(r.stderr, /--with-secret/);
});

test('plain HTTP to a remote host is refused before any request', () => {
  const r = run(['channels', 'list'], { KONEKWA_API_KEY: 'k', KONEKWA_BASE_URL: 'http://gateway.example.com' });
  assert.equal(r.status, 2);
  assert.match(r.stderr, /not HTTPS/);
});

test('completion scripts are valid for their shells', () => {
  const bash = run(['completion', 'bash']);
  assert.equal(bash.status, 0);
  const syntax = spawnSync('bash', ['-n'], { input: bash.stdout });
  assert.equal(syntax.status, 0, syntax.stderr?.toString());
  // The script asks the binary itself (`wa-cli __complete`); here `wa-cli` is the built one.
  const asBinary = `wa-cli() { "${process.execPath}" "${bin}" "$@"; }\n`;
  const check = spawnSync('bash', ['-c', `${asBinary}${bash.stdout}\nCOMP_WORDS=(wa-cli auth lo); COMP_CWORD=2; _wa_cli; echo "\${COMPREPLY[@]}"`], { encoding: 'utf8' });
  assert.equal(check.stdout.trim(), 'login logout');
  const afterValue = spawnSync('bash', ['-c', `${asBinary}${bash.stdout}\nCOMP_WORDS=(wa-cli -p staging auth lo); COMP_CWORD=4; _wa_cli; echo "\${COMPREPLY[@]}"`], { encoding: 'utf8' });
  assert.equal(afterValue.stdout.trim(), 'login logout', 'the value of -p is not taken for a subcommand');
  assert.match(run(['completion', 'fish']).stdout, /complete -c wa-cli -f -a '\(__wa_cli_complete\)'/);
  assert.equal(run(['__complete', 'auth', 'lo']).stdout, 'login\nlogout\n');
  assert.match(run(['completion', 'zsh']).stdout, /^#compdef wa-cli/);
});

test('wa-cli demo walks the whole flow against its own sandbox and exits 0', () => {
  const r = spawnSync(process.execPath, [bin, 'demo'], {
    env: { PATH: process.env.PATH ?? '', HOME: home, DBUS_SESSION_BUS_ADDRESS: `unix:path=${home}/none` },
    input: '',
    encoding: 'utf8',
    timeout: 60_000,
  });
  assert.equal(r.status, 0, r.stderr);
  for (const n of [1, 5, 9]) assert.match(r.stdout, new RegExp(`\\[${n}/9\\]`));
  assert.match(r.stdout, /\(exit 5, as expected\)/, 'the second send was refused');
  assert.match(r.stdout, /pending → (sent|delivered)/, 'delivery was followed');
  assert.match(r.stdout, /Done in \d+\.\d s\./);
  assert.doesNotMatch(r.stdout + r.stderr, /\u001b\[/, 'no colour without a terminal');
});

test('wa-cli sandbox runs in the foreground, prints working credentials, and stops on Ctrl-C', async () => {
  const { spawn } = await import('node:child_process');
  const child = spawn(process.execPath, [bin, 'sandbox'], { env: { PATH: process.env.PATH ?? '', HOME: home }, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout.on('data', (d: Buffer) => (out += d));
  for (let i = 0; i < 100 && !out.includes('KONEKWA_API_KEY'); i++) await new Promise((r) => setTimeout(r, 50));
  const vars = Object.fromEntries([...out.matchAll(/^export (\w+)=(.*)$/gm)].map((m) => [m[1]!, m[2]!]));
  assert.match(vars.MEKARI_API_BASE_URL!, /^http:\/\/127\.0\.0\.1:\d+$/);
  const r = run(['channels', 'list'], { KONEKWA_BASE_URL: vars.KONEKWA_BASE_URL!, KONEKWA_API_KEY: vars.KONEKWA_API_KEY!, WA_PROVIDER: 'konekwa' });
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /ses_main01/);
  const exited = new Promise<number | null>((res) => child.on('exit', (code) => res(code)));
  child.kill('SIGINT');
  assert.equal(await exited, 0);
});
