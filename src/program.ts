// The commander tree, mounted from the specs in src/commands/ (each noun's command.ts). A verb's code is imported only
// when that verb runs, and only the nouns named on the command line get their verbs declared, so a start stays quick.
import type { Command } from 'commander';
import type { Context } from './cli/context.js';
import { mount, rootCommand } from './cli/spec.js';
import { nouns, root } from './commands/index.js';
import { packageVersion } from './package-info.js';

/** The whole tree, or with `argv` only the verbs of the nouns it names. */
export function buildProgram(ctx: Context, argv?: readonly string[]): Command {
  const wanted = (noun: string): boolean => !argv || argv.includes(noun);
  const program = rootCommand(ctx, root, packageVersion(), (globals) => ctx.setGlobals(globals));
  for (const m of nouns) mount(program, ctx, m, wanted(m.spec.name));
  return program;
}
