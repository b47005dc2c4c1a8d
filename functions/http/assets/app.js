// The pages work without this script; it adds conveniences: Ctrl/Cmd+Enter, file drop, keeping
// the delete token (in this browser only, never in a URL), copy, line ranges, delete.
'use strict';

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
    if (encrypt && cryptoAvailable() && Seal) {
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
  if (reveal && reveal.dataset.sealed) {
    // Only with the key and a way to decrypt: a reveal without them deletes the paste unread.
    var notice = document.querySelector('article.burn .status');
    // A key is 32 bytes: 43 characters of base64url.
    if (linkKey().length === 43 && cryptoAvailable()) {
      reveal.querySelector('button').disabled = false;
      if (notice) notice.hidden = true;
    } else if (notice) {
      notice.textContent = linkKey()
        ? 'This link’s key is incomplete: revealing would delete the paste unread. Copy the whole link again.'
        : 'This paste is end-to-end encrypted and this link has no key: revealing would delete it unread. Ask for the whole link, with the part after “#”.';
      notice.classList.add('error');
    }
  }
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

    if (sealed) {
      // The decryption lives in seal.js, which only the pages that need it load.
      if (self.PastebinSealedPage) {
        self.PastebinSealedPage(article, {
          id: id,
          hashPrefix: hashPrefix,
          linkKey: linkKey,
          cryptoAvailable: cryptoAvailable,
          enableLines: enableLines,
          enableCopy: enableCopy,
        });
      }
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
