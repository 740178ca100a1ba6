import { fileURLToPath } from 'node:url';
import path from 'node:path';

// Compiled tests live in dist/test/…; fixtures are read from the source tree, never from outside the repository.
const here = path.dirname(fileURLToPath(import.meta.url));
export const repoRoot = path.resolve(here, '..', '..', '..');
export const fixturesDir = path.join(repoRoot, 'fixtures');
export const fixture = (...parts: string[]): string => path.join(fixturesDir, ...parts);
/** Qontak's recorded responses, copied into the repository (fixtures/api/README.md). */
export const recordedDir = path.join(fixturesDir, 'api', 'qontak-recorded');
export const recordedFile = (name: string): string => path.join(recordedDir, name.endsWith('.json') ? name : `${name}.json`);
