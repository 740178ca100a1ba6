// `wa-cli __complete <words…>`: the candidates for the last word, found by walking the command tree itself, so the
// shell scripts stay a few lines and never drift from the real verbs and flags. The words are those after `wa-cli`;
// the last one is the word being completed ('' after a space). One candidate per line, already filtered by prefix.
import { readdir } from 'node:fs/promises';
import path from 'node:path';
import type { Argument, Command, Option } from 'commander';

/** Flags and arguments whose value is a local file. */
const FILE_FLAGS = new Set(['--file', '--out', '--media']);
const FILE_VALUE = /^[<[](file|sheet|url\|file|paths)(\.\.\.)?[>\]]$/;

const valueName = (o: Option): string => o.flags.split(/[ ,]+/).find((w) => /^[<[]/.test(w)) ?? '';
const takesValue = (o: Option): boolean => o.required || o.optional;
const takesFile = (o: Option): boolean => (o.long !== undefined && FILE_FLAGS.has(o.long)) || FILE_VALUE.test(valueName(o));
const argTakesFile = (a: Argument): boolean => /^(file|sheet|paths)$/.test(a.name());

function findOption(chain: readonly Command[], word: string): Option | undefined {
  // The verb's own flags first, then those of the commands above it (the global ones live on the root).
  for (let i = chain.length - 1; i >= 0; i--) {
    const o = chain[i]!.options.find((x) => x.long === word || x.short === word);
    if (o) return o;
  }
  return undefined;
}

const visible = (c: Command): boolean => !(c as unknown as { _hidden?: boolean })._hidden;

/** What to offer for the last word: words to print, or file names under a prefix. */
export type Want = { kind: 'words'; words: string[] } | { kind: 'files'; prefix: string; lead?: string };

export function completionFor(program: Command, words: readonly string[]): Want {
  const before = words.slice(0, -1);
  const cur = words[words.length - 1] ?? '';
  const chain: Command[] = [program];
  let positionals = 0;
  let pending: Option | undefined;
  for (const w of before) {
    if (pending) {
      // bash splits `--file=x` at the `=`: the value is the word after it.
      if (w !== '=') pending = undefined;
      continue;
    }
    if (w === '--') break;
    if (w.startsWith('-') && w.length > 1) {
      const o = findOption(chain, w.split('=')[0]!);
      if (o && takesValue(o) && !w.includes('=')) pending = o;
      continue;
    }
    const cmd = chain[chain.length - 1]!;
    // A word names a subcommand only before the first positional of the verb in hand.
    const sub = positionals === 0 ? cmd.commands.find((c) => c.name() === w || c.aliases().includes(w)) : undefined;
    if (sub) {
      chain.push(sub);
      positionals = 0;
    } else positionals++;
  }
  const cmd = chain[chain.length - 1]!;
  const starting = (xs: Iterable<string>) => ({ kind: 'words' as const, words: [...new Set(xs)].filter((x) => x.startsWith(cur)) });

  if (pending) {
    if (takesFile(pending)) return { kind: 'files', prefix: cur };
    return starting(pending.argChoices ?? []);
  }
  if (cur.startsWith('-')) {
    const eq = cur.indexOf('=');
    if (eq > 0) {
      const o = findOption(chain, cur.slice(0, eq));
      // fish hands over `--file=co` whole and wants whole words back; bash splits at `=` and never gets here.
      if (o && takesFile(o)) return { kind: 'files', prefix: cur.slice(eq + 1), lead: cur.slice(0, eq + 1) };
      return { kind: 'words', words: (o?.argChoices ?? []).map((c) => `${cur.slice(0, eq + 1)}${c}`).filter((c) => c.startsWith(cur)) };
    }
    // The verb's flags and the global ones (never another verb's); --version belongs to the root alone.
    const flags = [cmd, ...(cmd === program ? [] : [program])].flatMap((c) => c.options.filter((o) => !o.hidden && (c === cmd || o.long !== '--version')));
    return starting([...flags.flatMap((o) => [o.long, o.short].filter((f): f is string => !!f)), '--help']);
  }
  const subs = positionals === 0 ? cmd.commands.filter(visible).map((c) => c.name()) : [];
  if (subs.length) return starting(subs);
  const args = cmd.registeredArguments;
  const arg = args[Math.min(positionals, args.length - 1)];
  if (arg && (positionals < args.length || arg.variadic)) {
    if (arg.argChoices) return starting(arg.argChoices);
    if (argTakesFile(arg)) return { kind: 'files', prefix: cur };
  }
  return { kind: 'words', words: [] };
}

/** File and folder names under `prefix`, relative to `cwd`; folders end in `/` so the next TAB goes inside. */
export async function filesFor(cwd: string, prefix: string): Promise<string[]> {
  const slash = prefix.lastIndexOf('/');
  const dir = slash >= 0 ? prefix.slice(0, slash + 1) : '';
  const base = prefix.slice(slash + 1);
  let entries;
  try {
    entries = await readdir(path.resolve(cwd, dir || '.'), { withFileTypes: true });
  } catch {
    return [];
  }
  return entries
    .filter((e) => e.name.startsWith(base) && (base.startsWith('.') || !e.name.startsWith('.')))
    .map((e) => `${dir}${e.name}${e.isDirectory() ? '/' : ''}`)
    .sort();
}

export async function complete(program: Command, cwd: string, words: readonly string[]): Promise<string[]> {
  const want = completionFor(program, words.length ? words : ['']);
  if (want.kind === 'words') return want.words;
  return (await filesFor(cwd, want.prefix)).map((f) => `${want.lead ?? ''}${f}`);
}
