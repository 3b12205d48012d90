#!/usr/bin/env node
'use strict';
// The CLI is compiled to dist/ by `npm run build`, which `npm ci` runs through the `prepare` script.
const fs = require('node:fs');
const path = require('node:path');

const main = path.join(__dirname, '..', 'dist', 'src', 'main.js');
if (!fs.existsSync(main)) {
  process.stderr.write(
    'error E_INTERNAL: dist/src/main.js is missing; run npm ci (or npm run build) first\n',
  );
  process.exit(2);
}
require(main).main();
