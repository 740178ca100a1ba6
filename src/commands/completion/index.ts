import { Argument, type Command } from 'commander';
import type { Context } from '../../cli/context.js';
import { examples } from '../../cli/command-kit.js';

export function registerCompletion(program: Command, ctx: Context): void {
  program
    .command('completion')
    .description('print a shell completion script')
    .addArgument(new Argument('<shell>', 'bash, zsh or fish').choices(['bash', 'zsh', 'fish']))
    .addHelpText(
      'after',
      examples(
        'wa-cli completion bash > /etc/bash_completion.d/wa-cli',
        'wa-cli completion zsh > "${fpath[1]}/_wa-cli"',
        'wa-cli completion fish > ~/.config/fish/completions/wa-cli.fish',
      ),
    )
    .action(async (shell: 'bash' | 'zsh' | 'fish') => {
      const { completionScript } = await import('./script.js');
      ctx.out.print(completionScript(program, shell));
    });
}
