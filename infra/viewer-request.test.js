// Tests of the CloudFront viewer-request function. Run: node --test infra/
'use strict';
const test = require('node:test');
const assert = require('node:assert');
const { load } = require('./function.js');

const handler = load('viewer-request.js');

function run(method, accept, extra, uri, querystring) {
  const headers = Object.assign({ host: { value: 'paste.example.com' } }, extra || {});
  if (accept !== undefined) headers.accept = { value: accept };
  return handler({
    viewer: { ip: '203.0.113.9' },
    request: { method, uri: uri || '/Ab3dE6gH9k', querystring: querystring || {}, headers },
  });
}

test('browsers, API clients and curl get three cache variants of a share link', () => {
  assert.strictEqual(run('GET', 'text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8').headers.accept.value, 'text/html');
  assert.strictEqual(run('GET', 'application/json').headers.accept.value, 'application/json');
  assert.strictEqual(run('GET', '*/*').headers.accept.value, '*/*');
  assert.strictEqual(run('GET', undefined).headers.accept.value, '*/*');
  assert.strictEqual(run('HEAD', 'TEXT/HTML').headers.accept.value, 'text/html');
  assert.strictEqual(run('GET', 'text/html;q=0, */*').headers.accept.value, '*/*');
  assert.strictEqual(run('GET', 'application/json;q=0').headers.accept.value, '*/*');
  assert.strictEqual(run('GET', 'application/json, text/html;q=0.5').headers.accept.value, 'application/json');
});

test('Accept is left alone where the origin does not negotiate', () => {
  assert.strictEqual(run('GET', 'text/html, */*', {}, '/raw/Ab3dE6gH9k').headers.accept.value, 'text/html, */*');
  assert.strictEqual(run('GET', 'text/css', {}, '/assets/style.0123456789ab.css').headers.accept.value, 'text/css');
});

test('non-read requests keep their Accept header and their query', () => {
  const post = run('POST', 'application/json, text/html;q=0.1', {}, '/', { expires: { value: '1h' } });
  assert.strictEqual(post.headers.accept.value, 'application/json, text/html;q=0.1');
  assert.deepStrictEqual(post.querystring, { expires: { value: '1h' } });
  assert.strictEqual(run('DELETE', 'text/html').headers.accept.value, 'text/html');
});

test('reads lose every query parameter but download on /raw/, which becomes download=1', () => {
  assert.deepStrictEqual(run('GET', '*/*', {}, '/Ab3dE6gH9k', { utm: { value: 'x' }, download: { value: '1' } }).querystring, {});
  assert.deepStrictEqual(
    run('GET', '*/*', {}, '/raw/Ab3dE6gH9k', { download: { value: 'random-123' }, b: { value: '2' } }).querystring,
    { download: { value: '1' } }
  );
  assert.deepStrictEqual(run('GET', '*/*', {}, '/raw/Ab3dE6gH9k', { x: { value: '1' } }).querystring, {});
});

test('a percent-encoded id is decoded, so it shares the canonical cache key', () => {
  assert.strictEqual(run('GET', '*/*', {}, '/%41b3dE6gH9k').uri, '/Ab3dE6gH9k');
  assert.strictEqual(run('GET', '*/*', {}, '/raw/Ab3d%45%36gH9k').uri, '/raw/Ab3dE6gH9k');
  assert.strictEqual(run('GET', '*/*', {}, '/%E0%A4%A').uri, '/%E0%A4%A', 'invalid encoding is left alone');
  assert.strictEqual(run('GET', '*/*', {}, '/a%20b').uri, '/a%20b', 'nothing that is not an id path is decoded');
});

test('a Bearer delete token travels as X-Delete-Token, never needing Authorization forwarded', () => {
  const r = run('DELETE', '*/*', { authorization: { value: 'Bearer tok3n' } });
  assert.strictEqual(r.headers['x-delete-token'].value, 'tok3n');
  const both = run('DELETE', '*/*', { authorization: { value: 'Bearer a' }, 'x-delete-token': { value: 'b' } });
  assert.strictEqual(both.headers['x-delete-token'].value, 'b', 'an explicit header wins');
  assert.strictEqual(run('DELETE', '*/*', { authorization: { value: 'Basic Zm9v' } }).headers['x-delete-token'], undefined);
  assert.strictEqual(run('GET', '*/*', { authorization: { value: 'Bearer a' } }).headers['x-delete-token'], undefined);
});

test('the viewer address and host are set by CloudFront, never taken from the client', () => {
  const r = run('GET', '*/*', { 'x-viewer-ip': { value: '10.0.0.1' }, 'x-viewer-host': { value: 'evil.example' } });
  assert.strictEqual(r.headers['x-viewer-ip'].value, '203.0.113.9');
  assert.strictEqual(r.headers['x-viewer-host'].value, 'paste.example.com');
});
