// template.yaml deploys exactly the functions tested here. Run: node --test infra/
'use strict';
const test = require('node:test');
const assert = require('node:assert');
const fs = require('node:fs');
const path = require('node:path');

const template = fs.readFileSync(path.join(__dirname, '..', 'template.yaml'), 'utf8');

// The inline FunctionCode block of the named resource, unindented.
function inlineCode(resource) {
  const start = template.indexOf(`\n  ${resource}:\n`);
  assert.ok(start >= 0, `${resource} is in template.yaml`);
  const block = template.slice(start).split('FunctionCode: |\n')[1];
  const lines = [];
  for (const line of block.split('\n')) {
    if (line.length > 0 && !line.startsWith('        ')) break;
    lines.push(line.slice(8));
  }
  return lines.join('\n').replace(/\n+$/, '\n');
}

for (const [resource, file] of [['ViewerRequestFunction', 'viewer-request.js'], ['ViewerResponseFunction', 'viewer-response.js']]) {
  test(`template.yaml deploys exactly ${file}`, () => {
    assert.strictEqual(inlineCode(resource), fs.readFileSync(path.join(__dirname, file), 'utf8'));
  });
}
