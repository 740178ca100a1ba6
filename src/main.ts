// main(argv, init) → exit code. The only place where errors become exit codes, and (with bin/) the only place that
// touches the real process.
import { CommanderError } from 'commander';
import { Context, type ContextInit } from './cli/context.js';
import { ExitCode, InterruptedError, SilentExit, WaError, exitCodeFor, type ExitCodeValue } from './errors.js';
import { buildProgram } from './program.js';
import { InputError } from './core/input-error.js';
import { describeFsError } from './cli/fs-error.js';
import { resolvePaths } from './config/paths.js';
import { helpAsFlag } from './cli/help-argv.js';

export async function main(given: readonly string[], init: ContextInit): Promise<ExitCodeValue> {
  const argv = helpAsFlag(given);
  // Layered over init rather than spread, so its lazy members (process.stdin) stay lazy.
  const ctx = new Context(Object.create(init, { runCli: { value: init.runCli ?? main } }) as ContextInit);
  // Flags are read early so that errors raised before an action runs still honour --verbose and --no-color.
  ctx.setGlobals({ verbose: argv.includes('--verbose'), color: !argv.includes('--no-color'), quiet: argv.includes('-q') || argv.includes('--quiet') });
  // The hidden verb behind the completion scripts: it needs the whole tree and must not be parsed as a command line.
  if (argv[0] === '__complete') {
    const { complete } = await import('./commands/completion/complete.js');
    for (const c of await complete(buildProgram(ctx), ctx.cwd, argv.slice(1))) ctx.stdout.write(`${c}\n`);
    return ExitCode.ok;
  }
  const program = buildProgram(ctx, argv);
  try {
    await program.parseAsync([...argv], { from: 'user' });
    return ExitCode.ok;
  } catch (err) {
    return report(ctx, err);
  }
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
    ctx.out.notice(err.message && err.message !== 'interrupted' && err.message !== 'terminated' ? err.message : 'Interrupted.');
    return ExitCode.interrupted;
  }
  if (ctx.signal.aborted && !(err instanceof WaError)) {
    ctx.out.notice('Interrupted.');
    return ExitCode.interrupted;
  }
  if (err instanceof WaError) {
    ctx.out.error(err.hint ? `${err.message} ${err.hint}` : err.message);
    if (ctx.globals.verbose && err.stack) ctx.stderr.write(`${err.stack}\n`);
    return err.exitCode;
  }
  if (err instanceof InputError) {
    ctx.out.error(err.message);
    return ExitCode.usage;
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

/** The real process as a context: used by bin/wa-cli.js only. */
export function processContextInit(): ContextInit {
  const controller = new AbortController();
  let interrupts = 0;
  process.on('SIGINT', () => {
    // First Ctrl-C asks the command to stop cleanly; a second one ends at once.
    if (++interrupts > 1) {
      // Whatever was in flight is journaled as "sending": the next run asks the server about it before sending.
      process.stderr.write('Stopping now. Recipients whose requests were in flight are checked with the server when the same command runs again.\n');
      process.exit(ExitCode.interrupted);
    }
    controller.abort(new InterruptedError('interrupted'));
  });
  process.on('SIGTERM', () => controller.abort(new InterruptedError('terminated')));
  // A reader that went away (`| head`) is not an error worth a stack trace.
  for (const stream of [process.stdout, process.stderr]) {
    stream.on('error', (err: NodeJS.ErrnoException) => {
      if (err.code === 'EPIPE') process.exit(process.exitCode ?? 0);
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
    env: process.env,
    cwd: process.cwd(),
    signal: controller.signal,
  };
}
