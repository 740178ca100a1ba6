// `wa-cli help broadcast send`: commander's help command reads only the next word and would show the group's help.
// Said as `wa-cli broadcast send --help` instead, it is the verb's. Kept apart from help-cache.ts, whose module carries
// the whole copy of the help.

/** Global options that take a value: the word after them is not the command. */
const VALUED = new Set(['-p', '--profile']);

/** Where `help` stands in `[globals…] help a b …`, or -1. */
function helpAt(argv: readonly string[]): number {
  let i = 0;
  while (i < argv.length && argv[i]!.startsWith('-') && argv[i] !== '--') i += VALUED.has(argv[i]!) ? 2 : 1;
  return argv[i] === 'help' && i + 1 < argv.length ? i : -1;
}

/** `[globals…] help a b …` → `[globals…] a b … --help`; any other argv as is. */
export function helpAsFlag(argv: readonly string[]): readonly string[] {
  const i = helpAt(argv);
  if (i < 0) return argv;
  return [...argv.slice(0, i), ...argv.slice(i + 1), '--help'];
}

/** The command words after `help` (`help broadcast send` → broadcast, send), or undefined for any other argv. */
export function helpTopic(argv: readonly string[]): string[] | undefined {
  const i = helpAt(argv);
  if (i < 0) return undefined;
  const words: string[] = [];
  for (const w of argv.slice(i + 1)) {
    if (w.startsWith('-')) break;
    words.push(w);
  }
  return words;
}
