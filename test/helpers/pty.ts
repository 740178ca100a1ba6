// The real binary on a pseudo-terminal, as a person at a terminal (or a CI runner that allocates one) runs it:
// util-linux `script` makes the terminal; its size is set with stty, or left at 0×0 as `script -qc` from a job leaves it.
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { repoRoot } from './paths.js';

const bin = path.join(repoRoot, 'bin', 'wa-cli.js');
const quote = (w: string): string => `'${w.replace(/'/g, `'\\''`)}'`;

export interface PtyRun {
  /** The wa-cli process itself (the shell execs into it), for signals. */
  pid: Promise<number>;
  /** The pid if it is known yet. */
  knownPid(): number | undefined;
  /** Everything written to the terminal so far. */
  output(): string;
  bytes(): number;
  /** Types on the terminal (e.g. "\x03", Ctrl-C). */
  type(text: string): void;
  /** Resolves once `pattern` has appeared on the terminal; rejects if the process ends first. */
  waitFor(pattern: RegExp): Promise<void>;
  /** The exit code of wa-cli (through script -e), or null if it was killed. */
  exited: Promise<number | null>;
  /** Ends the terminal itself (the window closing): wa-cli sees a hang-up. */
  closeTerminal(): void;
  script: ChildProcess;
}

export function runInPty(args: string[], opts: { env: Record<string, string>; size?: { rows: number; columns: number } }): PtyRun {
  const size = opts.size ? `stty rows ${opts.size.rows} cols ${opts.size.columns}; ` : '';
  const command = `${size}echo "PID:$$"; exec ${quote(process.execPath)} ${quote(bin)} ${args.map(quote).join(' ')}`;
  const script = spawn('script', ['-qfec', command, '/dev/null'], {
    env: { PATH: process.env.PATH ?? '/usr/bin:/bin', ...opts.env },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let out = '';
  let size_ = 0;
  const waiters: { pattern: RegExp; resolve: () => void; reject: (e: Error) => void }[] = [];
  let known: number | undefined;
  let resolvePid!: (pid: number) => void;
  const pid = new Promise<number>((r) => (resolvePid = r));
  const onData = (d: Buffer): void => {
    size_ += d.length;
    // Only the first megabyte is kept for matching: a flood must not exhaust the test's own memory.
    if (out.length < 1 << 20) out += d.toString('utf8');
    const m = /PID:(\d+)/.exec(out);
    if (m && known === undefined) resolvePid((known = Number(m[1])));
    for (const w of [...waiters]) {
      if (w.pattern.test(out)) {
        waiters.splice(waiters.indexOf(w), 1);
        w.resolve();
      }
    }
  };
  script.stdout!.on('data', onData);
  script.stderr!.on('data', onData);
  const exited = new Promise<number | null>((resolve) => {
    script.on('close', (code) => {
      for (const w of waiters.splice(0)) w.reject(new Error(`wa-cli ended (exit ${code}) before ${w.pattern} appeared:\n${out.slice(-2000)}`));
      resolve(code);
    });
  });
  return {
    pid,
    knownPid: () => known,
    output: () => out,
    bytes: () => size_,
    type: (text) => void script.stdin!.write(text),
    waitFor: (pattern) =>
      pattern.test(out) ? Promise.resolve() : new Promise<void>((resolve, reject) => waiters.push({ pattern, resolve, reject })),
    exited,
    closeTerminal: () => void script.kill('SIGKILL'),
    script,
  };
}

/** Whether a process with this id is still there (a zombie counts as gone). */
export function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  try {
    // Linux: a zombie has exited and only waits for its parent to read its status.
    return !/^State:\s+Z/m.test(readFileSync(`/proc/${pid}/status`, 'utf8'));
  } catch {
    return false;
  }
}

/** Resolves true when `p` settles within `ms`, false when the deadline passes first. */
export function beforeDeadline(p: Promise<unknown>, ms: number): Promise<boolean> {
  return new Promise((resolve) => {
    const t = setTimeout(() => resolve(false), ms);
    void p.then(() => {
      clearTimeout(t);
      resolve(true);
    });
  });
}

/** Resolves true once `pid` has gone, false if it is still there at the deadline. */
export async function goneBefore(pid: number, ms: number): Promise<boolean> {
  const until = Date.now() + ms;
  while (Date.now() < until) {
    if (!alive(pid)) return true;
    await new Promise((r) => setTimeout(r, 25));
  }
  return !alive(pid);
}
