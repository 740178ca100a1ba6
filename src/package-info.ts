// Where the package is installed and its version. The tsc output (dist/src/) and the bundle (dist/cli/) both sit two
// folders below the package root, so one relative URL serves both.
import { readFileSync } from 'node:fs';

// The bundler inlines the version, so the bundled CLI reads no file before a verb runs.
declare const WA_CLI_VERSION: string | undefined;

export const packageRoot = new URL('../../', import.meta.url);

export function packageVersion(): string {
  if (typeof WA_CLI_VERSION === 'string') return WA_CLI_VERSION;
  return (JSON.parse(readFileSync(new URL('package.json', packageRoot), 'utf8')) as { version: string }).version;
}
