// completion: the shell scripts that ask `wa-cli __complete` for candidates.
import { arg, noun, type OptionsOf } from '../../cli/spec.js';

export const spec = noun({
  name: 'completion',
  description: 'print a shell completion script',
  args: [arg('<shell>', 'bash, zsh or fish', { choices: ['bash', 'zsh', 'fish'] })],
  examples: ['wa-cli completion bash > /etc/bash_completion.d/wa-cli', 'wa-cli completion zsh > "${fpath[1]}/_wa-cli"', 'wa-cli completion fish > ~/.config/fish/completions/wa-cli.fish'],
});

export type Options = OptionsOf<typeof spec>;
