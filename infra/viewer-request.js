function handler(event) {
  var request = event.request;
  var headers = request.headers;
  headers['x-viewer-ip'] = { value: event.viewer.ip };
  headers['x-viewer-host'] = { value: headers.host ? headers.host.value : '' };
  if (request.method === 'DELETE' && headers.authorization && !headers['x-delete-token']) {
    // Authorization stays out of the cache key, and CloudFront only forwards it when it is in
    // the key: a delete token sent as a Bearer token travels in the header the origin also reads.
    var bearer = /^\s*bearer\s+(\S+)\s*$/i.exec(headers.authorization.value);
    if (bearer) headers['x-delete-token'] = { value: bearer[1] };
  }
  if (request.method === 'GET' || request.method === 'HEAD') {
    canonicalise(request);
  }
  return request;
}

// One cache entry per paste and representation: the path with its id decoded, no query string
// but `download` on /raw/, and Accept reduced to the three representations where the origin
// negotiates (the share link /{id}). Every cached copy then sits under a key that a delete's
// invalidation of /{id} and /raw/{id} names, and no client can spread a paste over more keys.
function canonicalise(request) {
  var uri = request.uri;
  if (uri.indexOf('%') >= 0) {
    try {
      var decoded = decodeURIComponent(uri);
      if (/^[A-Za-z0-9\/._-]*$/.test(decoded)) uri = decoded;
    } catch (e) {
      // not valid percent-encoding: left as sent, the origin answers 404
    }
    request.uri = uri;
  }
  var raw = uri.indexOf('/raw/') === 0;
  request.querystring = raw && request.querystring.download ? { download: { value: '1' } } : {};
  if (/^\/[^\/]+$/.test(uri)) {
    var accept = request.headers.accept;
    request.headers.accept = { value: representation(accept ? accept.value : '') };
  }
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
