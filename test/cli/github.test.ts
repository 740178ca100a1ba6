import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mdReasons, mdText } from '../../src/cli/github.js';

test('Markdown from a server is inert: HTML, table pipes and line breaks are escaped', () => {
  assert.equal(mdText('<img src=x onerror=alert(1)> | a\nb'), '&lt;img src=x onerror=alert(1)&gt; \\| a b');
  const table = mdReasons([{ reason: 'bad | pipe', count: 2 }, ...Array.from({ length: 12 }, (_, i) => ({ reason: `r${i}`, count: 1 }))]);
  assert.match(table, /^\| bad \\\| pipe \| 2 \|$/m);
  assert.match(table, /^\| 3 other reason\(s\) \| 3 \|$/m);
});
