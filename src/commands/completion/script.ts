// Completion scripts generated from the command tree itself, so they never drift from the real commands and flags.
import type { Command } from 'commander';

interface Node {
  path: string[];
  subcommands: string[];
  flags: string[];
  description: string;
}

function walk(cmd: Command, path: string[], out: Node[]): void {
  const flags = cmd.options.flatMap((o) => [o.long, o.short].filter((f): f is string => !!f));
  out.push({ path, subcommands: cmd.commands.map((c) => c.name()), flags: [...flags, '--help'], description: cmd.description() });
  for (const sub of cmd.commands) walk(sub, [...path, sub.name()], out);
}

/** Flags that take a value: the word after them is that value, not a subcommand. */
function valueFlags(cmd: Command): string[] {
  const out = cmd.options.filter((o) => o.required || o.optional).flatMap((o) => [o.long, o.short].filter((f): f is string => !!f));
  for (const sub of cmd.commands) out.push(...valueFlags(sub));
  return [...new Set(out)];
}

function nodes(program: Command): Node[] {
  const out: Node[] = [];
  walk(program, [], out);
  return out;
}

export function completionScript(program: Command, shell: 'bash' | 'zsh' | 'fish'): string {
  const all = nodes(program);
  const globalFlags = all[0]!.flags;
  if (shell === 'fish') {
    const lines = ['# wa-cli completion for fish', 'complete -c wa-cli -f'];
    for (const n of all) {
      const cond =
        n.path.length === 0
          ? '__fish_use_subcommand'
          : `__fish_seen_subcommand_from ${n.path[n.path.length - 1]}`;
      for (const s of n.subcommands) lines.push(`complete -c wa-cli -n '${cond}' -a ${s}`);
      for (const f of n.flags.filter((f) => f.startsWith('--'))) lines.push(`complete -c wa-cli -n '${cond}' -l ${f.slice(2)}`);
    }
    return lines.join('\n');
  }
  // bash and zsh share one script: zsh runs it through bashcompinit.
  const cases = all
    .map((n) => `    "${n.path.join(' ')}") words="${[...n.subcommands, ...n.flags, ...(n.path.length ? globalFlags : [])].join(' ')}" ;;`)
    .join('\n');
  const takesValue = valueFlags(program).join('|');
  const body = `_wa_cli() {
  local cur path word words skip=""
  cur="\${COMP_WORDS[COMP_CWORD]}"
  path=""
  for word in "\${COMP_WORDS[@]:1:COMP_CWORD-1}"; do
    if [ -n "$skip" ]; then skip=""; continue; fi
    case "$word" in
      ${takesValue}) skip=1 ;;
      -*) ;;
      *) if [ -z "$path" ]; then path="$word"; else path="$path $word"; fi ;;
    esac
  done
  case "$path" in
${cases}
    *) words="" ;;
  esac
  COMPREPLY=( $(compgen -W "$words" -- "$cur") )
}
complete -F _wa_cli wa-cli`;
  if (shell === 'zsh') return `#compdef wa-cli\nautoload -U +X bashcompinit && bashcompinit\n${body}`;
  return `# wa-cli completion for bash\n${body}`;
}
