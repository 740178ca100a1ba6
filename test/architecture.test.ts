// The house rules, checked from the source's own imports: no import cycle of any kind, and arrows that point down
// (commands → core → providers → errors/env), so nothing below the commands reaches up into the CLI layer; and tests
// that mirror the modules they test.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { repoRoot } from './helpers/paths.js';

const src = path.join(repoRoot, 'src');

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = path.join(dir, e.name);
    return e.isDirectory() ? sources(p) : /\.ts$/.test(e.name) && !e.name.endsWith('.d.ts') ? [p] : [];
  });
}

/** file → the project files it imports: static, type-only, re-exports and dynamic import() alike. */
function importGraph(): Map<string, string[]> {
  const graph = new Map<string, string[]>();
  for (const file of sources(src)) {
    const text = readFileSync(file, 'utf8');
    const targets: string[] = [];
    for (const m of text.matchAll(/(?:^\s*(?:import|export)\s[^'"]*?from\s+|\bimport\(\s*)['"](\.[^'"]+)['"]/gm)) {
      const t = path.join(path.dirname(file), m[1]!).replace(/\.js$/, '.ts');
      if (existsSync(t)) targets.push(t);
    }
    graph.set(file, targets);
  }
  return graph;
}

function cycles(graph: Map<string, string[]>): string[][] {
  let index = 0;
  const idx = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const on = new Set<string>();
  const found: string[][] = [];
  const visit = (v: string): void => {
    idx.set(v, index);
    low.set(v, index++);
    stack.push(v);
    on.add(v);
    for (const w of graph.get(v) ?? []) {
      if (!idx.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v)!, low.get(w)!));
      } else if (on.has(w)) low.set(v, Math.min(low.get(v)!, idx.get(w)!));
    }
    if (low.get(v) === idx.get(v)) {
      const scc: string[] = [];
      let w: string;
      do {
        w = stack.pop()!;
        on.delete(w);
        scc.push(path.relative(repoRoot, w));
      } while (w !== v);
      if (scc.length > 1 || (graph.get(v) ?? []).includes(v)) found.push(scc);
    }
  };
  for (const v of graph.keys()) if (!idx.has(v)) visit(v);
  return found;
}

const layer = (file: string): string => path.relative(src, file).split(path.sep)[0]!.replace(/\.ts$/, '');

test('no import cycle anywhere in src/ (type-only and dynamic imports count)', () => {
  const graph = importGraph();
  assert.ok(graph.size > 50, 'the source tree was read');
  assert.deepEqual(cycles(graph), []);
});

test('arrows point down: core, providers, config and util never import the CLI layer, the commands or main', () => {
  const up = new Set(['cli', 'commands', 'main', 'program']);
  const below = new Set(['core', 'providers', 'config', 'util', 'errors', 'env']);
  const wrong: string[] = [];
  for (const [file, targets] of importGraph()) {
    if (!below.has(layer(file))) continue;
    for (const t of targets) if (up.has(layer(t))) wrong.push(`${path.relative(repoRoot, file)} → ${path.relative(repoRoot, t)}`);
  }
  assert.deepEqual(wrong, []);
});

test('presenters are the commands\' alone: only commands import src/cli/present, and a presenter imports nothing above it', () => {
  const present = path.join(src, 'cli', 'present') + path.sep;
  // What a presenter may use of its own layer: the time format and the table column type.
  const beside = new Set([path.join(src, 'cli', 'time.ts'), path.join(src, 'cli', 'output.ts')]);
  const wrong: string[] = [];
  let presenters = 0;
  for (const [file, targets] of importGraph()) {
    const isPresenter = file.startsWith(present);
    if (isPresenter) presenters++;
    for (const t of targets) {
      if (t.startsWith(present) && !isPresenter && layer(file) !== 'commands') wrong.push(`${path.relative(repoRoot, file)} → ${path.relative(repoRoot, t)}`);
      if (isPresenter && !t.startsWith(present) && (['commands', 'main', 'program', 'sandbox'].includes(layer(t)) || (layer(t) === 'cli' && !beside.has(t)))) {
        wrong.push(`${path.relative(repoRoot, file)} → ${path.relative(repoRoot, t)}`);
      }
    }
  }
  assert.ok(presenters >= 10, 'the presenters were read');
  assert.deepEqual(wrong, []);
});

/** The noun folder a file of src/commands belongs to; undefined for the files beside the folders (the registry). */
const nounOf = (file: string): string | undefined => {
  const parts = path.relative(path.join(src, 'commands'), file).split(path.sep);
  return layer(file) === 'commands' && parts.length > 1 ? parts[0] : undefined;
};

test('a command imports no other noun\'s command', () => {
  const wrong: string[] = [];
  for (const [file, targets] of importGraph()) {
    const noun = nounOf(file);
    if (noun === undefined) continue;
    for (const t of targets) {
      const other = nounOf(t);
      if (other !== undefined && other !== noun) wrong.push(`${path.relative(repoRoot, file)} → ${path.relative(repoRoot, t)}`);
    }
  }
  assert.deepEqual(wrong, []);
});

test('every noun folder has its command.ts, which is data: it imports only the spec helpers and shared flags', () => {
  const commands = path.join(src, 'commands');
  const graph = importGraph();
  const allowed = new Set([path.join(src, 'cli', 'spec.ts'), path.join(commands, 'flags.ts')]);
  const nouns = readdirSync(commands, { withFileTypes: true }).filter((e) => e.isDirectory()).map((e) => e.name);
  assert.ok(nouns.length >= 11, 'the noun folders were read');
  const wrong: string[] = [];
  for (const noun of nouns) {
    const spec = path.join(commands, noun, 'command.ts');
    if (!graph.has(spec)) wrong.push(`${noun}: no command.ts`);
    for (const t of graph.get(spec) ?? []) if (!allowed.has(t)) wrong.push(`${path.relative(repoRoot, spec)} → ${path.relative(repoRoot, t)}`);
  }
  assert.deepEqual(wrong, []);
});

// The folders (and loose files) of src/core from the top floor down: use cases over the records and rules they read.
// A part imports only parts on a lower floor; a new folder takes its floor here.
const CORE_FLOORS = [
  ['broadcast', 'report', 'template-plan', 'template-files'],
  ['delivery', 'optout', 'doctor', 'template-rules'],
  ['contacts', 'runs', 'placeholders', 'template-review'],
];

test('between the folders of src/core: every import runs down a floor, so none runs back up and none closes a circle', () => {
  const core = path.join(src, 'core');
  const part = (file: string): string => path.relative(core, file).split(path.sep)[0]!.replace(/\.ts$/, '');
  const floor = new Map(CORE_FLOORS.flatMap((parts, i) => parts.map((p) => [p, CORE_FLOORS.length - i] as const)));
  const unplaced = readdirSync(core).map((n) => n.replace(/\.ts$/, '')).filter((p) => !floor.has(p));
  assert.deepEqual(unplaced, [], 'every folder and file of src/core has its floor in CORE_FLOORS');
  const wrong: string[] = [];
  for (const [file, targets] of importGraph()) {
    if (!file.startsWith(core + path.sep)) continue;
    for (const t of targets) {
      if (!t.startsWith(core + path.sep) || part(t) === part(file)) continue;
      if (!(floor.get(part(file))! > floor.get(part(t))!)) wrong.push(`${path.relative(repoRoot, file)} → ${path.relative(repoRoot, t)}`);
    }
  }
  assert.deepEqual(wrong, []);
});

// Tests mirror src/: the tests of src/<path>/<module>.ts are test/<path>/<module>.test.ts, or <module>.<aspect>.test.ts
// when a module has several files of tests; a build script's tests mirror scripts/ the same way. Only these folders
// test no one module: flows across commands, the spawned binary, the real keychain, generated input, recorded answers.
const TEST_GROUPS = new Set(['helpers', 'scenarios', 'e2e', 'keychain', 'property', 'contract']);

test('every test file outside its groups mirrors a module of src/, so a test cannot drift from its module', () => {
  const testDir = path.join(repoRoot, 'test');
  const files = (dir: string): string[] =>
    readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? files(path.join(dir, e.name)) : e.name.endsWith('.ts') ? [path.join(dir, e.name)] : []));
  const wrong: string[] = [];
  let mirrored = 0;
  for (const file of files(testDir)) {
    const rel = path.relative(testDir, file);
    const [top] = rel.split(path.sep);
    if (rel === 'architecture.test.ts' || TEST_GROUPS.has(top!)) continue;
    if (!rel.endsWith('.test.ts')) {
      wrong.push(`test/${rel}: not a test, so it belongs in test/helpers/`);
      continue;
    }
    const module = path.join(path.dirname(rel), path.basename(rel).split('.')[0]!);
    const mirror = top === 'scripts' ? path.join(repoRoot, `${module}.mjs`) : path.join(src, `${module}.ts`);
    if (existsSync(mirror)) mirrored++;
    else wrong.push(`test/${rel}: no ${path.relative(repoRoot, mirror)} to mirror`);
  }
  assert.ok(mirrored > 50, 'the test tree was read');
  assert.deepEqual(wrong, []);
});
