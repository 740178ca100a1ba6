// Everything a command touches of the outside world comes through here, so every command runs in-process in tests
// with fake streams, a chosen environment and a sandbox.
import type { Readable, Writable } from 'node:stream';
import { setMaxListeners } from 'node:events';
import { Output } from './output.js';
import { Prompter } from './prompter.js';
import { Terminal, type TerminalSize } from './terminal.js';
import { timeFormat, type TimeFormat } from './time.js';
import type { GlobalOptions, Io } from './io.js';
import type { Env } from '../env.js';
import { InterruptedError } from '../errors.js';
import { resolvePaths, type Paths } from '../config/paths.js';
import type { ConfigStore } from '../config/profiles.js';
import type { CredentialStore } from '../config/credentials.js';
import type { Keychain } from '../config/keychain.js';
import type { Provider } from '../providers/port.js';
import type { WaitNotice } from '../providers/http.js';

export type { Env } from '../env.js';
export type { GlobalOptions } from './io.js';

export interface ContextInit {
  stdin: Readable;
  stdout: Writable;
  stderr: Writable;
  stdinIsTTY?: boolean;
  stdoutIsTTY?: boolean;
  stderrIsTTY?: boolean;
  /** stdout's width when it is a terminal (tables are fitted to it; COLUMNS overrides it). */
  columns?: number;
  /** stderr's size as it is now, when it is a terminal; 0×0 (or absent) when nobody sized it. */
  terminalSize?: () => TerminalSize;
  env: Env;
  cwd: string;
  /** Wall clock in ms; injectable so tests can move time. */
  now?: () => number;
  /** Aborted on Ctrl-C. */
  signal?: AbortSignal;
  /** Overrides the keychain (tests of the no-keychain path). */
  keychain?: Keychain;
  /** Runs a whole wa-cli command line in its own context (main gives it; the demo uses it). */
  runCli?: (argv: readonly string[], init: ContextInit) => Promise<number>;
  /** A fixed provider, for tests that need one without credentials. */
  provider?: Provider;
}

export class Context implements Io {
  readonly stdout: Writable;
  readonly stderr: Writable;
  readonly stdoutIsTTY: boolean;
  readonly stderrIsTTY: boolean;
  readonly columns: number;
  readonly env: Env;
  readonly cwd: string;
  readonly now: () => number;
  readonly signal: AbortSignal;
  /** stderr as a terminal: its usable size and the one status line (progress) other output is written around. */
  readonly terminal: Terminal;
  globals: GlobalOptions = { profile: undefined, json: false, color: false, quiet: false, verbose: false, yes: false };

  private readonly init: ContextInit;
  private timeCache: TimeFormat | undefined;
  private cached: { paths?: Paths; config?: Promise<ConfigStore>; credentials?: Promise<CredentialStore>; provider?: Promise<Provider> } = {};
  readonly out: Output;
  readonly prompter: Prompter;

  constructor(init: ContextInit) {
    this.init = init;
    this.stdout = init.stdout;
    this.stderr = init.stderr;
    this.stdoutIsTTY = init.stdoutIsTTY ?? false;
    this.stderrIsTTY = init.stderrIsTTY ?? false;
    this.columns = tableWidth(init.env.COLUMNS, init.columns);
    this.env = init.env;
    this.cwd = init.cwd;
    this.now = init.now ?? Date.now;
    this.signal = init.signal ?? new AbortController().signal;
    // Every pending sleep listens for Ctrl-C; a fan-out has many at once.
    setMaxListeners(0, this.signal);
    const size = init.terminalSize;
    this.terminal = new Terminal(init.stderr, this.stderrIsTTY, size ? () => size() : () => ({ columns: 0, rows: 0 }));
    this.out = new Output(this);
    this.prompter = new Prompter(this);
  }

  // Read on first use: making process.stdin costs milliseconds that `--help` need not pay.
  get stdin(): Readable {
    return this.init.stdin;
  }

  get stdinIsTTY(): boolean {
    return this.init.stdinIsTTY ?? false;
  }

  /** Applies the global flags once commander has parsed them. */
  setGlobals(g: Partial<GlobalOptions> & { color?: boolean }): void {
    const noColorEnv = this.env.NO_COLOR !== undefined && this.env.NO_COLOR !== '';
    this.globals = {
      profile: g.profile ?? this.env.WA_PROFILE ?? undefined,
      json: g.json ?? false,
      // Colour only on a terminal, and never when NO_COLOR or --no-color says so.
      color: (g.color ?? true) && !noColorEnv && this.stdoutIsTTY,
      quiet: g.quiet ?? false,
      verbose: g.verbose ?? false,
      yes: g.yes ?? false,
    };
    this.cached = {};
  }

  /** The one way times are shown: local zone with its offset in text and TSV, ISO 8601 with the offset in JSON. */
  get time(): TimeFormat {
    return (this.timeCache ??= timeFormat(this.env));
  }

  get profileName(): string {
    return this.globals.profile ?? this.env.WA_PROFILE ?? 'default';
  }

  get paths(): Paths {
    return (this.cached.paths ??= resolvePaths(this.env));
  }

  // Config and credentials are imported on first use: `wa-cli --help` should load commander and little else.
  config(): Promise<ConfigStore> {
    return (this.cached.config ??= import('../config/profiles.js').then((m) => new m.ConfigStore(this.paths.configFile)));
  }

  credentials(): Promise<CredentialStore> {
    return (this.cached.credentials ??= Promise.all([import('../config/credentials.js'), this.keychain()]).then(
      ([m, keychain]) => new m.CredentialStore({ env: this.env, keychain, insecureFile: this.paths.insecureCredentialsFile }),
    ));
  }

  private async keychain(): Promise<Keychain> {
    if (this.init.keychain) return this.init.keychain;
    const { Keychain } = await import('../config/keychain.js');
    return new Keychain({ env: this.env });
  }

  /** The provider of the selected profile; the adapter module is loaded only when a command asks. */
  provider(): Promise<Provider> {
    if (this.init.provider) return Promise.resolve(this.init.provider);
    return (this.cached.provider ??= import('../providers/factory.js').then((m) => m.createProvider(this)));
  }

  /** A server's "please wait", sat out in the open: how long, and when wa-cli gives up. */
  readonly onWait = (w: WaitNotice): void =>
    this.out.info(`${w.reason}: waiting ${Math.ceil(w.ms / 1000)} s before trying again (gives up in ${Math.ceil(w.remainingMs / 1000)} s).`);

  /** A whole command line run as its own command (the demo's steps). */
  runCli(argv: readonly string[], init: ContextInit): Promise<number> {
    if (!this.init.runCli) throw new Error('no command runner in this context');
    return this.init.runCli(argv, init);
  }

  /**
   * The error that ends a command stopped by Ctrl-C, SIGTERM or a hang-up (its exit code follows the signal), with the
   * one line that says what was and was not done.
   */
  stopped(message: string): InterruptedError {
    const r: unknown = this.signal.reason;
    return new InterruptedError(message, { signal: r instanceof InterruptedError ? r.signal : 'SIGINT' });
  }

  sleep(ms: number, signal: AbortSignal = this.signal): Promise<void> {
    return new Promise((resolve, reject) => {
      if (signal.aborted) return reject(signal.reason);
      const t = setTimeout(() => {
        signal.removeEventListener('abort', onAbort);
        resolve();
      }, ms);
      const onAbort = (): void => {
        clearTimeout(t);
        reject(signal.reason);
      };
      signal.addEventListener('abort', onAbort, { once: true });
    });
  }
}

/** Width to fit tables to: COLUMNS when set (as most tools honour it), else the terminal's, else 80. */
function tableWidth(env: string | undefined, tty: number | undefined): number {
  const fromEnv = Number(env);
  if (env && Number.isInteger(fromEnv) && fromEnv > 0) return fromEnv;
  // A terminal that reports 0 columns (a pseudo-terminal nobody sized) has no width to fit.
  return tty !== undefined && tty > 0 ? tty : 80;
}
