// `wa-cli help broadcast send`: commander's help command reads only the next word and would show the group's help.
// Said as `wa-cli broadcast send --help` instead, it is the verb's. Kept apart from help-cache.ts, whose module carries
// the whole copy of the help.

/** Global options that take a value: the word after them is not the command. */
const VALUED = new Set(['-p', '--profile']);

/** `[globals…] help a b …` → `[globals…] a b … --help`; any other argv as is. */
export function helpAsFlag(argv: readonly string[]): readonly string[] {
  let i = 0;
  while (i < argv.length && argv[i]!.startsWith('-') && argv[i] !== '--') i += VALUED.has(argv[i]!) ? 2 : 1;
  if (argv[i] !== 'help' || i + 1 >= argv.length) return argv;
  return [...argv.slice(0, i), ...argv.slice(i + 1), '--help'];
}
