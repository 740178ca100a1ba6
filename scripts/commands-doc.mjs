// Writes docs/commands.md, the command reference, from the command specs (src/commands/<noun>/command.ts as compiled
// into dist/src): every noun, verb, argument, flag, default, accepted value and help example. Run after tsc
// (`npm run docs:commands`); `--check` exits 1 when the committed file is not what the specs say.
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { nouns, root } from '../dist/src/commands/index.js';

const FILE = fileURLToPath(new URL('../docs/commands.md', import.meta.url));

const VALUES = { profiles: 'a profile of config.json', templates: 'a template name on the account', channels: 'a channel id on the account', runs: 'a run id from the state folder' };

/** Text for a table cell: pipes escaped, so a flag like `--param <KEY=COLUMN|KEY=:text>` stays one cell. */
const cell = (s) => s.replace(/\|/g, '\\|');

function defaultOf(f) {
  if (f.default === undefined) return '';
  return `\`${f.defaultText ?? JSON.stringify(f.default)}\``;
}

function valuesOf(s) {
  const parts = [];
  if (s.choices) parts.push(s.choices.map((c) => `\`${c}\``).join(', '));
  if (s.file) parts.push('a file or folder');
  if (s.complete) parts.push(VALUES[s.complete]);
  if (s.required) parts.push('required');
  return parts.join('; ');
}

function flagTable(flags) {
  const shown = flags.filter((f) => !f.hidden);
  if (shown.length === 0) return [];
  return ['| flag | meaning | default | values |', '|---|---|---|---|', ...shown.map((f) => `| \`${cell(f.flags)}\` | ${cell(f.description)} | ${defaultOf(f)} | ${cell(valuesOf(f))} |`), ''];
}

function verb(words, v) {
  const args = (v.args ?? []).map((a) => a.name);
  const out = [`### ${words.join(' ')}`, '', v.description, '', '```', [...words, ...args, ...(v.flags?.length ? ['[flags]'] : [])].join(' '), '```', ''];
  const described = (v.args ?? []).filter((a) => a.description || a.choices || a.file || a.complete);
  if (described.length) {
    out.push('| argument | meaning | values |', '|---|---|---|', ...described.map((a) => `| \`${cell(a.name)}\` | ${cell(a.description ?? '')} | ${cell(valuesOf(a))} |`), '');
  }
  out.push(...flagTable(v.flags ?? []));
  out.push('```sh', ...v.examples, '```', '');
  return out;
}

export function render() {
  const specs = nouns.map((m) => m.spec);
  const lines = [
    '# Command reference',
    '',
    `Generated from the command specs (\`src/commands/<noun>/command.ts\`) by \`npm run docs:commands\`; a test fails when it is`,
    'not current. `wa-cli <command> --help` prints the same, with the global flags.',
    '',
    `## ${root.name}`,
    '',
    root.description,
    '',
    '```',
    `${root.name} [flags] <command>`,
    '```',
    '',
    ...flagTable([{ flags: root.version, description: 'output the version number' }, ...root.flags]),
    '```sh',
    ...root.examples,
    '```',
    '',
    root.footer.trim(),
    '',
    'Commands: ' + specs.map((n) => `[${n.name}](#${n.name})`).join(', ') + '.',
    '',
  ];
  for (const n of specs) {
    lines.push(`## ${n.name}`, '', n.description, '');
    if ('verbs' in n) for (const [name, v] of Object.entries(n.verbs)) lines.push(...verb([root.name, n.name, name], v));
    else lines.push(...verb([root.name, n.name], n));
  }
  return `${lines.join('\n').trimEnd()}\n`;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const text = render();
  if (process.argv.includes('--check')) {
    let committed = '';
    try {
      committed = readFileSync(FILE, 'utf8');
    } catch {}
    if (committed !== text) {
      console.error('docs/commands.md is not current: run `npm run docs:commands` and commit it.');
      process.exit(1);
    }
  } else writeFileSync(FILE, text);
}
