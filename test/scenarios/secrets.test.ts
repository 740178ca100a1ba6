// Secrets never leak: every command runs with --verbose and --json against the sandbox, and no secret, token or API
// key may appear in stdout, stderr, the config folder, the state folder (journal, ledger) or exported files.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { runCli } from '../helpers/cli.js';
import { testBed, type AuthFlavour } from '../helpers/sandbox.js';
import { fixture } from '../helpers/paths.js';

function filesUnder(dir: string): string[] {
  let out: string[] = [];
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return out;
  }
  for (const n of names) {
    const p = path.join(dir, n);
    out = statSync(p).isDirectory() ? [...out, ...filesUnder(p)] : [...out, p];
  }
  return out;
}

test('no secret appears in any output or file, and config and state files are 0600', async () => {
  const bed = await testBed({ listProcessingMs: 100, speed: 8, bulkCooldownMs: 0 });
  try {
    const c = bed.sandbox.credentials;
    const secrets = [c.hmacClientSecret, c.accessToken, c.konekwaApiKey, c.oauthClientSecret, c.refreshToken, c.oauthPassword];
    const csv = path.join(bed.dir, 'people.csv');
    writeFileSync(csv, 'phone_number,full_name,order_id,company\r\n081234567890,Budi,INV-1,Acme\r\n081234567891,Sari,INV-2,Acme\r\n');
    let transcript = '';
    const run = async (flavour: AuthFlavour, args: string[], stdin?: string, expect = 0) => {
      const r = await runCli(['--verbose', '--json', ...args], { env: bed.env(flavour), ...(stdin === undefined ? {} : { stdin }) });
      transcript += `\n$ ${args.join(' ')} → ${r.code}\n${r.stdout}\n${r.stderr}`;
      assert.equal(r.code, expect, `${flavour} ${args.join(' ')}: ${r.stderr.slice(-500)}`);
      return r;
    };
    const q: AuthFlavour[] = ['qontak-hmac', 'qontak-oauth'];
    for (const f of q) {
      await run(f, ['auth', 'status']);
      await run(f, ['channels', 'list']);
      await run(f, ['templates', 'list', '--all']);
      await run(f, ['templates', 'show', 'flash_sale']);
      await run(f, ['templates', 'validate', '--remote'], undefined, 1);
      // The second profile submits the same name: the sandbox refuses it as the real API does, a conflict (exit 5).
      await run(f, ['templates', 'create', fixture('templates', 'cases', 'adjacent.json')], undefined, f === 'qontak-hmac' ? 0 : 5);
      await run(f, ['contacts', 'validate', csv, '--out', path.join(bed.dir, `clean-${f}.xlsx`)]);
      const up = await run(f, ['contacts', 'upload', csv, '--name', `l-${f}`]);
      const listId = JSON.parse(up.stdout)[0].id as string;
      await run(f, ['contacts', 'lists']);
      await run(f, ['contacts', 'show', listId]);
      const sent = await run(f, ['-y', 'broadcast', 'send', '--template', 'order_update', '--language', 'id', '--list', listId, '--param', '1=full_name', '--param', '2=order_id']);
      const id = JSON.parse(sent.stdout).id as string;
      await run(f, ['-y', 'broadcast', 'send', '--template', 'welcome_member', '--language', 'id', '--to', f === 'qontak-hmac' ? '081234567898' : '081234567899', '--param', '1=:Budi']);
      await run(f, ['broadcast', 'status', id]);
      await run(f, ['broadcast', 'list']);
      await run(f, ['logs', 'tail', id]);
      await run(f, ['logs', 'export', id, '--out', path.join(bed.dir, `log-${f}.csv`)]);
      await run(f, ['logs', 'export', id, '--out', path.join(bed.dir, `log-${f}.xlsx`)]);
    }
    await run('konekwa', ['auth', 'status']);
    await run('konekwa', ['channels', 'list']);
    // The seeded Konekwa templates trip only a double-space warning: Meta's rules do not apply to them.
    await run('konekwa', ['templates', 'validate', '--remote']);
    const fan = await run('konekwa', ['-y', 'broadcast', 'send', '--template', 'promo_nov', '--file', csv, '--param', 'name=full_name', '--rate', '50/s']);
    const runId = JSON.parse(fan.stdout).id as string;
    await run('konekwa', ['broadcast', 'status', runId]);
    await run('konekwa', ['logs', 'tail', runId]);
    await run('konekwa', ['logs', 'export', runId, '--out', path.join(bed.dir, 'log-k.csv')]);
    // Logging in stores a secret: in the file store here (no keychain in this test), never in config.json.
    await run('konekwa', ['auth', 'login', '--provider', 'konekwa', '--base-url', bed.sandbox.konekwaBaseUrl, '--with-secret', '--insecure-storage'], c.konekwaApiKey);

    assert.match(transcript, /→ GET http/, '--verbose logged the requests');
    for (const s of secrets) assert.ok(!transcript.includes(s), `a secret leaked into the output: ${s.slice(0, 4)}…`);
    const stateFiles = filesUnder(path.join(bed.dir, 'state'));
    assert.ok(stateFiles.some((f) => f.endsWith('journal.jsonl')) && stateFiles.some((f) => f.endsWith('ledger.jsonl')));
    const written = [...filesUnder(path.join(bed.dir, 'config')), ...stateFiles, ...readdirSync(bed.dir).filter((n) => /^(log|clean)-/.test(n)).map((n) => path.join(bed.dir, n))];
    for (const file of written) {
      if (file.endsWith('credentials.json')) continue; // the opt-in secret store itself
      const body = readFileSync(file).toString('latin1');
      for (const s of secrets) assert.ok(!body.includes(s), `${file} holds a secret`);
    }
    for (const file of [...filesUnder(path.join(bed.dir, 'config')), ...stateFiles]) {
      assert.equal(statSync(file).mode & 0o077, 0, `${file} is readable by others`);
    }
  } finally {
    await bed.close();
  }
});
