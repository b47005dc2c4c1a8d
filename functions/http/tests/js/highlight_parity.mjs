// Runs the browser's highlighter (the generated asset, as served) over the cases the server
// rendered, and fails on the first difference. Driven by `highlight_js_matches_the_server` in
// functions/http/src/web/pages.rs: node highlight_parity.mjs CASES.json
import { readFileSync } from 'node:fs';
import vm from 'node:vm';

const input = JSON.parse(readFileSync(process.argv[2], 'utf8'));
const context = { TextEncoder, TextDecoder };
context.self = context;
vm.createContext(context);
vm.runInContext(input.script, context);
const hl = context.PastebinHighlight;

let failures = 0;
for (const c of input.cases) {
  const got = hl.numberedLines(c.text, c.language, (n) => '#L' + n);
  if (got.html !== c.html || got.truncated !== c.truncated) {
    failures++;
    let at = 0;
    while (at < got.html.length && got.html[at] === c.html[at]) at++;
    console.error(
      `${c.language ?? 'plain'} ${JSON.stringify(c.text.slice(0, 60))}: truncated ${got.truncated} vs ${c.truncated}; ` +
        `first difference at ${at}:\n  js:   ${JSON.stringify(got.html.slice(Math.max(0, at - 40), at + 60))}\n` +
        `  rust: ${JSON.stringify(c.html.slice(Math.max(0, at - 40), at + 60))}`
    );
  }
}
for (const [alias, expected] of input.aliases) {
  const got = hl.languageFor(alias);
  if (got !== expected) {
    failures++;
    console.error(`language for ${JSON.stringify(alias)}: js ${got}, rust ${expected}`);
  }
}
if (failures) {
  console.error(`${failures} difference(s)`);
  process.exit(1);
}
console.log(`${input.cases.length} texts and ${input.aliases.length} names agree`);
