// Tests of the CloudFront viewer-request function, and that template.yaml deploys this very code.
// Run: node --test infra/
'use strict';
const test = require('node:test');
const assert = require('node:assert');
const fs = require('node:fs');
const path = require('node:path');

const source = fs.readFileSync(path.join(__dirname, 'viewer-request.js'), 'utf8');
// CloudFront Functions are a bare `handler`; evaluate the file to get it.
const handler = new Function(source + '\nreturn handler;')();

function run(method, accept, extra) {
  const headers = Object.assign({ host: { value: 'paste.example.com' } }, extra || {});
  if (accept !== undefined) headers.accept = { value: accept };
  return handler({ viewer: { ip: '203.0.113.9' }, request: { method, uri: '/Ab3dE6gH9k', headers } });
}

test('browsers, API clients and curl get three cache variants', () => {
  assert.strictEqual(run('GET', 'text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8').headers.accept.value, 'text/html');
  assert.strictEqual(run('GET', 'application/json').headers.accept.value, 'application/json');
  assert.strictEqual(run('GET', '*/*').headers.accept.value, '*/*');
  assert.strictEqual(run('GET', undefined).headers.accept.value, '*/*');
  assert.strictEqual(run('HEAD', 'TEXT/HTML').headers.accept.value, 'text/html');
  assert.strictEqual(run('GET', 'text/html;q=0, */*').headers.accept.value, '*/*');
  assert.strictEqual(run('GET', 'application/json;q=0').headers.accept.value, '*/*');
  assert.strictEqual(run('GET', 'application/json, text/html;q=0.5').headers.accept.value, 'application/json');
});

test('non-read requests keep their Accept header', () => {
  assert.strictEqual(run('POST', 'application/json, text/html;q=0.1').headers.accept.value, 'application/json, text/html;q=0.1');
  assert.strictEqual(run('DELETE', 'text/html').headers.accept.value, 'text/html');
});

test('the viewer address and host are set by CloudFront, never taken from the client', () => {
  const r = run('GET', '*/*', { 'x-viewer-ip': { value: '10.0.0.1' }, 'x-viewer-host': { value: 'evil.example' } });
  assert.strictEqual(r.headers['x-viewer-ip'].value, '203.0.113.9');
  assert.strictEqual(r.headers['x-viewer-host'].value, 'paste.example.com');
});

test('template.yaml deploys exactly this file', () => {
  const template = fs.readFileSync(path.join(__dirname, '..', 'template.yaml'), 'utf8');
  const inline = template.split('FunctionCode: |\n')[1].split('\n\n  ShareLinkCachePolicy')[0].split('\n').map((l) => l.slice(8)).join('\n');
  assert.strictEqual(inline + '\n', source);
});
