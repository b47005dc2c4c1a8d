// End-to-end encrypted pastes in the browser: the format (sealing on the create page, opening
// on an encrypted paste's page) and that page's rendering. Loaded only by those two pages.
'use strict';

// End-to-end encryption, version 1 (README, "End-to-end encryption"): AES-256-GCM under a
// fresh random key per paste; stored = base64url(1 ‖ nonce ‖ ciphertext+tag); plaintext = a
// JSON line of metadata, a line feed, the text. The key travels only in the link's #fragment.
(function (root) {
  var VERSION = 1;

  function encode(bytes) {
    var s = '';
    for (var i = 0; i < bytes.length; i += 0x8000) {
      s += String.fromCharCode.apply(null, bytes.subarray(i, i + 0x8000));
    }
    return btoa(s).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
  }

  function decode(text) {
    if (!/^[A-Za-z0-9_-]*$/.test(text) || text.length % 4 === 1) throw new Error('not base64url');
    var s = atob(text.replace(/-/g, '+').replace(/_/g, '/'));
    var bytes = new Uint8Array(s.length);
    for (var i = 0; i < s.length; i++) bytes[i] = s.charCodeAt(i);
    return bytes;
  }

  function importKey(raw, use) {
    return root.crypto.subtle.importKey('raw', raw, { name: 'AES-GCM' }, false, [use]);
  }

  // Seals `text` and its metadata ({title, syntax}, either may be absent): resolves to
  // {content, key}, both ASCII. `keyBytes` and `nonce` are for the known-answer test only.
  function seal(text, meta, keyBytes, nonce) {
    keyBytes = keyBytes || root.crypto.getRandomValues(new Uint8Array(32));
    nonce = nonce || root.crypto.getRandomValues(new Uint8Array(12));
    var header = {};
    if (meta && meta.title) header.title = meta.title;
    if (meta && meta.syntax) header.syntax = meta.syntax;
    var plain = new TextEncoder().encode(JSON.stringify(header) + '\n' + text);
    return importKey(keyBytes, 'encrypt')
      .then(function (key) {
        return root.crypto.subtle.encrypt({ name: 'AES-GCM', iv: nonce }, key, plain);
      })
      .then(function (sealed) {
        var out = new Uint8Array(13 + sealed.byteLength);
        out[0] = VERSION;
        out.set(nonce, 1);
        out.set(new Uint8Array(sealed), 13);
        return { content: encode(out), key: encode(keyBytes) };
      });
  }

  // Opens stored `content` with the link's `keyText`: resolves to {text, title, syntax}; rejects
  // with an Error whose message a reader can act on.
  function open(content, keyText) {
    var bytes;
    var keyBytes;
    try {
      bytes = decode(content);
      keyBytes = decode(keyText);
    } catch (e) {
      return Promise.reject(new Error('The link’s key is damaged: copy the whole link again.'));
    }
    if (keyBytes.length !== 32) {
      return Promise.reject(new Error('The link’s key is incomplete: copy the whole link again.'));
    }
    if (bytes[0] !== VERSION || bytes.length < 29) {
      return Promise.reject(new Error('This paste is in an encryption format this page does not know.'));
    }
    return importKey(keyBytes, 'decrypt')
      .then(function (key) {
        return root.crypto.subtle.decrypt({ name: 'AES-GCM', iv: bytes.subarray(1, 13) }, key, bytes.subarray(13)).then(null, function () {
          throw new Error('This key does not open this paste: the link is wrong or the paste was altered.');
        });
      })
      .then(
        function (plain) {
          var text = '';
          var newline = -1;
          var header = null;
          try {
            text = new TextDecoder('utf-8', { fatal: true }).decode(plain);
            newline = text.indexOf('\n');
            header = newline < 0 ? null : JSON.parse(text.slice(0, newline));
          } catch (e) {
            header = null;
          }
          if (!header || typeof header !== 'object') {
            throw new Error('This paste is in an encryption format this page does not know.');
          }
          return {
            text: text.slice(newline + 1),
            title: typeof header.title === 'string' ? header.title : null,
            syntax: typeof header.syntax === 'string' ? header.syntax : null,
          };
        }
      );
  }

  root.PastebinSeal = { seal: seal, open: open };
})(typeof self !== 'undefined' ? self : globalThis);

(function (root) {
  // Decrypts the ciphertext in the page with the key in the link, then shows the text as the
  // server shows a plain paste: highlighted, numbered, cut at the same limits.
root.PastebinSealedPage = function (article, page) {
  var id = page.id;
  var hashPrefix = page.hashPrefix;
  var linkKey = page.linkKey;
    var status = article.querySelector('.status');
    function fail(message) {
      status.textContent = message;
      status.classList.add('error');
    }
    if (!page.cryptoAvailable()) {
      fail('Decrypting needs a secure page: open this link over HTTPS.');
      return;
    }
    if (!linkKey()) {
      fail('This link has no key. The key is the part after “#” in the link the paste’s creator shared: ask for the whole link.');
      return;
    }
    status.textContent = 'Decrypting…';
    root.PastebinSeal.open(article.querySelector('.ciphertext').textContent, linkKey()).then(function (paste) {
      var H = self.PastebinHighlight;
      var language = H.languageFor(paste.syntax);
      var title = paste.title || 'Paste ' + id;
      article.querySelector('h1').textContent = title;
      document.title = title + ' · pastebin';
      article.querySelector('.language').textContent = H.display(language);
      var shown = H.numberedLines(paste.text, language, function (n) {
        return hashPrefix + 'L' + n;
      });
      var code = article.querySelector('pre.code code');
      if (language) code.className = 'language-' + language;
      // Markup from the highlighter, which escapes every piece of the text it wraps.
      code.innerHTML = shown.html;
      article.querySelector('pre.code').hidden = false;
      article.querySelector('.truncated').hidden = !shown.truncated;
      status.hidden = true;
      page.enableLines();
      page.enableCopy(function () {
        return Promise.resolve(paste.text);
      });
      // The link to share is the whole link: without its key it opens nothing.
      var copyLink = article.querySelector('button.copy-link');
      if (copyLink) {
        copyLink.hidden = false;
        copyLink.addEventListener('click', function () {
          navigator.clipboard.writeText(location.origin + '/' + id + '#' + linkKey()).then(
            function () {
              copyLink.textContent = 'Link copied';
            },
            function () {
              copyLink.textContent = 'Copy failed';
            }
          );
        });
      }
      var download = article.querySelector('button.download');
      download.hidden = false;
      download.addEventListener('click', function () {
        var a = document.createElement('a');
        a.href = URL.createObjectURL(new Blob([paste.text], { type: 'text/plain;charset=utf-8' }));
        a.download = id + '.' + H.extension(language);
        document.body.appendChild(a);
        a.click();
        a.remove();
        setTimeout(function () {
          URL.revokeObjectURL(a.href);
        }, 60000);
      });
    }, function (error) {
      fail(error.message);
    });
  };
})(typeof self !== 'undefined' ? self : globalThis);
