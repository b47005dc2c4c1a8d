// The server's highlighter, for the pages that can only be highlighted in the browser (end-to-end
// encrypted pastes, whose text the server never sees). The rules are not written here: the
// server generates them from its own tables into `PastebinHighlightRules` above this line, and a
// test feeds the same texts to both and compares the markup. Keep the two lexers in step.
'use strict';

(function (root) {
  var RULES = root.PastebinHighlightRules;

  var ALPHABETIC = /\p{Alphabetic}/u;
  var ALPHANUMERIC = /[\p{Alphabetic}\p{N}]/u;
  var WHITESPACE_START = /^\p{White_Space}*/u;

  function escapeHtml(s) {
    return s.replace(/[&<>"']/g, function (c) {
      return { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' }[c];
    });
  }

  function span(out, cls, text) {
    if (text) out.push('<span class="' + cls + '">' + escapeHtml(text) + '</span>');
  }

  function firstChar(s) {
    return String.fromCodePoint(s.codePointAt(0));
  }

  // Index (UTF-16) of the first code point of `s`, from `from`, that satisfies `test`; -1 if none.
  function find(s, from, test) {
    for (var i = from; i < s.length; ) {
      var c = firstChar(s.slice(i, i + 2));
      if (test(c)) return i;
      i += c.length;
    }
    return -1;
  }

  function isIdentStart(c) {
    return ALPHABETIC.test(c) || c === '_' || c === '$';
  }

  function isIdent(c, dashed) {
    return ALPHANUMERIC.test(c) || c === '_' || c === '$' || (dashed && c === '-');
  }

  function asciiLower(s) {
    return s.replace(/[A-Z]/g, function (c) {
      return c.toLowerCase();
    });
  }

  function stringEnd(s, quote) {
    var escaped = false;
    for (var i = 1; i < s.length; ) {
      var c = firstChar(s.slice(i, i + 2));
      if (escaped) escaped = false;
      else if (c === '\\') escaped = true;
      else if (c === quote) return i + c.length;
      i += c.length;
    }
    return s.length;
  }

  // One line as escaped markup; `state.inBlockComment` carries over to the next line.
  function highlightLine(line, rules, state) {
    var out = [];
    if (rules.diff) {
      var cls = { '+': 'hl-ins', '-': 'hl-del', '@': 'hl-meta' }[line.charAt(0)];
      if (!cls) return escapeHtml(line);
      span(out, cls, line);
      return out.join('');
    }
    if (rules.markdown && line.charAt(0) === '#') {
      span(out, 'hl-k', line);
      return out.join('');
    }
    if (rules.sections && line.replace(WHITESPACE_START, '').charAt(0) === '[') {
      span(out, 'hl-k', line);
      return out.join('');
    }
    var rest = line;
    function matches(list, word) {
      if (rules.case_insensitive) {
        var lower = asciiLower(word);
        return list.some(function (k) {
          return asciiLower(k) === lower;
        });
      }
      return list.indexOf(word) >= 0;
    }
    while (rest) {
      if (state.inBlockComment) {
        var close = rules.block_comment ? rules.block_comment[1] : '';
        var end = close ? rest.indexOf(close) : -1;
        if (end >= 0) {
          span(out, 'hl-c', rest.slice(0, end + close.length));
          rest = rest.slice(end + close.length);
          state.inBlockComment = false;
        } else {
          span(out, 'hl-c', rest);
          rest = '';
        }
        continue;
      }
      var open = rules.block_comment && rest.startsWith(rules.block_comment[0]) ? rules.block_comment[0] : null;
      if (open) {
        span(out, 'hl-c', open);
        rest = rest.slice(open.length);
        state.inBlockComment = true;
        continue;
      }
      if (
        rules.line_comments.some(function (c) {
          return rest.startsWith(c);
        })
      ) {
        span(out, 'hl-c', rest);
        break;
      }
      var c = firstChar(rest);
      if (rules.markdown && c === '`') {
        var tick = rest.indexOf('`', 1);
        var stop = tick < 0 ? rest.length : tick + 1;
        span(out, 'hl-s', rest.slice(0, stop));
        rest = rest.slice(stop);
        continue;
      }
      if (rules.quotes.indexOf(c) >= 0) {
        var send = stringEnd(rest, c);
        span(out, 'hl-s', rest.slice(0, send));
        rest = rest.slice(send);
        continue;
      }
      if (rules.tags && c === '<') {
        var nameStart = rest.charAt(1) === '/' ? 2 : 1;
        var nameEnd = find(rest, nameStart, function (ch) {
          return !(ALPHANUMERIC.test(ch) || '-:_!?'.indexOf(ch) >= 0);
        });
        if (nameEnd < 0) nameEnd = rest.length;
        if (nameEnd > nameStart) {
          out.push(escapeHtml(rest.slice(0, nameStart)));
          span(out, 'hl-k', rest.slice(nameStart, nameEnd));
          rest = rest.slice(nameEnd);
          continue;
        }
      }
      if (c >= '0' && c <= '9') {
        var nend = find(rest, 0, function (ch) {
          return !(/[0-9A-Za-z._]/.test(ch));
        });
        if (nend < 0) nend = rest.length;
        span(out, 'hl-n', rest.slice(0, nend));
        rest = rest.slice(nend);
        continue;
      }
      if (isIdentStart(c)) {
        var wend = find(rest, 0, function (ch) {
          return !isIdent(ch, rules.dashed_words);
        });
        if (wend < 0) wend = rest.length;
        // A trailing '-' belongs to an operator, not the word.
        var word = rest.slice(0, wend).replace(/-+$/, '');
        if (matches(rules.keywords, word)) span(out, 'hl-k', word);
        else if (matches(rules.literals, word)) span(out, 'hl-l', word);
        else out.push(escapeHtml(word));
        rest = rest.slice(word.length);
        continue;
      }
      out.push(escapeHtml(c));
      rest = rest.slice(c.length);
    }
    return out.join('');
  }

  var encoder = new TextEncoder();

  // The canonical language for a name or alias, as the server resolves it; null for plain text.
  function languageFor(value) {
    var v = asciiLower(String(value || '').trim().replace(/^\.+/, ''));
    return Object.prototype.hasOwnProperty.call(RULES.aliases, v) ? RULES.aliases[v] : null;
  }

  // The text as numbered, anchored, highlighted lines (markup), cut where the server cuts a
  // page; `href` makes each line's link from its number.
  function numberedLines(text, language, href) {
    var rules = language && Object.prototype.hasOwnProperty.call(RULES.languages, language) ? RULES.languages[language] : null;
    var state = { inBlockComment: false };
    // As Rust's `str::lines`: a final line feed ends the last line, and a carriage return is
    // dropped only before a line feed.
    var lines = text.split('\n');
    var last = lines.pop();
    if (last !== '') lines.push(last);
    var out = [];
    var rendered = 0;
    var truncated = false;
    for (var i = 0; i < lines.length; i++) {
      var line = i < lines.length - 1 || last === '' ? lines[i].replace(/\r$/, '') : lines[i];
      if (i >= RULES.max_lines || rendered >= RULES.max_bytes) {
        truncated = true;
        break;
      }
      var bytes = encoder.encode(line);
      if (rendered + bytes.length > RULES.max_bytes) {
        var cut = RULES.max_bytes - rendered;
        while (cut > 0 && (bytes[cut] & 0xc0) === 0x80) cut--;
        line = new TextDecoder().decode(bytes.subarray(0, cut));
        bytes = bytes.subarray(0, cut);
        truncated = true;
      }
      rendered += bytes.length + 1;
      var n = i + 1;
      var code = rules ? highlightLine(line, rules, state) : escapeHtml(line);
      out.push('<span class="line" id="L' + n + '"><a class="ln" href="' + escapeHtml(href(n)) + '">' + n + '</a>' + code + '</span>');
      if (truncated) break;
    }
    return { html: out.join(''), truncated: truncated };
  }

  root.PastebinHighlight = {
    languageFor: languageFor,
    display: function (language) {
      return (language && Object.prototype.hasOwnProperty.call(RULES.display, language) && RULES.display[language]) || 'plain text';
    },
    extension: function (language) {
      return (language && Object.prototype.hasOwnProperty.call(RULES.extensions, language) && RULES.extensions[language]) || 'txt';
    },
    numberedLines: numberedLines,
  };
})(typeof self !== 'undefined' ? self : globalThis);
