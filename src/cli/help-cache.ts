// `--help`, `--version` and each command's `--help`, as commander printed them at build time (scripts/bundle.mjs):
// the bundled CLI answers these from here without loading commander or building the command tree. Only for output
// to a pipe or a file without forced colours, which is what the copy was made with; a terminal gets commander itself.
import type { Env } from '../env.js';
import { helpAsFlag } from './help-argv.js';

// The bundler inlines the copy; under tsc there is none and every call goes to commander.
declare const WA_CLI_HELP: Record<string, string> | undefined;

/** The key of an argv in the copy. */
export const helpKey = (argv: readonly string[]): string => argv.join('\0');

export function cachedHelp(argv: readonly string[], env: Env, stdoutIsTTY: boolean): string | undefined {
  if (typeof WA_CLI_HELP === 'undefined' || stdoutIsTTY) return undefined;
  // commander colours its help when told to, even into a pipe.
  if (env.FORCE_COLOR || env.CLICOLOR_FORCE !== undefined) return undefined;
  const key = helpKey(helpAsFlag(argv));
  return Object.hasOwn(WA_CLI_HELP, key) ? WA_CLI_HELP[key] : undefined;
}
