// The browser's implementation of the encryption format (assets/seal.js), run in node's
// WebCrypto against the published known-answer vectors that the Rust client also checks.
import test from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import vm from 'node:vm';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const vectors = JSON.parse(readFileSync(`${ROOT}tests/vectors/sealed-v1.json`, 'utf8'));

function loadSeal() {
  const context = {
    crypto: globalThis.crypto,
    TextEncoder,
    TextDecoder,
    btoa,
    atob,
    document: { querySelector: () => null, querySelectorAll: () => [] },
    location: { hash: '' },
  };
  context.self = context;
  vm.createContext(context);
  vm.runInContext(readFileSync(`${ROOT}functions/http/assets/seal.js`, 'utf8'), context);
  return context.PastebinSeal;
}

const fromB64 = (s) => new Uint8Array(Buffer.from(s, 'base64url'));

test('the known-answer vectors seal to the published content and open back', async () => {
  const Seal = loadSeal();
  assert.ok(vectors.length >= 3);
  for (const v of vectors) {
    const sealed = await Seal.seal(v.text, { title: v.title, syntax: v.syntax }, fromB64(v.key), fromB64(v.nonce));
    assert.equal(sealed.content, v.content);
    assert.equal(sealed.key, v.key);
    const opened = await Seal.open(v.content, v.key);
    assert.deepEqual({ ...opened }, { text: v.text, title: v.title ?? null, syntax: v.syntax ?? null });
  }
});

test('fresh seals differ, and wrong keys and tampered ciphertext are refused', async () => {
  const Seal = loadSeal();
  const a = await Seal.seal('secret', {});
  const b = await Seal.seal('secret', {});
  assert.notEqual(a.content, b.content);
  assert.equal(a.key.length, 43);
  await assert.rejects(Seal.open(a.content, b.key), /does not open/);
  const bytes = fromB64(a.content);
  for (let i = 1; i < bytes.length; i++) {
    const tampered = bytes.slice();
    tampered[i] ^= 1;
    await assert.rejects(Seal.open(Buffer.from(tampered).toString('base64url'), a.key), /does not open|format/, `byte ${i}`);
  }
  await assert.rejects(Seal.open(a.content, a.key.slice(0, 20)), /incomplete/);
  await assert.rejects(Seal.open('plain text!', a.key), /damaged/);
});
