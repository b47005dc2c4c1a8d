// Loads a CloudFront Function (a bare `handler` in a file) for node's test runner.
'use strict';
const fs = require('node:fs');
const path = require('node:path');

function load(file) {
  const source = fs.readFileSync(path.join(__dirname, file), 'utf8');
  return new Function(source + '\nreturn handler;')();
}

module.exports = { load };
