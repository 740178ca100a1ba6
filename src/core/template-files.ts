// Template files as a person keeps them: files, or folders searched for *.json (the fixtures' *.expected.json aside),
// read into one TemplateDoc each. `templates validate`, `plan` and `apply` read them the same way.
import { readdir, readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { InputError } from '../errors.js';
import { parseTemplates, type TemplateDoc } from './template-rules/index.js';

async function jsonFilesUnder(dir: string): Promise<string[]> {
  const out: string[] = [];
  for (const e of (await readdir(dir, { withFileTypes: true })).sort((a, b) => a.name.localeCompare(b.name))) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) out.push(...(await jsonFilesUnder(p)));
    else if (e.name.endsWith('.json') && !e.name.endsWith('.expected.json')) out.push(p);
  }
  return out;
}

/** Every template in a file or folder given on the command line, named in findings relative to `cwd`. */
export async function readTemplatePath(cwd: string, given: string): Promise<TemplateDoc[]> {
  const full = path.resolve(cwd, given);
  let files: string[];
  try {
    files = (await stat(full)).isDirectory() ? await jsonFilesUnder(full) : [full];
  } catch {
    throw new InputError(`${given}: no such file or folder.`);
  }
  const docs: TemplateDoc[] = [];
  for (const f of files) docs.push(...parseTemplates(await readFile(f, 'utf8'), path.relative(cwd, f) || f));
  return docs;
}
