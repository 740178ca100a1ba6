// Bundles the CLI into dist/cli/ beside the tsc output (which the tests import): one entry holding the command tree
// and commander, a lazy chunk per verb, and a small entry holding commander's output for --help and --version
// (scripts/help-cache.mjs) that bin answers those from. Every npm dependency but commander and undici's parts (below) stays
// external and is imported only when a verb needs it. Run after tsc (`npm run build`).
// What each choice saves at start, measured pair by pair against the build without it (median CPU of 30-40 runs):
// - the help copy: `wa-cli --help` 17 ms (1.21×);
// - commander bundled rather than imported from node_modules: a verb's start 9 ms (1.09×).
// Minifying, builtins read through process.getBuiltinModule in our own sources, leaving out commander's
// child_process and inlining the version each saved 0–3 ms (1.00–1.02×), and were dropped.
import { build } from 'esbuild';
import { rmSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { builtinModules } from 'node:module';
import { spawnSync } from 'node:child_process';

const bundled = new Set(['commander']);

// undici is bundled into the chunks that import it (transport.ts, form.ts: loaded on a client's first request), and
// only the parts they name: its index loads fetch, WebSocket, caches and more. Measured on a network verb (`channels
// list` against a local sandbox, whole process): the index imported from node_modules costs about 170 ms of CPU more
// than these parts bundled (an ES module importing the CommonJS index pays for its export scan as well).
const UNDICI_PARTS = {
  Pool: ['lib/dispatcher/pool.js'],
  EnvHttpProxyAgent: ['lib/dispatcher/env-http-proxy-agent.js'],
  FormData: ['lib/web/fetch/formdata.js', 'FormData'],
  Response: ['lib/web/fetch/response.js', 'Response'],
};

/** The module an `import { … } from 'undici'` in `importer` becomes: each name from its own file inside undici. */
async function undiciParts(importer) {
  const source = await readFile(importer, 'utf8');
  const names = [...source.matchAll(/^import \{([^}]*)\} from 'undici';$/gm)]
    .flatMap((m) => m[1].split(','))
    .map((n) => n.trim())
    .filter((n) => n && !n.startsWith('type '));
  return names
    .map((name, i) => {
      const part = UNDICI_PARTS[name];
      if (!part) throw new Error(`${importer}: undici's ${name} is not in UNDICI_PARTS (scripts/bundle.mjs)`);
      return `import m${i} from 'undici/${part[0]}'; export const ${name} = m${i}${part[1] ? `.${part[1]}` : ''};`;
    })
    .join('\n');
}
const builtins = new Set(builtinModules);
const isBuiltin = (p) => builtins.has(p.replace(/^node:/, ''));

// commander's own output for --help and --version, made in a child whose stdout is a pipe, with no colour forced.
const env = { ...process.env };
for (const k of ['FORCE_COLOR', 'CLICOLOR_FORCE', 'NO_COLOR', 'COLUMNS']) delete env[k];
const made = spawnSync(process.execPath, [new URL('help-cache.mjs', import.meta.url).pathname], { env, encoding: 'utf8', maxBuffer: 16 << 20, stdio: ['ignore', 'pipe', 'inherit'] });
if (made.status !== 0) throw new Error('scripts/help-cache.mjs failed');
const help = JSON.parse(made.stdout);

rmSync(new URL('../dist/cli', import.meta.url), { recursive: true, force: true });
const result = await build({
  absWorkingDir: new URL('..', import.meta.url).pathname,
  entryPoints: { main: 'src/main.ts', help: 'src/cli/help-cache.ts', 'keychain-worker': 'src/config/keychain-worker.ts' },
  outdir: 'dist/cli',
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  plugins: [
    {
      name: 'wa-cli-externals',
      setup(b) {
        b.onResolve({ filter: /^[^./]/ }, (args) => {
          if (isBuiltin(args.path)) {
            if (args.kind !== 'require-call') return { path: args.path, external: true };
            // commander is CommonJS: an ES module bundle has no require(), so its builtins come from Node this way.
            return { path: args.path.replace(/^node:/, ''), namespace: 'builtin' };
          }
          const pkgName = args.path.startsWith('@') ? args.path.split('/').slice(0, 2).join('/') : args.path.split('/')[0];
          if (args.path === 'undici') return { path: args.importer, namespace: 'undici-parts' };
          // The parts named in UNDICI_PARTS, and what they require.
          if (pkgName === 'undici') return undefined;
          return bundled.has(pkgName) ? undefined : { path: args.path, external: true };
        });
        b.onLoad({ filter: /.*/, namespace: 'undici-parts' }, async (args) => ({ contents: await undiciParts(args.path), loader: 'js', resolveDir: new URL('..', import.meta.url).pathname }));
        b.onLoad({ filter: /.*/, namespace: 'builtin' }, (args) => ({
          contents: `module.exports = process.getBuiltinModule(${JSON.stringify(`node:${args.path}`)});`,
          loader: 'js',
        }));
        // The copy of the help goes in its own module only (a define would put it in a chunk every verb loads).
        b.onLoad({ filter: /[\\/]src[\\/]cli[\\/]help-cache\.ts$/ }, async (args) => {
          const contents = await readFile(args.path, 'utf8');
          const declared = /^declare const WA_CLI_HELP: .*;$/m;
          if (!declared.test(contents)) throw new Error('help-cache.ts: no WA_CLI_HELP declaration to fill in');
          return { contents: contents.replace(declared, `const WA_CLI_HELP: Record<string, string> | undefined = ${JSON.stringify(help)};`), loader: 'ts' };
        });
      },
    },
  ],
  metafile: true,
  logLevel: 'warning',
});

if (process.argv.includes('--analyze')) {
  const { analyzeMetafile } = await import('esbuild');
  console.log(await analyzeMetafile(result.metafile));
}
