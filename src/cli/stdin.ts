import type { Context } from './context.js';
import { UsageError } from '../errors.js';

/** Reads all of stdin (for --with-secret and `-` file arguments). Refuses a terminal: that would wait forever. */
export async function readAllStdin(ctx: Context, flag: string): Promise<string> {
  if (ctx.stdinIsTTY) throw new UsageError(`${flag} reads from standard input; pipe the value in (e.g. ${flag} < file).`);
  const chunks: Buffer[] = [];
  for await (const chunk of ctx.stdin) chunks.push(typeof chunk === 'string' ? Buffer.from(chunk) : (chunk as Buffer));
  return Buffer.concat(chunks).toString('utf8');
}
