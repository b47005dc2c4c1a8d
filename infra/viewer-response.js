// No copy of a paste is served past the paste's expiry. The origin never lets a cache keep a
// paste longer than it lives, but when the origin fails CloudFront serves a cached copy even
// after its lifetime is over; this function runs on every response CloudFront sends and turns a
// paste whose expiry (its Expires header) has passed into a 404 without its body.
function handler(event) {
  var response = event.response;
  var expires = response.headers.expires;
  if (response.statusCode !== 200 || !expires) return response;
  var at = Date.parse(expires.value);
  // A paste is readable through the whole second of its expiry.
  if (isNaN(at) || Date.now() < at + 1000) return response;
  var accept = event.request.headers.accept;
  var html = accept !== undefined && accept.value === 'text/html';
  var message = 'no such paste: it may have expired or been deleted';
  response.statusCode = 404;
  response.statusDescription = 'Not Found';
  var headers = response.headers;
  ['content-encoding', 'content-length', 'content-disposition', 'etag', 'expires', 'last-modified', 'vary'].forEach(function (name) {
    delete headers[name];
  });
  headers['cache-control'] = { value: 'no-store' };
  headers['content-type'] = { value: html ? 'text/html; charset=utf-8' : 'application/json' };
  response.body = {
    encoding: 'text',
    data: html
      ? '<!doctype html><html lang="en"><title>Error 404</title><h1>404</h1><p>' + message + '</p></html>'
      : JSON.stringify({ error: 'not_found', message: message }),
  };
  return response;
}
