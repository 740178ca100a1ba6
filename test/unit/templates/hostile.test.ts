// Generated hostile input: the template core never crashes, positions stay inside the file, broken JSON is one line.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { checkSendValues, parseTemplateText, TemplateFileError, validateTemplate } from '../../../src/core/templates/index.js';

test('any Unicode in name, body, footer and buttons: findings are one line and point inside the file', () => {
  const text = fc.string({ unit: 'binary', maxLength: 2000 });
  fc.assert(
    fc.property(text, text, text, fc.array(fc.record({ type: fc.constantFrom('QUICK_REPLY', 'URL', 'PHONE_NUMBER', 'x'), text, url: text }), { maxLength: 12 }), (name, body, footer, buttons) => {
      const json = JSON.stringify({ name, language: 'id', category: 'MARKETING', components: [{ type: 'BODY', text: body }, { type: 'FOOTER', text: footer }, { type: 'BUTTONS', buttons }] }, null, 1);
      const lines = json.split('\n');
      const [doc] = parseTemplateText(json, 'gen.json');
      for (const f of validateTemplate(doc!)) {
        assert.ok(f.message.length > 0 && !/[\n\r\u2028\u2029]/.test(f.message), f.message);
        assert.ok(f.fileLine! >= 1 && f.fileLine! <= lines.length, `${f.ruleId} line ${f.fileLine}`);
        assert.ok(f.fileColumn! >= 1 && f.fileColumn! <= lines[f.fileLine! - 1]!.length + 1, `${f.ruleId} column ${f.fileColumn}`);
      }
      checkSendValues(doc!, { '1': body });
    }),
    { numRuns: 300 },
  );
});

test('text that is not JSON fails with one TemplateFileError line naming file, line and column', () => {
  fc.assert(
    fc.property(fc.string({ maxLength: 200 }), (s) => {
      try {
        JSON.parse(s);
        return;
      } catch {
        // not JSON: the reader must say where
      }
      assert.throws(() => parseTemplateText(s, 'x.json'), (e: unknown) => e instanceof TemplateFileError && /^x\.json:\d+:\d+: invalid JSON: [^\n]+$/.test(e.message));
    }),
    { numRuns: 500 },
  );
});

test('a 1 MB body with 20,000 placeholders is checked in bounded time', () => {
  const body = Array.from({ length: 20000 }, (_, i) => `kata 🇮🇩 {{${i + 1}}}`).join(' ');
  const t = performance.now();
  const findings = validateTemplate(parseTemplateText(JSON.stringify({ name: 'big', language: 'id', category: 'UTILITY', components: [{ type: 'BODY', text: body }] }), 'big.json')[0]!);
  assert.ok(performance.now() - t < 5000, `${(performance.now() - t).toFixed(0)} ms`);
  assert.deepEqual([...new Set(findings.map((f) => f.ruleId))].sort(), ['body-length', 'dangling-placeholder', 'emoji-count', 'example-values', 'placeholder-density']);
});
