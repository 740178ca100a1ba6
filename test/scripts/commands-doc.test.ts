// docs/commands.md is made from the command specs by scripts/commands-doc.mjs: the committed file must be what the
// specs say now, and hold every command the program has.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { PassThrough } from 'node:stream';
import { pathToFileURL } from 'node:url';
import { repoRoot } from '../helpers/paths.js';
import { Context } from '../../src/cli/context.js';
import { buildProgram } from '../../src/program.js';

const script = path.join(repoRoot, 'scripts', 'commands-doc.mjs');
const committed = (): string => readFileSync(path.join(repoRoot, 'docs', 'commands.md'), 'utf8');

test('docs/commands.md is current: what the script makes from the specs now (npm run docs:commands)', async () => {
  const { render } = (await import(pathToFileURL(script).href)) as { render: () => string };
  assert.equal(committed(), render(), 'run `npm run docs:commands` and commit docs/commands.md');
  const check = spawnSync(process.execPath, [script, '--check'], { encoding: 'utf8' });
  assert.equal(check.status, 0, check.stderr);
});

test('the reference has every command of the program, each with its flags and examples', () => {
  const doc = committed();
  const io = { stdin: new PassThrough(), stdout: new PassThrough(), stderr: new PassThrough(), env: {}, cwd: repoRoot };
  for (const noun of buildProgram(new Context(io)).commands) {
    const verbs = noun.commands.length ? noun.commands : [noun];
    for (const v of verbs) {
      const words = v === noun ? ['wa-cli', noun.name()] : ['wa-cli', noun.name(), v.name()];
      const section = doc.split(`\n### ${words.join(' ')}\n`)[1]?.split('\n### ')[0];
      assert.ok(section, `no section for ${words.join(' ')}`);
      for (const o of v.options) assert.ok(section.includes(`\`${o.flags.replace(/\|/g, '\\|')}\``), `${words.join(' ')}: ${o.flags}`);
      assert.match(section, /```sh\nwa-cli |```sh\n[A-Z_]+=/, `${words.join(' ')}: examples`);
    }
  }
});
