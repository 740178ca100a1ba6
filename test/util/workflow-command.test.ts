import { test } from 'node:test';
import assert from 'node:assert/strict';
import { annotation } from '../../src/util/workflow-command.js';

test('one annotation encoder: properties and message escaped as the runner reads them', () => {
  assert.equal(annotation('error', { file: 'a,b:c.csv', line: 3, title: 'x' }, '50% done\nnext'), '::error file=a%2Cb%3Ac.csv,line=3,title=x::50%25 done%0Anext');
  assert.equal(annotation('warning', {}, 'plain'), '::warning::plain');
});
