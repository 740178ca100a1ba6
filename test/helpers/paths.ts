import { fileURLToPath } from 'node:url';
import path from 'node:path';

// Compiled tests live in dist/test/…; fixtures and shared/ are read from the source tree.
const here = path.dirname(fileURLToPath(import.meta.url));
export const repoRoot = path.resolve(here, '..', '..', '..');
export const fixturesDir = path.join(repoRoot, 'fixtures');
export const sharedDir = path.resolve(repoRoot, '..', 'shared');
export const fixture = (...parts: string[]): string => path.join(fixturesDir, ...parts);
