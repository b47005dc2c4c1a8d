// Tests of the CloudFront viewer-response function. Run: node --test infra/
'use strict';
const test = require('node:test');
const assert = require('node:assert');
const { load } = require('./function.js');

const handler = load('viewer-response.js');

function respond(status, expires, accept) {
  const headers = {
    'content-type': { value: 'text/plain; charset=utf-8' },
    'content-encoding': { value: 'gzip' },
    'cache-control': { value: 'public, max-age=300, s-maxage=300, stale-if-error=0' },
    'x-content-type-options': { value: 'nosniff' },
  };
  if (expires !== undefined) headers.expires = { value: expires };
  const request = { method: 'GET', uri: '/Ab3dE6gH9k', querystring: {}, headers: {} };
  if (accept) request.headers.accept = { value: accept };
  return handler({ request, response: { statusCode: status, statusDescription: 'OK', headers } });
}

const past = new Date(Date.now() - 5000).toUTCString();
const future = new Date(Date.now() + 600000).toUTCString();

test('a paste past its expiry becomes a 404 without its body', () => {
  const r = respond(200, past);
  assert.strictEqual(r.statusCode, 404);
  assert.deepStrictEqual(JSON.parse(r.body.data), { error: 'not_found', message: 'no such paste: it may have expired or been deleted' });
  assert.strictEqual(r.body.encoding, 'text');
  assert.strictEqual(r.headers['content-type'].value, 'application/json');
  assert.strictEqual(r.headers['cache-control'].value, 'no-store');
  assert.strictEqual(r.headers['content-encoding'], undefined, 'the replacement body is not compressed');
  assert.strictEqual(r.headers['x-content-type-options'].value, 'nosniff', 'security headers stay');
  const page = respond(200, past, 'text/html');
  assert.strictEqual(page.headers['content-type'].value, 'text/html; charset=utf-8');
  assert.match(page.body.data, /<h1>404<\/h1>/);
});

test('a live paste, and everything that is not a paste read, pass unchanged', () => {
  for (const [status, expires] of [[200, future], [200, undefined], [304, past], [404, past], [200, 'not a date']]) {
    const r = respond(status, expires);
    assert.strictEqual(r.statusCode, status);
    assert.strictEqual(r.body, undefined, 'the original body is sent');
    assert.strictEqual(r.headers['content-encoding'].value, 'gzip');
  }
});

test('a paste is readable through the whole second of its expiry', () => {
  const thisSecond = new Date(Math.floor(Date.now() / 1000) * 1000).toUTCString();
  assert.strictEqual(respond(200, thisSecond).statusCode, 200);
});
