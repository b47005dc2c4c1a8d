function handler(event) {
  var request = event.request;
  var headers = request.headers;
  headers['x-viewer-ip'] = { value: event.viewer.ip };
  headers['x-viewer-host'] = { value: headers.host ? headers.host.value : '' };
  if (request.method === 'GET' || request.method === 'HEAD') {
    headers.accept = { value: representation(headers.accept ? headers.accept.value : '') };
  }
  return request;
}

// The same choice the server makes (functions/http/src/negotiate.rs): HTML if text/html is
// accepted at least as much as JSON, JSON if only that, raw text otherwise.
function representation(accept) {
  var html = 0;
  var json = 0;
  var ranges = accept.toLowerCase().split(',');
  for (var i = 0; i < ranges.length; i++) {
    var parts = ranges[i].split(';');
    var media = parts[0].trim();
    var q = 1;
    for (var j = 1; j < parts.length; j++) {
      var p = parts[j].trim();
      if (p.indexOf('q=') === 0) {
        var v = parseFloat(p.slice(2));
        if (!isNaN(v)) q = v;
      }
    }
    if (media === 'text/html' || media === 'application/xhtml+xml') html = Math.max(html, q);
    if (media === 'application/json') json = Math.max(json, q);
  }
  if (html > 0 && html >= json) return 'text/html';
  if (json > 0) return 'application/json';
  return '*/*';
}
