// Bundles the CLI into dist/cli/ beside the tsc output (which the tests import): one minified entry holding the command
// tree and commander, a lazy chunk per verb, the version inlined, and a small entry holding commander's output for
// --help and --version (scripts/help-cache.mjs) that bin answers those from. Every npm dependency but commander and
// undici stays external and is imported only when a verb needs it. Run after tsc (`npm run build`).
import { build } from 'esbuild';
import { readFileSync, rmSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { builtinModules } from 'node:module';
import { spawnSync } from 'node:child_process';

const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8'));
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

// Node builds an ES module facade for every builtin an ES module imports: milliseconds at start for the handful the
// command tree needs. process.getBuiltinModule (Node ≥ 20.16) hands over the same object with no facade, so the
// bundle reads builtins through it: in our sources each `import … from 'node:x'` becomes a const of the names used,
// and commander's require('node:x') a module that exports the builtin.
const IMPORT = /^import (?!type )(.+) from '(node:[\w/]+)';$/gm;

export function rewriteBuiltinImports(source) {
  return source.replace(IMPORT, (_all, clause, id) => {
    const get = `process.getBuiltinModule(${JSON.stringify(id)})`;
    const out = [];
    const named = /\{([^}]*)\}/.exec(clause);
    const head = clause.replace(/\{[^}]*\}/, '').replace(/,\s*$/, '').trim();
    if (head.startsWith('* as ')) out.push(`const ${head.slice(5).trim()} = ${get};`);
    else if (head) out.push(`const ${head} = ${get};`);
    if (named) {
      const names = named[1]
        .split(',')
        .map((n) => n.trim())
        .filter((n) => n && !n.startsWith('type '))
        .map((n) => n.replace(/\s+as\s+/, ': '));
      if (names.length) out.push(`const { ${names.join(', ')} } = ${get};`);
    }
    return out.join(' ');
  });
}

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
  minify: true,
  legalComments: 'none',
  chunkNames: '[name]-[hash]',
  define: { WA_CLI_VERSION: JSON.stringify(pkg.version) },
  plugins: [
    {
      name: 'wa-cli-externals',
      setup(b) {
        b.onResolve({ filter: /^[^./]/ }, (args) => {
          if (isBuiltin(args.path)) {
            const name = args.path.replace(/^node:/, '');
            if (args.kind !== 'require-call') return { path: args.path, external: true };
            // commander loads child_process (and with it net, dgram…) for executable subcommands; wa-cli has none.
            const stub = name === 'child_process' && args.importer.includes('/node_modules/commander/');
            return { path: name, namespace: stub ? 'empty' : 'builtin' };
          }
          const pkgName = args.path.startsWith('@') ? args.path.split('/').slice(0, 2).join('/') : args.path.split('/')[0];
          if (args.path === 'undici') return { path: args.importer, namespace: 'undici-parts' };
          // The parts named in UNDICI_PARTS, and what they require.
          if (pkgName === 'undici') return undefined;
          return bundled.has(pkgName) ? undefined : { path: args.path, external: true };
        });
        b.onLoad({ filter: /.*/, namespace: 'undici-parts' }, async (args) => ({ contents: await undiciParts(args.path), loader: 'js', resolveDir: new URL('..', import.meta.url).pathname }));
        b.onLoad({ filter: /.*/, namespace: 'empty' }, () => ({ contents: 'module.exports = {};', loader: 'js' }));
        b.onLoad({ filter: /.*/, namespace: 'builtin' }, (args) => ({
          contents: `module.exports = process.getBuiltinModule(${JSON.stringify(`node:${args.path}`)});`,
          loader: 'js',
        }));
        b.onLoad({ filter: /[\\/]src[\\/].*\.ts$/ }, async (args) => {
          let contents = rewriteBuiltinImports(await readFile(args.path, 'utf8'));
          // The copy of the help goes in its own module only (a define would put it in a chunk every verb loads).
          if (args.path.endsWith('help-cache.ts')) {
            const declared = /^declare const WA_CLI_HELP: .*;$/m;
            if (!declared.test(contents)) throw new Error('help-cache.ts: no WA_CLI_HELP declaration to fill in');
            contents = contents.replace(declared, `const WA_CLI_HELP: Record<string, string> | undefined = ${JSON.stringify(help)};`);
          }
          return { contents, loader: 'ts' };
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
