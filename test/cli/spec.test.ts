// Specs as types and as commands: a handler's options are typed from its verb's spec (checked when this file is
// compiled: a key the spec does not declare is an error, and each `@ts-expect-error` below must stay an error), and
// the commander command made from a spec hands the handler exactly those keys.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { PassThrough } from 'node:stream';
import { Option } from 'commander';
import { Context } from '../../src/cli/context.js';
import { flag, arg, mount, mountable, noun, rootCommand, type Loaders, type NounSpec, type OptionsOf, type VerbModule } from '../../src/cli/spec.js';
import { spec as broadcast, type Options as BroadcastOptions } from '../../src/commands/broadcast/command.js';
import { spec as auth, type Options as AuthOptions } from '../../src/commands/auth/command.js';
import { spec as contacts, type Options as ContactsOptions } from '../../src/commands/contacts/command.js';
import { root } from '../../src/commands/index.js';
import { completionFor } from '../../src/commands/completion/complete.js';

type Equal<A, B> = (<T>() => T extends A ? 1 : 2) extends <T>() => T extends B ? 1 : 2 ? true : false;
const typed = <T extends true>(): T => true as T;

// ---- compile time: the keys a handler can read are the spec's flags, camelCased -----------------------------------

const SEND_KEYS = ['template', 'list', 'file', 'to', 'toName', 'channel', 'param', 'media', 'mediaFilename', 'button', 'language', 'name', 'schedule', 'idempotencyKey', 'releaseUnknown', 'dryRun', 'skipInvalid', 'rate', 'concurrency', 'resume', 'moveSession', 'settle', 'dedupeWindow', 'wait', 'country', 'sheet', 'shard', 'ignoreQuietHours', 'out'] as const;
const LOGIN_KEYS = ['provider', 'method', 'clientId', 'baseUrl', 'withSecret', 'insecureStorage', 'verify'] as const;
const UPLOAD_KEYS = ['name', 'country', 'sheet', 'skipInvalid', 'split', 'wait', 'timeout', 'dryRun'] as const;
typed<Equal<keyof BroadcastOptions<'send'>, (typeof SEND_KEYS)[number]>>();
typed<Equal<keyof AuthOptions<'login'>, (typeof LOGIN_KEYS)[number]>>();
typed<Equal<keyof ContactsOptions<'upload'>, (typeof UPLOAD_KEYS)[number]>>();

// Values are typed by the parser, the choices, the default and the form of the flag.
typed<Equal<BroadcastOptions<'send'>['param'], string[]>>(); // a collector with a default: always there
typed<Equal<BroadcastOptions<'send'>['rate'], number | undefined>>(); // a parser's result, optional
typed<Equal<BroadcastOptions<'send'>['dryRun'], boolean | undefined>>();
typed<Equal<AuthOptions<'login'>['provider'], 'qontak' | 'konekwa' | undefined>>(); // the choices
typed<Equal<AuthOptions<'login'>['verify'], boolean>>(); // --no-verify: true unless given
typed<Equal<ContactsOptions<'upload'>['name'], string>>(); // required
typed<Equal<ContactsOptions<'upload'>['timeout'], number>>(); // a duration with a default

export function readsAFlagTheSpecDoesNotDeclare(opts: BroadcastOptions<'send'>): unknown {
  // @ts-expect-error: broadcast send declares --dry-run, not --preview
  return opts.preview;
}

// A flag renamed in a spec: the handler still reading the old name no longer compiles.
const before = noun({ name: 'x', description: '', flags: [flag('--dry-run', '')], examples: [] });
const renamed = noun({ name: 'x', description: '', flags: [flag('--preview', '')], examples: [] });
export const oldHandler = (opts: OptionsOf<typeof before>): boolean | undefined => opts.dryRun;
export const staleHandler = (opts: OptionsOf<typeof renamed>): unknown =>
  // @ts-expect-error: --dry-run was renamed --preview
  opts.dryRun;

// A loader whose module's run does not take the spec's options is refused where the noun is mounted.
export const wrongLoader = mountable(renamed, () =>
  // @ts-expect-error: this run wants a dryRun option that the spec does not declare
  Promise.resolve({ run: async (_ctx: Context, _opts: { dryRun: boolean }) => {} }),
);

// ---- run time: commander stores each flag under the key the type names ---------------------------------------------

test('commander stores every flag under the key its type names (send, login with --no-verify, upload with --no-wait)', () => {
  const keys = (flags: readonly { flags: string }[]) => flags.map((f) => new Option(f.flags).attributeName());
  assert.deepEqual(keys(broadcast.verbs.send.flags), [...SEND_KEYS]);
  assert.deepEqual(keys(auth.verbs.login.flags), [...LOGIN_KEYS]);
  assert.deepEqual(keys(contacts.verbs.upload.flags), [...UPLOAD_KEYS]);
});

const io = () => ({ stdin: new PassThrough(), stdout: new PassThrough(), stderr: new PassThrough(), env: {}, cwd: process.cwd() });

/** Loaders whose run records what it was handed. */
function recorder<N extends NounSpec>(spec: N, calls: { verb: string; opts: unknown; args: string[] }[]): Loaders<N> {
  const load = (verb: string) => async (): Promise<VerbModule<never>> => ({ run: async (_ctx: Context, opts: unknown, ...args: string[]) => void calls.push({ verb, opts, args }) }) as never;
  return ('verbs' in spec ? Object.fromEntries(Object.keys(spec.verbs).map((v) => [v, load(v)])) : load(spec.name)) as Loaders<N>;
}

test('a mounted verb runs its loader with the parsed options (defaults included) and its arguments', async () => {
  const ctx = new Context(io());
  const calls: { verb: string; opts: unknown; args: string[] }[] = [];
  const program = rootCommand(ctx, root, '0.0.0', (g) => ctx.setGlobals(g));
  mount(program, ctx, mountable(contacts, recorder(contacts, calls)), true);
  await program.parseAsync(['-p', 'ops', 'contacts', 'upload', 'list.csv', '--name', 'nov', '--timeout', '2m', '--no-wait'], { from: 'user' });
  assert.deepEqual(calls, [{ verb: 'upload', opts: { name: 'nov', timeout: 120_000, wait: false }, args: ['list.csv'] }]);
  assert.equal(ctx.globals.profile, 'ops', 'the global flags reach the context before the verb runs');
});

test('a spec makes its help: examples after the flags, hidden flags left out; only wanted nouns get their verbs', () => {
  const ctx = new Context(io());
  let out = '';
  ctx.stdout.on('data', (d: Buffer) => (out += d));
  const thing = noun({
    name: 'thing',
    description: 'things',
    verbs: {
      make: { description: 'make one', args: [arg('<file>', 'where', { file: true })], flags: [flag('--size <n>', 'how big', { default: 3 }), flag('--secret-knob', 'not for people', { hidden: true })], examples: ['wa-cli thing make a.txt --size 4'] },
    },
  });
  const program = rootCommand(ctx, root, '0.0.0', () => {});
  mount(program, ctx, mountable(thing, recorder(thing, [])), true);
  const make = program.commands[0]!.commands[0]!;
  make.outputHelp();
  assert.match(out, /^Usage: wa-cli thing make \[options\] <file>\n/);
  assert.match(out, /--size <n>\s+how big \(default: 3\)\n/);
  assert.doesNotMatch(out, /secret-knob/);
  assert.match(out, /\nOptions:\n[^]*\nExamples:\n {2}\$ wa-cli thing make a\.txt --size 4\n/);
  const lazy = rootCommand(ctx, root, '0.0.0', () => {});
  mount(lazy, ctx, mountable(thing, recorder(thing, [])), false);
  assert.deepEqual(lazy.commands.map((c) => [c.name(), c.description(), c.commands.length]), [['thing', 'things', 0]]);
  // Completion skips the hidden flag too, and offers files for the argument the spec marks.
  const want = completionFor({ root, nouns: [thing] }, ['thing', 'make', '--']);
  assert.ok(want.kind === 'words' && want.words.includes('--size') && !want.words.includes('--secret-knob'));
  assert.deepEqual(completionFor({ root, nouns: [thing] }, ['thing', 'make', 'a']), { kind: 'files', prefix: 'a' });
});
