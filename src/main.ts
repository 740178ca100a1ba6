// main(argv, init) → exit code. The only place where errors become exit codes, and (with bin/) the only place that
// touches the real process.
import { CommanderError, type Command } from 'commander';
import { Context, type ContextInit } from './cli/context.js';
import { ExitCode, InterruptedError, SilentExit, WaError, exitCodeFor, stopExitCode, type ExitCodeValue, type StopSignal } from './errors.js';
import { buildProgram } from './program.js';
import { nouns, root } from './commands/index.js';
import { describeFsError } from './cli/fs-error.js';
import { resolvePaths } from './config/paths.js';
import { helpAsFlag, helpTopic } from './cli/help-argv.js';

export async function main(given: readonly string[], init: ContextInit): Promise<ExitCodeValue> {
  const argv = helpAsFlag(given);
  // Layered over init rather than spread, so its lazy members (process.stdin) stay lazy.
  const ctx = new Context(Object.create(init, { runCli: { value: init.runCli ?? main } }) as ContextInit);
  // Flags are read early so that errors raised before an action runs still honour --verbose and --no-color.
  ctx.setGlobals({ verbose: argv.includes('--verbose'), color: !argv.includes('--no-color'), quiet: argv.includes('-q') || argv.includes('--quiet') });
  // The hidden verb behind the completion scripts: it walks the specs and must not be parsed as a command line.
  if (argv[0] === '__complete') {
    const { complete } = await import('./commands/completion/complete.js');
    for (const c of await complete({ root, nouns: nouns.map((m) => m.spec) }, ctx, argv.slice(1))) ctx.stdout.write(`${c}\n`);
    return ExitCode.ok;
  }
  const program = buildProgram(ctx, argv);
  // `wa-cli help nonexist` is a usage error, as `wa-cli nonexist` is; commander would show the general help and exit 0.
  const unknown = unknownHelpTopic(program, helpTopic(given));
  if (unknown) {
    ctx.out.error(unknown);
    return ExitCode.usage;
  }
  let code: ExitCodeValue;
  try {
    await program.parseAsync([...argv], { from: 'user' });
    code = ExitCode.ok;
  } catch (err) {
    code = report(ctx, err);
  }
  // Stopped by a signal: 130 for Ctrl-C, 143 for SIGTERM, 129 when the terminal went away, whoever noticed it.
  return code === ExitCode.interrupted && ctx.signal.aborted ? stopExitCode(ctx.signal.reason) : code;
}

/** Why `help <words>` names no command (with the commands there are), or undefined when it names one. */
function unknownHelpTopic(program: Command, words: string[] | undefined): string | undefined {
  let cmd = program;
  for (const [i, w] of (words ?? []).entries()) {
    const next = cmd.commands.find((c) => c.name() === w || c.aliases().includes(w));
    if (!next) {
      const where = i === 0 ? 'wa-cli' : `wa-cli ${words!.slice(0, i).join(' ')}`;
      const known = cmd.commands.map((c) => c.name());
      return `no command "${words!.slice(0, i + 1).join(' ')}"${known.length ? `; ${where} has ${known.join(', ')}` : ''}.`;
    }
    cmd = next;
  }
  return undefined;
}

function report(ctx: Context, err: unknown): ExitCodeValue {
  if (err instanceof CommanderError) {
    // commander has already printed its message; help and --version are not failures.
    if (err.code === 'commander.helpDisplayed' || err.code === 'commander.version' || err.code === 'commander.help') return ExitCode.ok;
    return err.exitCode === 0 ? ExitCode.ok : ExitCode.usage;
  }
  if (err instanceof SilentExit) return err.exitCode;
  // An interruption is the person's choice, not a failure: one plain line, exit 130.
  if (err instanceof InterruptedError) {
    ctx.out.notice(err.message && !BARE_STOPS.has(err.message) ? ctx.time.inText(err.message) : stoppedLine(ctx.signal.reason ?? err));
    return ExitCode.interrupted;
  }
  if (ctx.signal.aborted && !(err instanceof WaError)) {
    ctx.out.notice(stoppedLine(ctx.signal.reason));
    return ExitCode.interrupted;
  }
  if (err instanceof WaError) {
    // Times inside a message (a ledger's "at …Z", a lock's "since …") are shown as every other time is.
    ctx.out.error(ctx.time.inText(err.hint ? `${err.message} ${err.hint}` : err.message));
    if (ctx.globals.verbose && err.stack) ctx.stderr.write(`${err.stack}\n`);
    // A request cut short by the signal says what became of it (sent or not, unknown); the exit code is the signal's.
    return ctx.signal.aborted && err.exitCode === ExitCode.transient ? ExitCode.interrupted : err.exitCode;
  }
  // A full disk, a read-only mount, a file where a folder belongs: the machine's state, said as such.
  const fsLine = describeFsError(err, resolvePaths(ctx.env), ctx.env);
  if (fsLine) {
    ctx.out.error(fsLine);
    if (ctx.globals.verbose && err instanceof Error && err.stack) ctx.stderr.write(`${err.stack}\n`);
    return ExitCode.failed;
  }
  const message = err instanceof Error ? err.message : String(err);
  ctx.out.error(`unexpected failure: ${message}`);
  if (ctx.globals.verbose && err instanceof Error && err.stack) ctx.stderr.write(`${err.stack}\n`);
  else ctx.stderr.write('Run again with --verbose for details.\n');
  return exitCodeFor(err);
}

/** The messages of a signal's own InterruptedError: a command that knows more says what was and was not done. */
const BARE_STOPS = new Set(['interrupted', 'terminated', 'hangup']);

function stoppedLine(reason: unknown): string {
  const signal = reason instanceof InterruptedError ? reason.signal : 'SIGINT';
  return signal === 'SIGTERM' ? 'Terminated (SIGTERM).' : signal === 'SIGHUP' ? 'The terminal went away (SIGHUP); stopped.' : 'Interrupted.';
}

/**
 * How long a stopped command may take to wind down before the process ends anyway: a fan-out lets the requests in
 * flight finish (up to 5 s) and journals them; nothing else needs more than a moment.
 */
const STOP_GRACE_MS = 7000;

/** The real process as a context: used by bin/wa-cli.js only. */
export function processContextInit(): ContextInit {
  const controller = new AbortController();
  let interrupts = 0;
  const stop = (signal: StopSignal): void => {
    // A second signal ends at once.
    if (++interrupts > 1) {
      // Whatever was in flight is journaled as "sending": the next run asks the server about it before sending.
      if (signal !== 'SIGHUP') process.stderr.write('Stopping now. Recipients whose requests were in flight are checked with the server when the same command runs again.\n');
      process.exit(stopExitCode(controller.signal.reason));
    }
    controller.abort(new InterruptedError(signal === 'SIGINT' ? 'interrupted' : signal === 'SIGTERM' ? 'terminated' : 'hangup', { signal }));
    // Nothing may keep the process alive past its grace: no process outlives the terminal or the job that ran it.
    setTimeout(() => process.exit(stopExitCode(controller.signal.reason)), STOP_GRACE_MS).unref();
  };
  // First Ctrl-C asks the command to stop cleanly; SIGTERM (a CI cancel) and SIGHUP (the terminal closed) likewise.
  process.on('SIGINT', () => stop('SIGINT'));
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGHUP', () => stop('SIGHUP'));
  // A reader that went away (`| head`), or a terminal that hung up (EIO), is not an error worth a stack trace.
  for (const stream of [process.stdout, process.stderr]) {
    stream.on('error', (err: NodeJS.ErrnoException) => {
      if (err.code === 'EPIPE') process.exit(process.exitCode ?? 0);
      if (err.code === 'EIO') process.exit(ExitCode.hangup);
      throw err;
    });
  }
  return {
    // Made on first use: --help never reads standard input.
    get stdin() {
      return process.stdin;
    },
    stdout: process.stdout,
    stderr: process.stderr,
    get stdinIsTTY() {
      return process.stdin.isTTY === true;
    },
    stdoutIsTTY: process.stdout.isTTY === true,
    stderrIsTTY: process.stderr.isTTY === true,
    columns: process.stdout.columns,
    // Read each time: a terminal can be resized (or be a pseudo-terminal that reports 0×0 throughout).
    terminalSize: () => ({ columns: process.stderr.columns ?? 0, rows: process.stderr.rows ?? 0 }),
    env: process.env,
    cwd: process.cwd(),
    signal: controller.signal,
  };
}
