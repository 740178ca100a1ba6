// Completion scripts: each one hands the words typed so far to `wa-cli __complete`, which walks the command tree
// itself (complete.ts), so the scripts never drift from the real commands and flags.
import type { Context } from '../../cli/context.js';
import type { Options } from './command.js';

export async function run(ctx: Context, _opts: Options, shell: 'bash' | 'zsh' | 'fish'): Promise<void> {
  ctx.out.print(completionScript(shell));
}

export function completionScript(shell: 'bash' | 'zsh' | 'fish'): string {
  if (shell === 'fish') {
    return `# wa-cli completion for fish
function __wa_cli_complete
    set -l words (commandline -opc)
    set -e words[1]
    wa-cli __complete $words (commandline -ct) 2>/dev/null
end
complete -c wa-cli -f -a '(__wa_cli_complete)'`;
  }
  // bash and zsh share one script: zsh runs it through bashcompinit. Candidates come one a line, already filtered.
  const body = `_wa_cli() {
  local cur IFS=$'\\n'
  cur="\${COMP_WORDS[COMP_CWORD]}"
  COMPREPLY=( $(wa-cli __complete "\${COMP_WORDS[@]:1:COMP_CWORD-1}" "$cur" 2>/dev/null) )
  # A folder: no space after it, so the next TAB goes inside.
  if [ \${#COMPREPLY[@]} -eq 1 ] && [ "\${COMPREPLY[0]%/}" != "\${COMPREPLY[0]}" ]; then compopt -o nospace 2>/dev/null; fi
  return 0
}
complete -F _wa_cli wa-cli`;
  if (shell === 'zsh') return `#compdef wa-cli\nautoload -U +X bashcompinit && bashcompinit\n${body}`;
  return `# wa-cli completion for bash\n${body}`;
}
