// The pages work without this script; it adds conveniences: Ctrl/Cmd+Enter, file drop, keeping
// the delete token (in this browser only, never in a URL), copy, line ranges, delete.
'use strict';

(function () {
  var TOKEN_PREFIX = 'pastebin:token:';

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

    form.addEventListener('submit', function (event) {
      event.preventDefault();
      status.textContent = 'Creating…';
      var data = new FormData(form);
      // Set from the textarea's value, so line breaks stay as typed (a form's own encoding
      // turns them into CRLF).
      data.set('content', textarea.value);
      fetch(form.action, { method: 'POST', body: data, headers: { Accept: 'application/json' } })
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
          location.assign('/' + created.id);
        })
        .catch(function (error) {
          status.textContent = error.message;
          status.classList.add('error');
        });
    });
  }

  // ------------------------------------------------------------------ paste page
  var article = document.querySelector('article.paste');
  if (article) {
    var id = article.dataset.id;
    var lines = Array.prototype.slice.call(article.querySelectorAll('.line'));
    var anchor = null;

    function selectRange(from, to) {
      lines.forEach(function (line, i) {
        line.classList.toggle('selected', i + 1 >= from && i + 1 <= to);
      });
    }

    function applyHash() {
      var m = /^#L(\d+)(?:-L(\d+))?$/.exec(location.hash);
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

    article.addEventListener('click', function (event) {
      var link = event.target.closest('a.ln');
      if (!link) return;
      event.preventDefault();
      var n = Number(link.textContent);
      var hash = event.shiftKey && anchor ? '#L' + Math.min(anchor, n) + '-L' + Math.max(anchor, n) : '#L' + n;
      if (!event.shiftKey) anchor = n;
      history.replaceState(null, '', hash);
      applyHash();
    });
    window.addEventListener('hashchange', applyHash);
    applyHash();

    var copy = article.querySelector('button.copy');
    if (copy) {
      copy.hidden = false;
      // A revealed burn paste no longer exists on the server: copy what the page shows.
      function pageText() {
        return Promise.resolve(
          lines
            .map(function (line) {
              return line.textContent.slice(line.querySelector('.ln').textContent.length);
            })
            .join('\n') + '\n'
        );
      }
      copy.addEventListener('click', function () {
        (article.dataset.burned
          ? pageText()
          : fetch('/raw/' + id).then(function (r) {
              if (!r.ok) throw new Error(r.statusText);
              return r.text();
            })
        )
          .then(function (text) {
            return navigator.clipboard.writeText(text);
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
