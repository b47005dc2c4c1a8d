// The web page in real headless Chromium (Debian's /usr/bin/chromium), driven by playwright-core,
// against the local server binary. Screenshots and the page weight go to .test-artifacts/.
//
//   cd tests/browser && npm ci && npm test      (scripts/test does this; needs target/debug/pastebin)
import test from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const BIN = process.env.PASTEBIN_BIN ?? join(ROOT, 'target/debug/pastebin');
const ARTIFACTS = join(ROOT, '.test-artifacts');

let server;
let base;
let browser;
let dataDir;

test.before(async () => {
  dataDir = mkdtempSync(join(tmpdir(), 'pastebin-browser-'));
  server = spawn(BIN, [], {
    env: { ...process.env, PASTEBIN_ADDR: '127.0.0.1:0', PASTEBIN_DATA_DIR: dataDir, PASTEBIN_CREATE_RATE: '0', PASTEBIN_READ_RATE: '0', PASTEBIN_LOG: 'warn' },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  base = await new Promise((resolve, reject) => {
    server.once('error', reject);
    server.stdout.once('data', (d) => resolve(String(d).trim().replace('listening on ', '')));
  });
  browser = await chromium.launch({
    executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
  });
  mkdirSync(ARTIFACTS, { recursive: true });
});

test.after(async () => {
  await browser?.close();
  server?.kill();
  if (dataDir) rmSync(dataDir, { recursive: true, force: true });
});

/// A page that records every request to another host and every dialog (an XSS payload's
/// `alert` would show up there).
async function newPage(options = {}) {
  const context = await browser.newContext(options);
  const page = await context.newPage();
  page.foreign = [];
  page.dialogs = [];
  // Chromium reports what the Content-Security-Policy blocked on the console.
  page.cspViolations = [];
  page.on('console', (m) => {
    if (/Content Security Policy/i.test(m.text())) page.cspViolations.push(m.text());
  });
  page.on('request', (r) => {
    if (!r.url().startsWith(base) && !r.url().startsWith('data:')) page.foreign.push(r.url());
  });
  page.on('dialog', async (d) => {
    page.dialogs.push(d.message());
    await d.accept();
  });
  return { context, page };
}

const XSS = '// <script>window.__xss = 1</script> "><img src=x onerror="window.__xss = 2"> </textarea><b>bold</b>';
const CODE = `fn main() {\n    let greeting = "hello, world";\n    println!("{}", greeting); // 42\n}\n${XSS}\n`;

test('create with JavaScript: highlighted page, line anchors, copy, delete with the kept token', async () => {
  const { context, page } = await newPage();
  await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: base });
  await page.goto(`${base}/`);
  await page.fill('textarea[name=content]', CODE);
  await page.selectOption('select[name=syntax]', 'rust');
  await page.fill('input[name=title]', 'Demo <b>title</b>');
  await page.screenshot({ path: join(ARTIFACTS, 'create-page.png'), fullPage: true });

  await page.focus('textarea[name=content]');
  await Promise.all([page.waitForURL(/\/[A-Za-z0-9]{10}$/), page.keyboard.press('Control+Enter')]);
  const id = new URL(page.url()).pathname.slice(1);
  const token = await page.evaluate((id) => localStorage.getItem(`pastebin:token:${id}`), id);
  assert.ok(token && token.length >= 22, 'the delete token is kept in this browser');
  assert.ok(!page.url().includes(token), 'and never in a URL');

  // Highlighting applied, and styled.
  assert.equal(await page.locator('.hl-k').first().textContent(), 'fn');
  assert.ok((await page.locator('.hl-s').count()) >= 2);
  const [keyword, plain] = await page.evaluate(() => [getComputedStyle(document.querySelector('.hl-k')).color, getComputedStyle(document.querySelector('.line')).color]);
  assert.notEqual(keyword, plain);

  // The XSS payload is shown as text and never runs.
  assert.equal(await page.evaluate(() => window.__xss), undefined);
  assert.equal(await page.locator('article img, article b, article script').count(), 0);
  assert.equal(await page.locator('h1').textContent(), 'Demo <b>title</b>');
  assert.ok((await page.locator('#L5').textContent()).includes('<img src=x onerror='));
  assert.deepEqual(page.dialogs, []);
  await page.screenshot({ path: join(ARTIFACTS, 'paste-page-light.png'), fullPage: true });

  // Line anchors: a range from the URL, then a click.
  await page.goto(`${base}/${id}#L2-L3`);
  const selected = () => page.locator('.line.selected').evaluateAll((ls) => ls.map((l) => l.id));
  assert.deepEqual(await selected(), ['L2', 'L3']);
  await page.click('#L4 a.ln');
  assert.equal(new URL(page.url()).hash, '#L4');
  assert.deepEqual(await selected(), ['L4']);
  await page.click('#L1 a.ln', { modifiers: ['Shift'] });
  assert.equal(new URL(page.url()).hash, '#L1-L4');

  // Copy.
  await page.click('button.copy');
  await page.waitForFunction(() => document.querySelector('button.copy').textContent === 'Copied');
  assert.equal(await page.evaluate(() => navigator.clipboard.readText()), CODE);

  // Delete, with the token this browser kept.
  assert.ok(await page.locator('button.delete').isVisible());
  await Promise.all([page.waitForURL(`${base}/`), page.click('button.delete')]);
  assert.equal(page.dialogs.length, 1, 'asked to confirm');
  assert.equal((await fetch(`${base}/raw/${id}`)).status, 404);
  assert.deepEqual(page.foreign, [], 'no request to any other host');
  await context.close();
});

test('the paste page in dark mode, and without a token there is no delete button', async () => {
  const created = await fetch(`${base}/pastes`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ content: CODE, syntax: 'rust', title: 'Dark' }) }).then((r) => r.json());
  const { context, page } = await newPage({ colorScheme: 'dark', timezoneId: 'Asia/Tokyo', locale: 'en-GB' });
  await page.goto(`${base}/${created.id}`);
  // Times in the reader's zone, the exact UTC time on hover; a fresh 7-day paste says 7 days.
  const created_at = page.locator('.meta time').first();
  const utc = await created_at.getAttribute('datetime');
  assert.equal(await created_at.textContent(), new Date(utc).toLocaleString('en-GB', { timeZone: 'Asia/Tokyo' }));
  assert.equal(await created_at.getAttribute('title'), utc.replace('T', ' ').replace('Z', ' UTC'));
  assert.match(await page.locator('.meta').textContent(), /expires in 7 days/);
  assert.equal(await page.locator('button.delete').isVisible(), false);
  assert.equal(await page.locator('button.copy').isVisible(), true);
  const background = await page.evaluate(() => getComputedStyle(document.body).backgroundColor);
  assert.equal(background, 'rgb(13, 17, 23)', 'dark theme follows the system');
  await page.screenshot({ path: join(ARTIFACTS, 'paste-page-dark.png'), fullPage: true });
  await page.setViewportSize({ width: 390, height: 844 });
  await page.screenshot({ path: join(ARTIFACTS, 'paste-page-phone.png'), fullPage: true });
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth > window.innerWidth);
  assert.equal(overflow, false, 'no sideways scrolling of the page on a phone (the code box scrolls)');
  assert.deepEqual(page.foreign, []);
  await context.close();
});

test('a burn paste shows an interstitial, reveals once, then is gone', async () => {
  const { context, page } = await newPage();
  await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: base });
  await page.goto(`${base}/`);
  await page.fill('textarea[name=content]', 'the secret is 42');
  await page.check('input[name=burn_after_reading]');
  await Promise.all([page.waitForURL(/\/[A-Za-z0-9]{10}$/), page.click('button[type=submit]')]);
  const url = page.url();
  assert.ok(!(await page.content()).includes('the secret is 42'), 'the interstitial hides the content');
  await Promise.all([page.waitForURL(/\/reveal$/), page.click('text=Reveal and delete')]);
  assert.equal(await page.locator('.line').first().textContent(), '1the secret is 42');
  // Copy works from the page: the paste no longer exists on the server.
  await page.click('button.copy');
  await page.waitForFunction(() => document.querySelector('button.copy').textContent === 'Copied');
  assert.equal(await page.evaluate(() => navigator.clipboard.readText()), 'the secret is 42\n');
  const again = await page.goto(url);
  assert.equal(again.status(), 404);
  assert.deepEqual(page.foreign, []);
  await context.close();
});

test('with JavaScript disabled: create, see the link and the token once, delete; and delete later with the token', async () => {
  const { context, page } = await newPage({ javaScriptEnabled: false });
  await page.goto(`${base}/`);
  assert.equal(await page.locator('input[name=encrypted]').isVisible(), false, 'encryption needs the script: not offered');
  await page.fill('textarea[name=content]', 'no script here <i>at all</i>');
  await page.selectOption('select[name=expires_in]', '1h');
  await Promise.all([page.waitForNavigation(), page.click('button[type=submit]')]);
  // The creator sees the link and the delete token, once.
  const link = await page.locator('a.share').getAttribute('href');
  assert.match(link, /^http:\/\/127\.0\.0\.1:\d+\/[A-Za-z0-9]{10}$/);
  const token = await page.locator('code.token').textContent();
  assert.match(token, /^[A-Za-z0-9]{22}$/);
  assert.match(await page.locator('article.created').textContent(), /expires in 1 hour/);
  await page.screenshot({ path: join(ARTIFACTS, 'created-no-script.png'), fullPage: true });
  const reader = await context.newPage();
  await reader.goto(link);
  assert.equal(await reader.locator('.line').first().textContent(), '1no script here <i>at all</i>');
  assert.ok(!(await reader.content()).includes(token), 'the paste page never shows the token');
  // Delete right away, from the page that showed the token.
  await Promise.all([page.waitForNavigation(), page.click('text=Delete it now')]);
  assert.equal(await page.locator('h1').textContent(), 'Paste deleted');
  assert.equal((await fetch(link)).status, 404);

  // Later: the token typed into the paste page's own delete form.
  const later = await fetch(`${base}/`, { method: 'POST', body: 'delete me later', headers: { accept: 'application/json' } }).then((r) => r.json());
  await page.goto(later.url);
  await page.click('details.delete-form summary');
  await page.fill('input[name=delete_token]', 'wrong-token-000000000000');
  await Promise.all([page.waitForNavigation(), page.click('details.delete-form button')]);
  assert.match(await page.locator('main').textContent(), /does not match/);
  assert.equal((await fetch(later.url)).status, 200, 'a wrong token deletes nothing');
  await page.goto(later.url);
  await page.click('details.delete-form summary');
  await page.fill('input[name=delete_token]', later.delete_token);
  await Promise.all([page.waitForNavigation(), page.click('details.delete-form button')]);
  assert.equal(await page.locator('h1').textContent(), 'Paste deleted');
  assert.equal((await fetch(later.url)).status, 404);

  // An encrypted paste says what it needs.
  const sealed = cli(['put', '--encrypt'], 'hidden without script');
  await page.goto(sealed.stdout.trim());
  assert.match(await page.locator('.status').textContent(), /needs JavaScript/);
  assert.ok(!(await page.content()).includes('hidden without script'));
  await context.close();
});

/// The command-line client (the same binary), against this server.
function cli(args, input) {
  const run = spawnSync(BIN, args, { input, encoding: 'utf8', env: { ...process.env, PASTEBIN_SERVER: base, PASTEBIN_STATE_DIR: join(dataDir, 'cli-state') } });
  return { status: run.status, stdout: run.stdout, stderr: run.stderr };
}

const SECRET = 'password=hunter2';
const SEALED_CODE = `fn main() {\n    let ${SECRET} = "é 😀";\n}\n${XSS}\n`;

/// An encrypted paste created in the browser: its link, its id, and every request body sent.
async function createEncrypted(page, { burn = false } = {}) {
  const bodies = [];
  page.on('request', (r) => {
    if (r.method() === 'POST') bodies.push(r.postDataBuffer()?.toString('utf8') ?? '');
  });
  await page.goto(`${base}/`);
  await page.fill('textarea[name=content]', SEALED_CODE);
  await page.selectOption('select[name=syntax]', 'rust');
  await page.fill('input[name=title]', 'Sealed <b>title</b>');
  assert.ok(await page.locator('input[name=encrypted]').isVisible(), 'the option is offered where the browser can encrypt');
  await page.check('input[name=encrypted]');
  if (burn) await page.check('input[name=burn_after_reading]');
  await Promise.all([page.waitForURL(/\/[A-Za-z0-9]{10}#[A-Za-z0-9_-]{43}$/), page.click('button[type=submit]')]);
  const link = page.url();
  return { link, id: new URL(link).pathname.slice(1), key: new URL(link).hash.slice(1), bodies };
}

test('encrypted in the browser: the server gets only ciphertext, the reader sees the paste highlighted', async () => {
  const { context, page } = await newPage();
  await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: base });
  const { link, id, key, bodies } = await createEncrypted(page);

  // What left the browser: ciphertext and the flag, never the text, title, language or key.
  assert.equal(bodies.length, 1);
  for (const secret of [SECRET, 'Sealed', 'rust', key]) assert.ok(!bodies[0].includes(secret), `the request carried ${secret}`);
  assert.match(bodies[0], /name="encrypted"\r\n\r\n1\r\n/);
  // What the server holds and serves: the same ciphertext.
  const stored = await fetch(`${base}/pastes/${id}`).then((r) => r.json());
  assert.equal(stored.encrypted, true);
  assert.equal(stored.title, null);
  assert.equal(stored.syntax, 'text');
  assert.match(stored.content, /^[A-Za-z0-9_-]+$/);
  assert.ok(!stored.content.includes(SECRET));
  assert.equal(await fetch(`${base}/raw/${id}`).then((r) => r.text()), stored.content);
  const html = await fetch(`${base}/${id}`, { headers: { accept: 'text/html' } }).then((r) => r.text());
  assert.ok(!html.includes(SECRET) && !html.includes('Sealed'));

  // The page decrypted, highlighted with the server's rules, escaped.
  await page.waitForSelector('pre.code:not([hidden])');
  assert.equal(await page.locator('h1').textContent(), 'Sealed <b>title</b>');
  assert.equal(await page.title(), 'Sealed <b>title</b> · pastebin');
  assert.equal(await page.locator('.meta .language').textContent(), 'Rust');
  assert.equal(await page.locator('.hl-k').first().textContent(), 'fn');
  assert.ok((await page.locator('#L2').textContent()).includes(SECRET));
  assert.equal(await page.evaluate(() => window.__xss), undefined);
  assert.equal(await page.locator('article img, article b, article script').count(), 0);
  assert.equal(await page.locator('.status').isVisible(), false);
  await page.screenshot({ path: join(ARTIFACTS, 'sealed-page.png'), fullPage: true });

  // The link to share, key included.
  await page.click('button.copy-link');
  await page.waitForFunction(() => document.querySelector('button.copy-link').textContent === 'Link copied');
  assert.equal(await page.evaluate(() => navigator.clipboard.readText()), link);

  // Line anchors keep the key; a link to lines still opens.
  await page.click('#L2 a.ln');
  assert.equal(new URL(page.url()).hash, `#${key}/L2`);
  await page.click('#L3 a.ln', { modifiers: ['Shift'] });
  assert.equal(new URL(page.url()).hash, `#${key}/L2-L3`);
  await page.goto(`${base}/${id}#${key}/L3`);
  await page.waitForSelector('pre.code:not([hidden])');
  assert.deepEqual(await page.locator('.line.selected').evaluateAll((ls) => ls.map((l) => l.id)), ['L3']);

  // Copy and download give the plaintext.
  await page.click('button.copy');
  await page.waitForFunction(() => document.querySelector('button.copy').textContent === 'Copied');
  assert.equal(await page.evaluate(() => navigator.clipboard.readText()), SEALED_CODE);
  const [download] = await Promise.all([page.waitForEvent('download'), page.click('button.download')]);
  assert.equal(download.suggestedFilename(), `${id}.rs`);
  const saved = join(dataDir, 'download.rs');
  await download.saveAs(saved);
  assert.equal(readFileSync(saved, 'utf8'), SEALED_CODE);

  // Browser → command line: the same link decrypts there.
  const got = cli(['get', link]);
  assert.equal(got.status, 0, got.stderr);
  assert.equal(got.stdout, SEALED_CODE);
  assert.deepEqual(page.foreign, []);
  assert.deepEqual(page.dialogs, []);
  assert.deepEqual(page.cspViolations, [], 'encrypting and decrypting need nothing the strict CSP forbids');
  await context.close();
});

test('encrypted from the command line: the browser decrypts it; wrong, missing or damaged keys get a message', async () => {
  const put = cli(['put', '--encrypt', '--syntax', 'py', '--title', 'From the CLI'], 'def f():\n    return "x"  # c\n');
  assert.equal(put.status, 0, put.stderr);
  const link = put.stdout.trim();
  assert.match(link, /^http:\/\/127\.0\.0\.1:\d+\/[A-Za-z0-9]{10}#[A-Za-z0-9_-]{43}$/);
  const [url, key] = link.split('#');
  const { context, page } = await newPage();
  await page.goto(link);
  await page.waitForSelector('pre.code:not([hidden])');
  assert.equal(await page.locator('h1').textContent(), 'From the CLI');
  assert.equal(await page.locator('.hl-k').first().textContent(), 'def');
  assert.equal(await page.locator('.hl-c').first().textContent(), '# c');

  const message = async (target) => {
    await page.goto('about:blank');
    await page.goto(target);
    await page.waitForFunction(() => document.querySelector('.status').classList.contains('error'));
    assert.equal(await page.locator('pre.code').isVisible(), false);
    return page.locator('.status').textContent();
  };
  const other = `${'A'.repeat(42)}E`;
  assert.match(await message(`${url}#${other}`), /does not open/);
  assert.match(await message(url), /has no key/);
  assert.match(await message(`${url}#${key.slice(0, 30)}`), /incomplete|damaged/);
  assert.equal(cli(['get', `${url}#${other}`]).status, 1);
  assert.match(cli(['get', `${url}#${other}`]).stderr, /does not open/);
  assert.match(cli(['get', url]).stderr, /no key/);

  // Tampered ciphertext, stored as a paste of its own: refused by both readers.
  const stored = await fetch(`${base}/raw/${new URL(url).pathname.slice(1)}`).then((r) => r.text());
  const flipped = stored.slice(0, 40) + (stored[40] === 'A' ? 'B' : 'A') + stored.slice(41);
  const tampered = await fetch(`${base}/pastes`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ content: flipped, encrypted: true }) }).then((r) => r.json());
  assert.match(await message(`${base}/${tampered.id}#${key}`), /does not open/);
  assert.match(cli(['get', `${base}/${tampered.id}#${key}`]).stderr, /does not open/);
  assert.deepEqual(page.dialogs, []);
  await context.close();
});

test('burn after reading with encryption: reveal keeps the key, then decrypts once', async () => {
  const { context, page } = await newPage();
  const { link, key } = await createEncrypted(page, { burn: true });
  assert.ok(await page.locator('text=Reveal and delete').isVisible(), 'the interstitial first');
  await Promise.all([page.waitForURL(/\/reveal#/), page.click('text=Reveal and delete')]);
  assert.equal(new URL(page.url()).hash, `#${key}`);
  await page.waitForSelector('pre.code:not([hidden])');
  assert.ok((await page.locator('#L2').textContent()).includes(SECRET));
  assert.equal(await page.locator('button.copy-link').count(), 0, 'no link to share: it is gone');
  const again = await page.goto(link);
  assert.equal(again.status(), 404);

  // Without the key, the interstitial will not reveal it (that would delete it unread).
  const other = await createEncrypted(page, { burn: true });
  await page.goto('about:blank');
  await page.goto(other.link.split('#')[0]);
  assert.equal(await page.locator('text=Reveal and delete').isDisabled(), true);
  assert.match(await page.locator('article.burn .status').textContent(), /no key/);
  await page.goto('about:blank');
  await page.goto(other.link);
  assert.equal(await page.locator('text=Reveal and delete').isDisabled(), false);
  await context.close();
});

test('the server refuses plain text sent as encrypted, and metadata beside ciphertext', async () => {
  const post = (body) => fetch(`${base}/pastes`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  const plain = await post({ content: SECRET, encrypted: true });
  assert.equal(plain.status, 422);
  assert.match((await plain.json()).message, /not an encrypted paste/);
  const sealed = cli(['put', '--encrypt'], 'x');
  const content = await fetch(`${base}/raw/${new URL(sealed.stdout.trim()).pathname.slice(1)}`).then((r) => r.text());
  const titled = await post({ content, encrypted: true, title: 'leaks' });
  assert.equal(titled.status, 422);
  assert.match((await titled.json()).message, /inside the ciphertext/);
});

test('page weight of a paste page, cold and cached', async () => {
  const created = await fetch(`${base}/pastes`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ content: CODE, syntax: 'rust' }) }).then((r) => r.json());
  const { context, page } = await newPage();
  const client = await context.newCDPSession(page);
  await client.send('Network.enable');
  let bytes = 0;
  let requests = 0;
  client.on('Network.loadingFinished', (e) => {
    bytes += e.encodedDataLength;
    requests += 1;
  });
  await page.goto(`${base}/${created.id}`, { waitUntil: 'networkidle' });
  const cold = { bytes, requests };
  bytes = 0;
  requests = 0;
  await page.goto(`${base}/${created.id}`, { waitUntil: 'networkidle' });
  const cached = { bytes, requests };
  const report = `paste page (${CODE.length} bytes of Rust): cold ${cold.bytes} bytes in ${cold.requests} requests; cached ${cached.bytes} bytes in ${cached.requests} requests\n`;
  writeFileSync(join(ARTIFACTS, 'page-weight.txt'), report);
  console.log(report);
  assert.ok(cold.requests === 3, `document, stylesheet, script: ${cold.requests}`);
  assert.ok(cached.bytes < cold.bytes, 'assets come from the cache the second time');
  await context.close();
});
