// Every example of every --help runs here against the sandbox, so none can rot. Examples that need a shell feature
// or an id the reader substitutes are listed below with the reason; the list must match exactly, so an example that
// starts (or stops) working fails this test until the list says so.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { copyFileSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { PassThrough, Readable } from 'node:stream';
import type { Command } from 'commander';
import * as XLSX from 'xlsx';
import { buildProgram } from '../../src/program.js';
import { Context } from '../../src/cli/context.js';
import { main } from '../../src/main.js';
import { sharedTestBed } from '../helpers/sandbox.js';
import { runCli } from '../helpers/cli.js';
import { fixture } from '../helpers/paths.js';

let cwd: string;
const bed = sharedTestBed({ listProcessingMs: 20, bulkCooldownMs: 0, recorded: true }, () => {
  cwd = path.join(bed.dir, 'work');
  mkdirSync(path.join(cwd, 'templates'), { recursive: true });
  // The files the examples name, from the repository's fixtures.
  copyFileSync(fixture('contacts', 'uppercase-headers.xlsx'), path.join(cwd, 'customers.xlsx'));
  copyFileSync(fixture('contacts', 'uppercase-headers.xlsx'), path.join(cwd, 'list.xlsx'));
  copyFileSync(fixture('contacts', 'semicolon-bom-crlf.clean.csv'), path.join(cwd, 'export.csv'));
  // An order sheet with the order_id column its example names.
  const orders = XLSX.utils.book_new();
  XLSX.utils.book_append_sheet(orders, XLSX.utils.aoa_to_sheet([['phone_number', 'full_name', 'order_id'], ['0812-3456-7890', 'Budi Santoso', 'INV-1001'], ['0857-1234-5678', 'Sari Dewi', 'INV-1002']]), 'orders');
  writeFileSync(path.join(cwd, 'orders.xlsx'), XLSX.write(orders, { type: 'buffer', bookType: 'xlsx' }) as Buffer);
  // A name the account does not hold yet, so the create example creates (a taken name is exit 5, commands/templates/validate.test).
  const promo = JSON.parse(readFileSync(fixture('templates', 'good', 'promo-en.json'), 'utf8')) as { name: string };
  writeFileSync(path.join(cwd, 'promo_nov.json'), JSON.stringify({ ...promo, name: 'promo_nov_2026' }));
  copyFileSync(fixture('templates', 'good', 'promo-en.json'), path.join(cwd, 'promo.json'));
  // A folder of templates as code: one the account holds exactly so, one it lacks (plan lists it, apply creates it).
  const orderUpdate = JSON.parse(readFileSync(fixture('templates', 'good', 'order-update-id.json'), 'utf8')) as { components: { type: string; text?: string }[] };
  writeFileSync(path.join(cwd, 'templates', 'welcome-member-id.json'), JSON.stringify({ name: 'welcome_member', language: 'id', category: 'MARKETING', components: [{ type: 'BODY', text: 'Selamat datang, {{1}}! Kartu member Anda sudah aktif.', example: { body_text: [['Budi']] } }] }));
  writeFileSync(path.join(cwd, 'templates', 'order-shipped-id.json'), JSON.stringify({ ...orderUpdate, name: 'order_shipped' }));
  writeFileSync(path.join(cwd, 'unsubscribed.csv'), 'phone_number,reason\r\n0812-5555-0001,replied STOP by SMS\r\n');
  copyFileSync(fixture('contacts', 'uppercase-headers.xlsx'), path.join(cwd, 'crm-export.xlsx'));
  writeFileSync(path.join(cwd, 'secret.txt'), `${bed.env('qontak-hmac').MEKARI_API_CLIENT_SECRET ?? ''}\n`);
  writeFileSync(path.join(cwd, 'key.txt'), `${bed.env('konekwa').KONEKWA_API_KEY ?? ''}\n`);
});

/** Examples that cannot run as written, with why. Broadcast ones are being fixed with the broadcast commands. */
const KNOWN: Record<string, string> = {
  'wa-cli auth login': 'interactive: asks on a terminal (cli/prompter.test covers it)',
  'printf %s "$SECRET" | wa-cli auth login --provider qontak --client-id abc123 --with-secret': 'needs $SECRET and a real client id',
  'wa-cli auth login --provider qontak --client-id abc123 --with-secret < secret.txt': 'abc123 is a stand-in client id',
  'wa-cli -p gateway auth login --provider konekwa --base-url https://wa.example.com --with-secret < key.txt': 'wa.example.com is a stand-in host',
  'MEKARI_API_CLIENT_ID=… MEKARI_API_CLIENT_SECRET=… wa-cli auth status --json': '… stands for the reader\'s credentials',
  'wa-cli -p staging auth logout': 'names a profile the reader has',
  'wa-cli templates create promo_nov.json --wait --timeout 2h': 'waits for a human review (commands/templates/wait.test drives one)',
  'wa-cli templates apply templates/ --wait --timeout 2h': 'waits for a human review (commands/templates/apply.test drives them)',
  'wa-cli contacts upload big.csv --name q4 --split --timeout 20m': 'needs a file over 20,000 rows',
  'wa-cli broadcast send --resume 20261122-abcd1234 --yes': 'broadcast: a run id from the reader\'s machine',
  'wa-cli broadcast status 20261122-abcd1234 --json': 'a run id from the reader\'s machine',
  'wa-cli broadcast report 20261122-abcd1234 --out run.html': 'a run id from the reader\'s machine (commands/broadcast/report.test reports a run)',
  'wa-cli broadcast status --journal shard-1/20261122-abcd1234 --journal shard-2/20261122-ef567890': 'run folders copied from the reader\'s machines (fanout-sessions.test sums two shards)',
  'wa-cli broadcast send --resume 20261122-abcd1234 --move-session ses_backup=ses_main01 --yes': 'a run id from the reader\'s machine (fanout-sessions.test moves a share)',
  'wa-cli broadcast send --template promo_nov --file customers.xlsx --param name=full_name --channel ses_main01,ses_backup --rate 1/s --yes': 'Konekwa sessions; the examples run against Qontak (fanout-sessions.test sends over two)',
  'wa-cli sandbox --port 8787': 'runs in the foreground until Ctrl-C (the --json form is run below)',
  'wa-cli sandbox --port 8787 --json > sandbox.json &': 'background job: run below with a stop signal',
  'eval "$(jq -r \'.exports["qontak-hmac"]\' sandbox.json)"': 'shell and jq: the exports field is checked below',
  'wa-cli demo --no-color 2>&1 | less': 'a pager (wa-cli demo runs as the first example)',
  'wa-cli completion bash > /etc/bash_completion.d/wa-cli': 'writes a system folder (completion is run without the redirect)',
};

/** Examples whose documented outcome against the sandbox is not 0. */
const EXIT: Record<string, number> = {
  // The sandbox holds rejected templates with rule errors on purpose: exit 1 is the answer.
  'wa-cli templates validate --remote --json': 1,
  // Before apply the account lacks a template of the folder: the gate fails, as it should.
  'wa-cli templates plan templates/ --check': 1,
  // The examples run against a Qontak profile; reading replies is Konekwa's (optout.test runs the sync itself).
  'wa-cli optout sync': 2,
  // The recorded broadcast's one entry failed (get_broadcasts_ID_whatsapp_log_200.json): --fail-on-failed says so.
  'wa-cli logs tail 98b463bc-a8f1-4f19-84df-ae62967ff795 --follow --until-done --fail-on-failed': 1,
};

/** A command line run in the examples' folder. */
const capture = (argv: string[], env: Record<string, string>, stdin = '') => runCli(argv, { env, stdin, init: { cwd } });

function commandPaths(cmd: Command, prefix: string[] = []): string[][] {
  return cmd.commands.flatMap((c) => [[...prefix, c.name()], ...commandPaths(c, [...prefix, c.name()])]);
}

/** Shell words of a simple command line: quotes honoured, no expansion. */
function words(line: string): string[] {
  const out: string[] = [];
  for (const m of line.matchAll(/"((?:[^"\\]|\\.)*)"|'([^']*)'|(\S+)/g)) out.push(m[1] ?? m[2] ?? m[3]!);
  return out;
}

test('every example of every --help runs against the sandbox with its documented exit code, or is listed with the reason', async () => {
  const program = buildProgram(new Context({ stdin: Readable.from([]), stdout: new PassThrough(), stderr: new PassThrough(), env: {}, cwd }));
  const examples = new Set<string>();
  for (const p of [[], ...commandPaths(program)]) {
    const help = await capture([...p, '--help'], {});
    assert.equal(help.code, 0, `${p.join(' ')} --help`);
    for (const m of help.stdout.matchAll(/^ {2}\$ (.+)$/gm)) examples.add(m[1]!.replace(/\s+#.*$/, '').trim());
  }
  assert.ok(examples.size > 30, `only ${examples.size} examples found`);
  const env = { ...bed.env('qontak-hmac'), TZ: 'Asia/Jakarta' };
  // An example for the `gateway` profile is a Konekwa one: it runs against the Konekwa side of the sandbox.
  const konekwa = { ...bed.env('konekwa'), TZ: 'Asia/Jakarta' };
  const failures: string[] = [];
  for (const ex of examples) {
    if (ex in KNOWN) continue;
    // A pipe into jq: the output must be JSON. A redirect of stdout is dropped; `< file` becomes stdin.
    const [cmdPart, ...pipes] = ex.split(/\s\|\s/);
    let w = words(cmdPart!);
    let stdin = '';
    const lt = w.indexOf('<');
    if (lt >= 0) {
      stdin = readFileSync(path.join(cwd, w[lt + 1]!), 'utf8');
      w = [...w.slice(0, lt), ...w.slice(lt + 2)];
    }
    const gt = w.indexOf('>');
    if (gt >= 0) w = w.slice(0, gt);
    // Leading NAME=value words set the environment of that one command, as a shell does.
    const assigned: Record<string, string> = {};
    while (/^[A-Z_][A-Z0-9_]*=/.test(w[0] ?? '')) {
      const [name, ...value] = w.shift()!.split('=');
      assigned[name!] = value.join('=');
    }
    assert.equal(w[0], 'wa-cli', `example does not start with wa-cli: ${ex}`);
    const r = await capture(w.slice(1), { ...(w[1] === '-p' && w[2] === 'gateway' ? konekwa : env), ...assigned }, stdin);
    if (r.code !== (EXIT[ex] ?? 0)) failures.push(`${ex}\n    exit ${r.code}: ${r.stderr.trim().split('\n').at(-1)}`);
    else if (pipes.some((x) => x.trim().startsWith('jq'))) {
      try {
        JSON.parse(r.stdout);
      } catch {
        failures.push(`${ex}\n    output piped to jq is not JSON`);
      }
    }
  }
  assert.deepEqual(failures, [], `examples that fail:\n  ${failures.join('\n  ')}`);
  assert.deepEqual(Object.keys(KNOWN).filter((k) => !examples.has(k)), [], 'listed examples no longer in any --help');
});

test('the sandbox example: --json prints one line with exports per profile that point wa-cli at it', async () => {
  const stdout = new PassThrough();
  const controller = new AbortController();
  let line = '';
  stdout.on('data', (d: Buffer) => {
    line += d;
    if (line.includes('\n')) controller.abort();
  });
  const code = await main(['sandbox', '--json'], { stdin: Readable.from([]), stdout, stderr: new PassThrough(), env: {}, cwd, signal: controller.signal });
  assert.equal(code, 0);
  const j = JSON.parse(line) as { url: string; exports: Record<string, string> };
  const exports = j.exports['qontak-hmac']!;
  assert.match(exports, new RegExp(`^export MEKARI_API_BASE_URL=${j.url.replace(/[.]/g, '\\.')}$`, 'm'));
  assert.match(exports, /^export MEKARI_API_CLIENT_SECRET=\S+$/m);
});
