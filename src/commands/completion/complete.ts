// `wa-cli __complete <words…>`: the candidates for the last word, found by walking the command specs themselves, so
// the shell scripts stay a few lines and never drift from the real verbs and flags. The words are those after
// `wa-cli`; the last one is the word being completed ('' after a space). One candidate per line, filtered by prefix.
import { readdir } from 'node:fs/promises';
import path from 'node:path';
import type { Context } from '../../cli/context.js';
import { isGroup, type ArgSpec, type Completer, type FlagSpec, type NounSpec, type RootSpec } from '../../cli/spec.js';
import { DELIVERY_STATUSES } from '../../providers/port.js';

/** The whole command tree as declared. */
export interface Tree {
  readonly root: RootSpec;
  readonly nouns: readonly NounSpec[];
}

/** One level of the words typed: the program, a noun, or a verb, with what it declares. */
interface Level {
  readonly flags: readonly FlagSpec[];
  readonly subs: ReadonlyMap<string, Level>;
  readonly args: readonly ArgSpec[];
}

const level = (flags: readonly FlagSpec[] = [], args: readonly ArgSpec[] = [], subs: ReadonlyMap<string, Level> = new Map()): Level => ({ flags, args, subs });

function levels(tree: Tree): Level {
  const nouns = tree.nouns.map((n): [string, Level] => [
    n.name,
    isGroup(n) ? level([], [], new Map(Object.entries(n.verbs).map(([name, v]) => [name, level(v.flags, v.args)]))) : level(n.flags, n.args),
  ]);
  return level(tree.root.flags, [], new Map(nouns));
}

/** `--profile` and `-p` of '-p, --profile <name>', the long one first. */
function names(flags: string): string[] {
  const words = flags.split(/[ ,|]+/);
  return [...words.filter((w) => /^--[^-]/.test(w)), ...words.filter((w) => /^-[^-]$/.test(w))];
}
const takesValue = (f: FlagSpec): boolean => /[<[]/.test(f.flags);

/** What to offer for the last word: words, file names under a prefix, or the values a completer finds. */
export type Want =
  | { kind: 'words'; words: string[] }
  | { kind: 'files'; prefix: string; lead?: string }
  | { kind: 'values'; completer: Completer; prefix: string; lead?: string; profile?: string };

/** The value of a flag or argument: files, its choices, or its completer's values. */
function valueOf(s: FlagSpec | ArgSpec, prefix: string, lead: string, profile: string | undefined): Want {
  if (s.file) return { kind: 'files', prefix, ...(lead ? { lead } : {}) };
  if (s.complete) return { kind: 'values', completer: s.complete, prefix, ...(lead ? { lead } : {}), ...(profile === undefined ? {} : { profile }) };
  return { kind: 'words', words: (s.choices ?? []).map((c) => `${lead}${c}`).filter((c) => c.startsWith(lead + prefix)) };
}

export function completionFor(tree: Tree, words: readonly string[]): Want {
  const before = words.slice(0, -1);
  const cur = words[words.length - 1] ?? '';
  const top = levels(tree);
  const chain: Level[] = [top];
  // The verb's own flags first, then those of the levels above it (the global ones are the program's).
  const find = (word: string): FlagSpec | undefined => {
    for (let i = chain.length - 1; i >= 0; i--) {
      const f = chain[i]!.flags.find((x) => names(x.flags).includes(word));
      if (f) return f;
    }
    return undefined;
  };
  const versionFlags = names(tree.root.version);
  let positionals = 0;
  let pending: FlagSpec | undefined;
  // The profile the command line names: value completers ask its account.
  let profile: string | undefined;
  const isProfile = (f: FlagSpec | undefined): boolean => f?.complete === 'profiles';
  for (const w of before) {
    if (pending) {
      // bash splits `--file=x` at the `=`: the value is the word after it.
      if (w === '=') continue;
      if (isProfile(pending)) profile = w;
      pending = undefined;
      continue;
    }
    if (w === '--') break;
    if (w.startsWith('-') && w.length > 1) {
      const [name, value] = [w.split('=')[0]!, w.includes('=') ? w.slice(w.indexOf('=') + 1) : undefined];
      const f = find(name);
      if (f && takesValue(f) && value === undefined) pending = f;
      else if (isProfile(f) && value) profile = value;
      continue;
    }
    const here = chain[chain.length - 1]!;
    // A word names a subcommand only before the first positional of the verb in hand.
    const sub = positionals === 0 ? here.subs.get(w) : undefined;
    if (sub) {
      chain.push(sub);
      positionals = 0;
    } else positionals++;
  }
  const here = chain[chain.length - 1]!;
  const starting = (xs: Iterable<string>): Want => ({ kind: 'words', words: [...new Set(xs)].filter((x) => x.startsWith(cur)) });

  if (pending) return valueOf(pending, cur, '', profile);
  if (cur.startsWith('-')) {
    const eq = cur.indexOf('=');
    if (eq > 0) {
      // fish hands over `--file=co` whole and wants whole words back; bash splits at `=` and never gets here.
      const f = find(cur.slice(0, eq));
      return f ? valueOf(f, cur.slice(eq + 1), cur.slice(0, eq + 1), profile) : { kind: 'words', words: [] };
    }
    // The verb's flags and the global ones (never another verb's); --version belongs to the program alone.
    const flags = [...(here === top ? [] : here.flags), ...top.flags].filter((f) => !f.hidden).flatMap((f) => names(f.flags));
    return starting([...(here === top ? versionFlags : []), ...flags, '--help']);
  }
  if (positionals === 0 && here.subs.size > 0) return starting(here.subs.keys());
  const args = here.args;
  const a = args[Math.min(positionals, args.length - 1)];
  if (a && (positionals < args.length || a.name.includes('...'))) return valueOf(a, cur, '', profile);
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

/**
 * How long a completer may ask the account: a TAB that waits longer is worse than one that offers nothing. Each TAB
 * asks afresh (no cache), so a template created a minute ago is offered.
 */
export const COMPLETER_TIMEOUT_MS = 2000;

const COMPLETERS: Record<Completer, (ctx: Context) => Promise<string[]>> = {
  profiles: async (ctx) => Object.keys((await (await ctx.config()).load()).profiles),
  templates: async (ctx) => {
    const seen = new Set<string>();
    for await (const t of (await ctx.provider()).listTemplates({ max: 1000 })) seen.add(t.name);
    return [...seen];
  },
  channels: async (ctx) => (await (await ctx.provider()).listChannels()).map((c) => c.id),
  runs: async (ctx) => {
    const { listRuns } = await import('../../core/runs/listing.js');
    return (await listRuns(ctx.paths.stateDir)).map((r) => r.runId);
  },
  // The newest lists first, as `contacts lists` shows them; an account without lists (Konekwa) offers none.
  lists: async (ctx) => {
    const ids: string[] = [];
    for await (const l of (await ctx.provider()).lists?.list(200) ?? []) ids.push(l.id);
    return ids;
  },
  statuses: async () => [...DELIVERY_STATUSES],
};

/**
 * A completer's values, or none: it runs under a signal that ends every request at the timeout, and any failure
 * (no credentials, no network, a refusal) offers nothing rather than an error in the middle of a command line.
 */
async function valuesOf(ctx: Context, completer: Completer, profile: string | undefined): Promise<string[]> {
  const bound = new AbortController();
  const stop = new Promise<never>((_, reject) => bound.signal.addEventListener('abort', () => reject(bound.signal.reason), { once: true }));
  const timer = setTimeout(() => bound.abort(new Error('timed out')), COMPLETER_TIMEOUT_MS);
  const onStop = (): void => bound.abort(ctx.signal.reason);
  ctx.signal.addEventListener('abort', onStop, { once: true });
  // The same context, with the profile of the command line and requests that end at the timeout.
  const bounded = Object.create(ctx, { signal: { value: bound.signal } }) as Context;
  bounded.setGlobals({ ...ctx.globals, profile });
  try {
    return await Promise.race([COMPLETERS[completer](bounded), stop]);
  } catch {
    return [];
  } finally {
    // An answer before the timeout leaves no timer behind to hold the process.
    clearTimeout(timer);
    ctx.signal.removeEventListener('abort', onStop);
  }
}

export async function complete(tree: Tree, ctx: Context, words: readonly string[]): Promise<string[]> {
  const want = completionFor(tree, words.length ? words : ['']);
  if (want.kind === 'words') return want.words;
  const lead = want.lead ?? '';
  if (want.kind === 'files') return (await filesFor(ctx.cwd, want.prefix)).map((f) => `${lead}${f}`);
  // --channel and logs tail --status take several, comma-separated: the last one is completed.
  const comma = want.completer === 'channels' || want.completer === 'statuses' ? want.prefix.lastIndexOf(',') : -1;
  const done = want.prefix.slice(0, comma + 1);
  const values = [...new Set(await valuesOf(ctx, want.completer, want.profile))].sort();
  return values.filter((v) => v.startsWith(want.prefix.slice(comma + 1))).map((v) => `${lead}${done}${v}`);
}
