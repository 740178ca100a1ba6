// Under GitHub Actions (GITHUB_ACTIONS=true) findings are also workflow annotations on stderr, and sends and followed
// logs append a Markdown summary to $GITHUB_STEP_SUMMARY. Anywhere else nothing of this appears.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { runCli } from '../helpers/cli.js';
import { sharedTestBed } from '../helpers/sandbox.js';
import { sendArgs, sheet } from '../helpers/fanout.js';
import { fixture } from '../helpers/paths.js';

let summary: string;
const bed = sharedTestBed({ recorded: true, listProcessingMs: 20, bulkCooldownMs: 0, konekwaRatePerSecond: 1000, konekwaBurst: 1000 }, (b) => {
  summary = path.join(b.dir, 'step-summary.md');
});

const actions = () => ({ GITHUB_ACTIONS: 'true', GITHUB_STEP_SUMMARY: summary });
const readSummary = () => (existsSync(summary) ? readFileSync(summary, 'utf8') : '');

test('contacts validate of a file with a bad number: ::error file=…,line=… under GitHub Actions, stdout unchanged, nothing outside', async () => {
  const csv = path.join(bed.dir, 'bad-number.csv');
  writeFileSync(csv, 'phone_number,full_name\n0812-3456-7890,Budi\n12ab,Sari\n');
  const inCi = await runCli(['contacts', 'validate', csv], { env: bed.env('qontak-hmac', actions()) });
  const plain = await runCli(['contacts', 'validate', csv], { env: bed.env('qontak-hmac') });
  assert.equal(inCi.code, 1);
  assert.match(inCi.stderr, new RegExp(`^::error file=${csv.replace(/[.]/g, '\\.')},line=3,title=[a-z-]+::.*12ab`, 'm'));
  assert.equal(inCi.stdout, plain.stdout, 'results on stdout are the same');
  assert.equal(plain.code, 1);
  assert.doesNotMatch(plain.stdout + plain.stderr, /::(error|warning)/);
  // --json keeps stdout pure JSON; the annotations still go to stderr.
  const json = await runCli(['--json', 'contacts', 'validate', csv], { env: bed.env('qontak-hmac', actions()) });
  assert.equal(JSON.parse(json.stdout).invalid, 1);
  assert.match(json.stderr, /^::error file=/m);
  // GITHUB_ACTIONS must be exactly "true", as the runner sets it.
  const other = await runCli(['contacts', 'validate', csv], { env: bed.env('qontak-hmac', { GITHUB_ACTIONS: '1' }) });
  assert.doesNotMatch(other.stderr, /::error/);
});

test('templates validate under GitHub Actions: the --format github lines on stderr, once; outside, none', async () => {
  const file = fixture('templates', 'cases', 'tab-character.json');
  const inCi = await runCli(['templates', 'validate', file], { env: bed.env('qontak-hmac', actions()) });
  const asked = await runCli(['templates', 'validate', file, '--format', 'github'], { env: bed.env('qontak-hmac') });
  assert.equal(inCi.code, 1);
  const annotations = (s: string) => s.split('\n').filter((l) => l.startsWith('::'));
  assert.ok(annotations(asked.stdout).length > 0);
  assert.deepEqual(annotations(inCi.stderr), annotations(asked.stdout), 'the same lines as --format github');
  assert.doesNotMatch(inCi.stdout, /^::/m, 'stdout keeps the text format');
  const twice = await runCli(['templates', 'validate', file, '--format', 'github'], { env: bed.env('qontak-hmac', actions()) });
  assert.deepEqual(annotations(twice.stderr), [], 'not repeated on stderr when stdout already carries them');
  const plain = await runCli(['templates', 'validate', file], { env: bed.env('qontak-hmac') });
  assert.doesNotMatch(plain.stderr, /^::/m);
});

test('a refused send annotates each bad value on its row of --file', async () => {
  const csv = path.join(bed.dir, 'broken-values.csv');
  writeFileSync(csv, 'phone_number,full_name,company\n081234567890,Budi,Acme\n081234567891,"Sari\tDewi",Acme\n');
  const r = await runCli(sendArgs(csv), { env: bed.env('konekwa', actions()) });
  assert.equal(r.code, 1, r.stderr);
  assert.match(r.stderr, new RegExp(`^::error file=${csv.replace(/[.]/g, '\\.')},line=3,title=[a-z-]+::`, 'm'));
  assert.equal(bed.sandbox.state.sendsByRecipient.size, 0);
  // A value that makes the message too long is a send check: refused as an error, or with --skip-invalid left out
  // and annotated as a warning.
  const long = path.join(bed.dir, 'long-value.csv');
  writeFileSync(long, `phone_number,full_name,company\n081234567890,Budi,Acme\n081234567891,Sari,${'x'.repeat(1100)}\n`);
  const refused = await runCli([...sendArgs(long), '--dry-run'], { env: bed.env('konekwa', actions()) });
  assert.equal(refused.code, 1);
  assert.match(refused.stderr, new RegExp(`^::error file=${long.replace(/[.]/g, '\\.')},line=3,title=rendered-length::row 3 `, 'm'));
  const skipped = await runCli([...sendArgs(long, ['--skip-invalid']), '--dry-run'], { env: bed.env('konekwa', actions()) });
  assert.equal(skipped.code, 0, skipped.stderr);
  assert.match(skipped.stderr, new RegExp(`^::warning file=${long.replace(/[.]/g, '\\.')},line=3,title=rendered-length::skipped: row 3, column company: the message is `, 'm'));
});

test('a Konekwa send appends its run id, counts, cost and failures to $GITHUB_STEP_SUMMARY; outside Actions nothing is written', async () => {
  rmSync(summary, { force: true });
  const file = sheet(bed, 5, '0815');
  const outside = await runCli([...sendArgs(file, ['--rate', '1000']), '--json'], { env: bed.env('konekwa', { GITHUB_STEP_SUMMARY: summary }) });
  assert.equal(outside.code, 0, outside.stderr);
  assert.equal(existsSync(summary), false, 'GITHUB_STEP_SUMMARY alone, without GITHUB_ACTIONS, writes nothing');

  const file2 = sheet(bed, 4, '0816');
  const r = await runCli([...sendArgs(file2, ['--rate', '1000']), '--json'], { env: bed.env('konekwa', actions()) });
  assert.equal(r.code, 0, r.stderr);
  const runId = JSON.parse(r.stdout).id as string;
  const md = readSummary();
  assert.match(md, new RegExp(`^### wa-cli broadcast send: run \`${runId}\`$`, 'm'));
  assert.match(md, /^\| Sent \| 4 \|$/m);
  assert.match(md, /^\| Recipients \| 4 \|$/m);
  assert.match(md, /^\| Cost \| about Rp 1\.840 \(4 × Rp 460\) \|$/m);
  assert.doesNotMatch(md, /Not finished/);
});

test('a Qontak list send appends the broadcast id; logs tail --until-done appends counts and failure reasons', async () => {
  rmSync(summary, { force: true });
  const r = await runCli(['broadcast', 'send', '--template', 'welcome_member', '--language', 'id', '--list', '534bd3d4-5395-46a9-bfbb-353f3a7721be', '--param', '1=customer_name', '--yes', '--json'], { env: bed.env('qontak-hmac', actions()) });
  assert.equal(r.code, 0, r.stderr);
  const id = JSON.parse(r.stdout).id as string;
  let md = readSummary();
  assert.match(md, new RegExp(`^### wa-cli broadcast send: broadcast \`${id}\`$`, 'm'));
  assert.match(md, new RegExp(`wa-cli logs tail ${id} --follow --until-done`));

  rmSync(summary, { force: true });
  const recorded = '98b463bc-a8f1-4f19-84df-ae62967ff795';
  const tail = await runCli(['logs', 'tail', recorded, '--until-done', '--interval', '1s'], { env: bed.env('qontak-hmac', actions()) });
  assert.equal(tail.code, 0, tail.stderr);
  md = readSummary();
  assert.match(md, new RegExp(`^### wa-cli logs tail: \`${recorded}\`$`, 'm'));
  assert.match(md, /^\| failed \| 1 \|$/m);
  // The recorded reason, escaped for Markdown.
  assert.match(md, /The template \(sorry\\_yee\) does not exist/);
  // A plain tail (not followed to the end) adds nothing.
  rmSync(summary, { force: true });
  await runCli(['logs', 'tail', recorded], { env: bed.env('qontak-hmac', actions()) });
  assert.equal(readSummary(), '');
});
