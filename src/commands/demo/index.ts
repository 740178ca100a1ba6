import type { Command } from 'commander';
import type { Context } from '../../cli/context.js';
import { examples, lazyAction } from '../../cli/command-kit.js';

export function registerDemo(program: Command, ctx: Context): void {
  program
    .command('demo')
    .description('the whole flow against a built-in sandbox, in seconds; nothing leaves this machine')
    .addHelpText('after', examples('wa-cli demo', 'wa-cli demo --no-color 2>&1 | less'))
    .action(lazyAction(ctx, () => import('./run.js')));
}
