// A real browser for the report tests: headless Chromium from the system's packages, driven over the DevTools
// protocol on a pipe (no port, no npm dependency, no downloaded browser). It opens a file, waits for the load, records
// every request the page made, and evaluates an expression in it.
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Readable, Writable } from 'node:stream';

const CANDIDATES = ['chromium', 'chromium-browser', 'google-chrome', 'google-chrome-stable'];

/** The browser's path, or undefined when none is installed. */
export function findChromium(): string | undefined {
  for (const c of CANDIDATES) {
    const r = spawnSync('sh', ['-c', `command -v ${c}`], { encoding: 'utf8' });
    if (r.status === 0 && r.stdout.trim()) return r.stdout.trim();
  }
  return undefined;
}

/** Why the browser tests cannot run here (skipped with it outside CI), or undefined when they can. */
export function chromiumMissing(): string | undefined {
  return findChromium() ? undefined : 'no Chromium installed (apt-get install chromium; .ci/run installs it)';
}

export interface Rendered<T> {
  value: T;
  /** Every URL the page requested, the document itself included. */
  requests: string[];
  /** Console messages and exceptions (a Content-Security-Policy refusal shows here). */
  console: string[];
}

export async function renderInChromium<T>(file: string, expression: string, timeoutMs = 30_000): Promise<Rendered<T>> {
  const browser = findChromium();
  if (!browser) throw new Error('no Chromium installed');
  const profile = mkdtempSync(path.join(os.tmpdir(), 'wa-chromium-'));
  const child = spawn(
    browser,
    [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
      '--no-default-browser-check',
      '--disable-extensions',
      // Nothing could leave the machine even if the page asked: every host name fails to resolve.
      '--host-resolver-rules=MAP * ~NOTFOUND',
      `--user-data-dir=${profile}`,
      '--remote-debugging-pipe',
      'about:blank',
    ],
    { stdio: ['ignore', 'ignore', 'pipe', 'pipe', 'pipe'] },
  );
  const toBrowser = child.stdio[3] as Writable;
  const fromBrowser = child.stdio[4] as Readable;
  toBrowser.on('error', () => undefined); // a browser gone is reported by the exit below
  let stderr = '';
  child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
  const pending = new Map<number, { resolve: (v: any) => void; reject: (e: Error) => void }>();
  const exited = new Promise<void>((resolve) => child.on('exit', () => resolve()));
  // A browser that ends (or is killed at the time limit) answers nothing more: whatever waits, fails.
  void exited.then(() => {
    for (const p of pending.values()) p.reject(new Error('chromium exited'));
    pending.clear();
  });

  let nextId = 1;
  const listeners: ((m: any) => void)[] = [];
  let buffer = '';
  fromBrowser.on('data', (d: Buffer) => {
    buffer += d.toString('utf8');
    let end: number;
    while ((end = buffer.indexOf('\0')) >= 0) {
      const msg = JSON.parse(buffer.slice(0, end));
      buffer = buffer.slice(end + 1);
      if (msg.id !== undefined && pending.has(msg.id)) {
        const p = pending.get(msg.id)!;
        pending.delete(msg.id);
        if (msg.error) p.reject(new Error(`${msg.error.message} (${JSON.stringify(msg.error)})`));
        else p.resolve(msg.result);
      } else for (const l of listeners) l(msg);
    }
  });
  const send = (method: string, params: object = {}, sessionId?: string): Promise<any> =>
    new Promise((resolve, reject) => {
      const id = nextId++;
      pending.set(id, { resolve, reject });
      toBrowser.write(`${JSON.stringify({ id, method, params, ...(sessionId ? { sessionId } : {}) })}\0`);
    });
  const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
  try {
    const { targetId } = await send('Target.createTarget', { url: 'about:blank' });
    const { sessionId } = await send('Target.attachToTarget', { targetId, flatten: true });
    const requests: string[] = [];
    const consoleLines: string[] = [];
    let loaded!: () => void;
    const load = new Promise<void>((r) => (loaded = r));
    listeners.push((m) => {
      if (m.sessionId !== sessionId) return;
      if (m.method === 'Network.requestWillBeSent') requests.push(m.params.request.url);
      if (m.method === 'Page.loadEventFired') loaded();
      if (m.method === 'Runtime.consoleAPICalled') consoleLines.push(m.params.args.map((a: { value?: unknown }) => String(a.value)).join(' '));
      if (m.method === 'Runtime.exceptionThrown') consoleLines.push(m.params.exceptionDetails.text);
      if (m.method === 'Log.entryAdded') consoleLines.push(m.params.entry.text);
    });
    await send('Network.enable', {}, sessionId);
    await send('Page.enable', {}, sessionId);
    await send('Runtime.enable', {}, sessionId);
    await send('Log.enable', {}, sessionId);
    await send('Page.navigate', { url: pathToFileURL(file).href }, sessionId);
    await load;
    const r = await send('Runtime.evaluate', { expression, returnByValue: true, awaitPromise: true }, sessionId);
    if (r.exceptionDetails) throw new Error(`evaluation failed: ${JSON.stringify(r.exceptionDetails)}`);
    return { value: r.result.value as T, requests, console: consoleLines };
  } catch (err) {
    throw new Error(`${(err as Error).message}\nchromium stderr:\n${stderr.slice(-2000)}`);
  } finally {
    clearTimeout(timer);
    // The browser closes instead of answering.
    send('Browser.close').catch(() => undefined);
    const killer = setTimeout(() => child.kill('SIGKILL'), 5000);
    await exited;
    clearTimeout(killer);
    rmSync(profile, { recursive: true, force: true });
  }
}
