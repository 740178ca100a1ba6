// Where the package is installed and its version. The tsc output (dist/src/) and the bundle (dist/cli/) both sit two
// folders below the package root, so one relative URL serves both.
import { readFileSync } from 'node:fs';

export const packageRoot = new URL('../../', import.meta.url);

export function packageVersion(): string {
  return (JSON.parse(readFileSync(new URL('package.json', packageRoot), 'utf8')) as { version: string }).version;
}
