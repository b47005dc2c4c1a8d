// The pages work without this script; it adds conveniences: Ctrl/Cmd+Enter, file drop, keeping
// the delete token (in this browser only, never in a URL), copy, line ranges, delete.
'use strict';

// End-to-end encryption, version 1 (README, "End-to-end encryption"): AES-256-GCM under a
// fresh random key per paste; stored = base64url(1 ‖ nonce ‖ ciphertext+tag); plaintext = a
// JSON line of metadata, a line feed, the text. The key travels only in the link's #fragment.
(function (root) {
  var VERSION = 1;
  var KEY_CHARS = 43;

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
        return root.crypto.subtle.decrypt({ name: 'AES-GCM', iv: bytes.subarray(1, 13) }, key, bytes.subarray(13));
      })
      .then(
        function (plain) {
          var text = new TextDecoder('utf-8', { fatal: true }).decode(plain);
          var newline = text.indexOf('\n');
          var header = JSON.parse(text.slice(0, newline));
          return {
            text: text.slice(newline + 1),
            title: typeof header.title === 'string' ? header.title : null,
            syntax: typeof header.syntax === 'string' ? header.syntax : null,
          };
        },
        function () {
          throw new Error('This key does not open this paste: the link is wrong or the paste was altered.');
        }
      );
  }

  root.PastebinSeal = { seal: seal, open: open, KEY_CHARS: KEY_CHARS };
})(typeof self !== 'undefined' ? self : globalThis);

(function () {
  var TOKEN_PREFIX = 'pastebin:token:';
  var Seal = self.PastebinSeal;

  function cryptoAvailable() {
    return !!(self.crypto && self.crypto.subtle);
  }

  // Times: the server writes them in UTC; shown here in the reader's zone, UTC on hover.
  Array.prototype.forEach.call(document.querySelectorAll('time[datetime]'), function (t) {
    var d = new Date(t.dateTime);
    if (isNaN(d.getTime())) return;
    t.title = t.dateTime.replace('T', ' ').replace('Z', ' UTC');
    t.textContent = d.toLocaleString();
  });

  // The key in a sealed paste's link: `#KEY`, or `#KEY/L3-L5` once lines are selected.
  function linkKey() {
    return location.hash.slice(1).split('/')[0];
  }

  function tokenKey(id) {
    return TOKEN_PREFIX + id;
  }

  function storeToken(id, token) {
    try {
      localStorage.setItem(tokenKey(id), token);
    } catch (e) {
      // Private mode or storage full: the paste works, only early delete is unavailable here.
    }
  }

  function storedToken(id) {
    try {
      return localStorage.getItem(tokenKey(id));
    } catch (e) {
      return null;
    }
  }

  // ------------------------------------------------------------------ create page
  var form = document.querySelector('form.create');
  if (form) {
    var textarea = form.querySelector('textarea[name=content]');
    var status = form.querySelector('.status');

    form.addEventListener('keydown', function (event) {
      if (event.key === 'Enter' && (event.ctrlKey || event.metaKey)) {
        event.preventDefault();
        form.requestSubmit();
      }
    });

    textarea.addEventListener('dragover', function (event) {
      event.preventDefault();
      textarea.classList.add('dropping');
    });
    textarea.addEventListener('dragleave', function () {
      textarea.classList.remove('dropping');
    });
    textarea.addEventListener('drop', function (event) {
      event.preventDefault();
      textarea.classList.remove('dropping');
      var file = event.dataTransfer.files[0];
      if (!file) return;
      file.text().then(function (text) {
        textarea.value = text;
        var title = form.querySelector('input[name=title]');
        if (title && !title.value) title.value = file.name;
        var ext = file.name.indexOf('.') > 0 ? file.name.split('.').pop().toLowerCase() : '';
        var select = form.querySelector('select[name=syntax]');
        var option = select && select.querySelector('option[data-ext~="' + CSS.escape(ext) + '"]');
        if (option) select.value = option.value;
      });
    });

    var encrypt = form.querySelector('input[name=encrypted]');
    if (encrypt && cryptoAvailable()) {
      encrypt.closest('label').hidden = false;
      encrypt.disabled = false;
    }

    // The body to post: as typed, or sealed here with the title and language inside, so that
    // the server receives neither them nor the key. Resolves to {data, key}.
    function body() {
      var data = new FormData(form);
      // Set from the textarea's value, so line breaks stay as typed (a form's own encoding
      // turns them into CRLF).
      data.set('content', textarea.value);
      if (!encrypt || !encrypt.checked) {
        data.delete('encrypted');
        return Promise.resolve({ data: data, key: null });
      }
      var meta = { title: data.get('title'), syntax: data.get('syntax') };
      data.delete('title');
      data.delete('syntax');
      return Seal.seal(textarea.value, meta).then(function (sealed) {
        data.set('content', sealed.content);
        data.set('encrypted', '1');
        return { data: data, key: sealed.key };
      });
    }

    form.addEventListener('submit', function (event) {
      event.preventDefault();
      status.textContent = 'Creating…';
      status.classList.remove('error');
      var key = null;
      body()
        .then(function (prepared) {
          key = prepared.key;
          return fetch(form.action, { method: 'POST', body: prepared.data, headers: { Accept: 'application/json' } });
        })
        .then(function (response) {
          return response.json().then(
            function (body) {
              if (!response.ok) throw new Error(body.message || response.statusText);
              return body;
            },
            function () {
              throw new Error('The server answered ' + response.status + ' ' + response.statusText);
            }
          );
        })
        .then(function (created) {
          storeToken(created.id, created.delete_token);
          location.assign('/' + created.id + (key ? '#' + key : ''));
        })
        .catch(function (error) {
          status.textContent = error.message;
          status.classList.add('error');
        });
    });
  }

  // ------------------------------------------------------------------ burn page
  var reveal = document.querySelector('article.burn form');
  if (reveal) {
    // An encrypted paste's key is in this page's fragment, and the page the reveal answers
    // with needs it: the fragment goes along (browsers never send it to the server).
    reveal.addEventListener('submit', function () {
      if (location.hash) reveal.action = reveal.action.split('#')[0] + location.hash;
    });
  }

  // ------------------------------------------------------------------ paste page
  var article = document.querySelector('article.paste');
  if (article) {
    var id = article.dataset.id;
    var sealed = article.classList.contains('sealed');
    // A sealed paste's fragment starts with its key: line anchors follow it (`#KEY/L3-L5`).
    var hashPrefix = sealed ? '#' + linkKey() + '/' : '#';
    var hashPattern = sealed ? /^#[A-Za-z0-9_-]*\/L(\d+)(?:-L(\d+))?$/ : /^#L(\d+)(?:-L(\d+))?$/;
    var lines = [];
    var anchor = null;

    function selectRange(from, to) {
      lines.forEach(function (line, i) {
        line.classList.toggle('selected', i + 1 >= from && i + 1 <= to);
      });
    }

    function applyHash() {
      var m = hashPattern.exec(location.hash);
      if (!m) {
        selectRange(0, -1);
        return;
      }
      var from = Number(m[1]);
      var to = m[2] ? Number(m[2]) : from;
      if (to < from) {
        var t = from;
        from = to;
        to = t;
      }
      selectRange(from, to);
      var first = lines[from - 1];
      if (first) first.scrollIntoView({ block: 'center' });
    }

    function enableLines() {
      lines = Array.prototype.slice.call(article.querySelectorAll('.line'));
      article.addEventListener('click', function (event) {
        var link = event.target.closest('a.ln');
        if (!link) return;
        event.preventDefault();
        var n = Number(link.textContent);
        var range = event.shiftKey && anchor ? 'L' + Math.min(anchor, n) + '-L' + Math.max(anchor, n) : 'L' + n;
        if (!event.shiftKey) anchor = n;
        history.replaceState(null, '', hashPrefix + range);
        applyHash();
      });
      window.addEventListener('hashchange', applyHash);
      applyHash();
    }

    // The copy button, copying what `text()` resolves to.
    function enableCopy(text) {
      var copy = article.querySelector('button.copy');
      if (!copy) return;
      copy.hidden = false;
      copy.addEventListener('click', function () {
        text()
          .then(function (t) {
            return navigator.clipboard.writeText(t);
          })
          .then(function () {
            copy.textContent = 'Copied';
            setTimeout(function () {
              copy.textContent = 'Copy';
            }, 1500);
          })
          .catch(function () {
            copy.textContent = 'Copy failed';
          });
      });
    }

    // Decrypts the ciphertext in the page with the key in the link, then shows the text as the
    // server shows a plain paste: highlighted, numbered, cut at the same limits.
    function openSealed() {
      var status = article.querySelector('.status');
      function fail(message) {
        status.textContent = message;
        status.classList.add('error');
      }
      if (!cryptoAvailable()) {
        fail('Decrypting needs a secure page: open this link over HTTPS.');
        return;
      }
      if (!linkKey()) {
        fail('This link has no key. The key is the part after “#” in the link the paste’s creator shared: ask for the whole link.');
        return;
      }
      status.textContent = 'Decrypting…';
      Seal.open(article.querySelector('.ciphertext').textContent, linkKey()).then(function (paste) {
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
        enableLines();
        enableCopy(function () {
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
    }

    if (sealed) {
      openSealed();
      // A different key pasted into the address bar is a different link: open with it.
      var openedWith = linkKey();
      window.addEventListener('hashchange', function () {
        if (linkKey() !== openedWith) location.reload();
      });
    } else {
      enableLines();
      // A revealed burn paste no longer exists on the server: copy what the page shows.
      enableCopy(function () {
        if (article.dataset.burned) {
          return Promise.resolve(
            lines
              .map(function (line) {
                return line.textContent.slice(line.querySelector('.ln').textContent.length);
              })
              .join('\n') + '\n'
          );
        }
        return fetch('/raw/' + id).then(function (r) {
          if (!r.ok) throw new Error(r.statusText);
          return r.text();
        });
      });
    }

    var remove = article.querySelector('button.delete');
    var token = storedToken(id);
    if (remove && token) {
      remove.hidden = false;
      remove.addEventListener('click', function () {
        if (!confirm('Delete this paste for everyone?')) return;
        fetch('/' + id, { method: 'DELETE', headers: { 'X-Delete-Token': token } }).then(function (r) {
          if (r.status === 204 || r.status === 404) {
            try {
              localStorage.removeItem(tokenKey(id));
            } catch (e) {
              // nothing to clean up
            }
            location.assign('/');
          } else {
            remove.textContent = 'Delete failed (' + r.status + ')';
          }
        });
      });
    }
  }
})();
