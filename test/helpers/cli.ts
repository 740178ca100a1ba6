// Runs wa-cli in-process with fake streams, as every command test does.
import { PassThrough, Readable } from 'node:stream';
import { main } from '../../src/main.js';
import type { ContextInit, Env } from '../../src/cli/context.js';

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

export interface CliOptions {
  env?: Env;
  stdin?: string;
  tty?: boolean;
  signal?: AbortSignal;
  init?: Partial<ContextInit>;
}

export async function runCli(args: string[], opts: CliOptions = {}): Promise<CliResult> {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  let out = '';
  let err = '';
  stdout.on('data', (d: Buffer) => (out += d.toString('utf8')));
  stderr.on('data', (d: Buffer) => (err += d.toString('utf8')));
  const code = await main(args, {
    stdin: Readable.from(opts.stdin === undefined ? [] : [Buffer.from(opts.stdin)]),
    stdout,
    stderr,
    stdinIsTTY: opts.tty ?? false,
    stdoutIsTTY: opts.tty ?? false,
    stderrIsTTY: opts.tty ?? false,
    env: opts.env ?? {},
    cwd: process.cwd(),
    ...(opts.signal ? { signal: opts.signal } : {}),
    ...opts.init,
  });
  return { code, stdout: out, stderr: err };
}
