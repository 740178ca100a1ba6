// Commands as data. Each noun's command.ts declares its verbs (description, arguments, flags with their parsers,
// defaults and choices, what completes their values, help examples) with the helpers here; a verb's handler takes the
// options typed from that declaration (`OptionsOf`), so a flag and the field its handler reads cannot drift apart.
// This module also turns the declarations into commander commands, a verb's code being imported only when it runs.
import { Argument, Command, InvalidArgumentError, Option } from 'commander';
import type { Context } from './context.js';
import { formatDuration } from '../util/duration.js';

/** What `wa-cli __complete` offers for a flag's or argument's value besides files and choices. */
export type Completer = 'profiles' | 'templates' | 'channels' | 'runs' | 'lists' | 'statuses';

export interface FlagSpec {
  /** As commander reads them: '-p, --profile <name>', '--dry-run', '--no-wait'. The key is the long name, camelCased. */
  readonly flags: string;
  readonly description: string;
  /** Checks the text given and turns it into the value; `previous` is the value so far (repeatable flags). */
  readonly parse?: (value: string, previous: never) => unknown;
  readonly default?: unknown;
  /** How the default reads in --help when it should not read as JSON (a duration as typed: "10m"). */
  readonly defaultText?: string;
  /** The values it takes: checked by commander (and listed in --help), or by `parse` when there is one. */
  readonly choices?: readonly string[];
  /** Must be given. */
  readonly required?: boolean;
  /** Its value is a local file or folder. */
  readonly file?: boolean;
  readonly complete?: Completer;
  /** Left out of --help, completion and the reference. */
  readonly hidden?: boolean;
}

export interface ArgSpec {
  /** '<file>', '[id]', '<phone...>', '[paths...]'. */
  readonly name: string;
  readonly description?: string;
  readonly choices?: readonly string[];
  readonly file?: boolean;
  readonly complete?: Completer;
}

export interface VerbSpec {
  readonly description: string;
  readonly args?: readonly ArgSpec[];
  readonly flags?: readonly FlagSpec[];
  /** Command lines shown under "Examples:" in --help; every one is run by the help-examples test. */
  readonly examples: readonly string[];
}

/** A noun with verbs (`wa-cli templates list`). */
export interface GroupSpec {
  readonly name: string;
  readonly description: string;
  readonly verbs: { readonly [verb: string]: VerbSpec };
}

/** A noun that is itself the command (`wa-cli doctor`). */
export interface LeafSpec extends VerbSpec {
  readonly name: string;
}

export type NounSpec = GroupSpec | LeafSpec;

/** The program itself: its global flags and the text around its help. */
export interface RootSpec extends VerbSpec {
  readonly name: string;
  /** The flags of --version. */
  readonly version: string;
  readonly flags: readonly FlagSpec[];
  /** Printed after the examples. */
  readonly footer: string;
}

export const isGroup = (n: NounSpec): n is GroupSpec => 'verbs' in n;

export function flag<const F extends string, const X extends Omit<FlagSpec, 'flags' | 'description'> = {}>(flags: F, description: string, extras?: X): { readonly flags: F; readonly description: string } & X {
  return { flags, description, ...extras } as { readonly flags: F; readonly description: string } & X;
}

export function arg<const N extends string, const X extends Omit<ArgSpec, 'name' | 'description'> = {}>(name: N, description?: string, extras?: X): { readonly name: N; readonly description?: string } & X {
  return { name, ...(description === undefined ? {} : { description }), ...extras } as { readonly name: N; readonly description?: string } & X;
}

export const noun = <const N extends NounSpec>(n: N): N => n;

// ---- the options and arguments a handler receives, typed from its spec ------------------------------------------

type LongName<F extends string> = F extends `${string}--${infer R}` ? (R extends `${infer N} ${string}` ? N : R) : never;
type Camel<S extends string> = S extends `${infer H}-${infer T}` ? `${H}${Capitalize<Camel<T>>}` : S;
/** The key commander stores a flag under: `--dry-run` → dryRun, `--no-wait` → wait. */
export type KeyOf<F extends string> = LongName<F> extends `no-${infer P}` ? Camel<P> : Camel<LongName<F>>;

type ValueOf<X extends FlagSpec> = X extends { readonly parse: (...a: never[]) => infer R }
  ? R
  : X extends { readonly choices: readonly (infer C)[] }
    ? C
    : X['flags'] extends `${string}<${string}`
      ? string
      : X['flags'] extends `${string}[${string}`
        ? string | true
        : boolean;

/** Always present: a default, a required flag, or a `--no-` flag (true unless given). */
type Present<X extends FlagSpec> = X extends { readonly default: unknown } | { readonly required: true } ? true : LongName<X['flags']> extends `no-${string}` ? true : false;

type FlagOf<V> = V extends { readonly flags: readonly (infer X extends FlagSpec)[] } ? X : never;
type Flat<T> = { [K in keyof T]: T[K] };

/** The options object a verb's handler receives: one key per flag, typed by its parser, choices or form. */
export type OptionsOf<V extends VerbSpec> = Flat<
  { -readonly [X in FlagOf<V> as Present<X> extends true ? KeyOf<X['flags']> : never]: ValueOf<X> } & {
    -readonly [X in FlagOf<V> as Present<X> extends true ? never : KeyOf<X['flags']>]?: ValueOf<X>;
  }
>;

type ArgValue<A extends ArgSpec> = A extends { readonly choices: readonly (infer C)[] } ? C : A['name'] extends `<${string}` ? string : string | undefined;
type ArgList<T> = T extends readonly [infer A extends ArgSpec, ...infer Rest] ? (A['name'] extends `${string}...${string}` ? string[] : [ArgValue<A>, ...ArgList<Rest>]) : [];
/** The positional arguments after the options: one per argument, a variadic one spread. */
export type ArgsOf<V extends VerbSpec> = V extends { readonly args: infer T } ? ArgList<T> : [];

/** A verb's module: its `run` must take the options and arguments its spec declares. */
export interface VerbModule<V extends VerbSpec> {
  readonly run: (ctx: Context, opts: OptionsOf<V>, ...args: ArgsOf<V>) => Promise<void>;
}
export type Loader<V extends VerbSpec> = () => Promise<VerbModule<V>>;
/** Every verb of a noun with its loader (a leaf noun has one). */
export type Loaders<N extends NounSpec> = N extends GroupSpec ? { readonly [K in keyof N['verbs']]: Loader<N['verbs'][K]> } : N extends LeafSpec ? Loader<N> : never;

/** A noun ready to mount: its spec and the lazy loaders of its verbs. */
export interface Mount {
  readonly spec: NounSpec;
  readonly load: Loader<VerbSpec> | { readonly [verb: string]: Loader<VerbSpec> };
}

/** Pairs a noun's spec with its loaders; a loader whose `run` does not take the spec's options does not compile. */
export function mountable<const N extends NounSpec>(spec: N, load: Loaders<N>): Mount {
  return { spec, load: load as Mount['load'] };
}

// ---- value parsers ------------------------------------------------------------------------------------------------

export function positiveInt(flag: string) {
  return (v: string): number => {
    if (!/^\d+$/.test(v) || Number(v) < 1) throw new InvalidArgumentError(`${flag} takes a whole number of 1 or more.`);
    return Number(v);
  };
}

/** A rate: 2/s, 0.5 (per second), above 0. */
export function perSecond(flag: string) {
  return (v: string): number => {
    const m = /^(\d+(?:\.\d+)?)(?:\/s)?$/.exec(v.trim());
    if (!m || Number(m[1]) <= 0) throw new InvalidArgumentError(`${flag} takes messages per second, e.g. 2/s or 0.5`);
    return Number(m[1]);
  };
}

/** One of `values`, in any case (stored upper-case); anything else is a usage error naming the accepted values. */
export function oneOfUpper(flag: string, values: readonly string[]) {
  return (v: string): string => {
    const u = v.trim().toUpperCase();
    if (!values.includes(u)) throw new InvalidArgumentError(`${flag} takes one of ${values.join(', ')} (got "${v}").`);
    return u;
  };
}

/** Durations like 500ms, 5s, 2m, 1h (a bare number is seconds); `minMs` refuses shorter ones, naming the floor. */
export function parseDuration(flag: string, minMs = 0) {
  return (v: string): number => {
    const m = /^(\d+(?:\.\d+)?)(ms|s|m|h)?$/.exec(v.trim());
    if (!m) throw new InvalidArgumentError(`${flag} takes a duration such as 30s, 5m or 1h.`);
    const n = Number(m[1]);
    const unit = m[2] ?? 's';
    const ms = n * { ms: 1, s: 1000, m: 60_000, h: 3_600_000 }[unit]!;
    if (ms < minMs) throw new InvalidArgumentError(`${flag} is at least ${formatDuration(minMs)}: the API is not asked more often than that.`);
    return ms;
  };
}

// Written back as it is typed; the core names durations in its lines too, so the writer lives below both.
export { formatDuration };

/** A duration flag whose default shows in --help as it is typed ("10m"), never as milliseconds. */
export function duration<const F extends string>(flags: F, description: string, defaultMs: number, minMs = 0) {
  const floor = minMs > 0 ? `; at least ${formatDuration(minMs)}` : '';
  return flag(flags, `${description} (30s, 5m, 1h; a bare number is seconds${floor})`, { parse: parseDuration(flags.split(/[ ,]/)[0]!, minMs), default: defaultMs, defaultText: formatDuration(defaultMs) });
}

/** The shortest interval between two polls of the same thing: a loop that asks faster only floods the API. */
export const MIN_POLL_INTERVAL_MS = 1000;

/** A repeatable flag's values, in the order given. */
export function collect(value: string, previous: string[] = []): string[] {
  return [...previous, value];
}

// ---- specs → commander ---------------------------------------------------------------------------------------------

export function examples(lines: readonly string[]): string {
  return `\nExamples:\n${lines.map((l) => `  $ ${l}`).join('\n')}\n`;
}

function option(f: FlagSpec): Option {
  const o = new Option(f.flags, f.description);
  if (f.parse) o.argParser(f.parse as (value: string, previous: unknown) => unknown);
  else if (f.choices) o.choices(f.choices);
  if (f.default !== undefined) o.default(f.default, f.defaultText);
  if (f.required) o.makeOptionMandatory();
  if (f.hidden) o.hideHelp();
  return o;
}

/** Output and errors of every command go through the context, and a usage error points at --help. */
function wired(cmd: Command, ctx: Context): Command {
  return cmd
    .exitOverride()
    .configureOutput({ writeOut: (s) => ctx.stdout.write(s), writeErr: (s) => ctx.stderr.write(s) })
    .showHelpAfterError('(run with --help for usage)');
}

/** Wires a command to `run(ctx, opts, ...args)` of a lazily imported module. */
function lazyAction(ctx: Context, load: Loader<VerbSpec>) {
  return async (...params: unknown[]): Promise<void> => {
    const command = params[params.length - 1] as Command;
    const args = params.slice(0, -2).flat().filter((a): a is string => typeof a === 'string');
    const mod = (await load()) as unknown as { run: (ctx: Context, opts: unknown, ...args: string[]) => Promise<void> };
    await mod.run(ctx, command.opts(), ...args);
  };
}

function declare(cmd: Command, ctx: Context, v: VerbSpec, load: Loader<VerbSpec>): void {
  cmd.description(v.description);
  for (const a of v.args ?? []) {
    const argument = new Argument(a.name, a.description);
    if (a.choices) argument.choices(a.choices);
    cmd.addArgument(argument);
  }
  for (const f of v.flags ?? []) cmd.addOption(option(f));
  wired(cmd, ctx).addHelpText('after', examples(v.examples)).action(lazyAction(ctx, load));
}

/** The program with its global flags; `onParsed` gets them before any action runs. */
export function rootCommand<R extends RootSpec>(ctx: Context, root: R, version: string, onParsed: (globals: OptionsOf<R>) => void): Command {
  const program = new Command(root.name).description(root.description).version(version, root.version);
  for (const f of root.flags) program.addOption(option(f));
  wired(program, ctx).addHelpText('after', examples(root.examples) + root.footer);
  return program.hook('preAction', () => onParsed(program.opts<OptionsOf<R>>()));
}

/** Adds a noun; its verbs only when `full` (declaring only the nouns on the command line keeps a start quick). */
export function mount(program: Command, ctx: Context, m: Mount, full: boolean): void {
  const { spec } = m;
  if (!isGroup(spec)) return declare(program.command(spec.name), ctx, spec, m.load as Loader<VerbSpec>);
  const group = wired(program.command(spec.name).description(spec.description), ctx);
  if (!full) return;
  const loaders = m.load as { readonly [verb: string]: Loader<VerbSpec> };
  for (const [name, v] of Object.entries(spec.verbs)) declare(group.command(name), ctx, v, loaders[name]!);
}
