import type { Command } from 'commander';
import type { Context } from '../../cli/context.js';
import { examples, lazyAction, positiveInt } from '../../cli/command-kit.js';

export function registerSandbox(program: Command, ctx: Context): void {
  program
    .command('sandbox')
    .description('run the local Qontak + Konekwa simulator in the foreground (nothing is sent to WhatsApp)')
    .option('--port <n>', 'port on 127.0.0.1 (default: a free one)', positiveInt('--port'))
    .addHelpText(
      'after',
      examples('wa-cli sandbox --port 8787', 'eval "$(wa-cli sandbox --port 8787 --json | jq -r .exports)"  # in another shell'),
    )
    .action(lazyAction(ctx, () => import('./run.js')));
}
