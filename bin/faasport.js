#!/usr/bin/env node
'use strict';
// Plain JavaScript so the version check runs before anything that needs a newer Node.
const major = Number(process.versions.node.split('.')[0]);
if (major < 22) {
  // In a checkout, the `node` devDependency ships Node 24: re-run on it rather than refuse.
  let bundled;
  try {
    bundled = require.resolve('node/bin/node', { paths: [require('node:path').join(__dirname, '..')] });
  } catch {
    bundled = undefined;
  }
  if (bundled && !process.env.FAASPORT_REEXEC) {
    const { spawnSync } = require('node:child_process');
    const result = spawnSync(bundled, [__filename, ...process.argv.slice(2)], {
      stdio: 'inherit',
      env: { ...process.env, FAASPORT_REEXEC: '1' },
    });
    process.exit(result.status ?? 1);
  }
  process.stderr.write(
    `faasport needs Node.js 22 or newer (this is ${process.version}).\n` +
      '  → Install Node 22 or 24 (for example `nvm install 24`), or run it as `npx -p node@24 -p serverless-faasport faasport …`.\n',
  );
  process.exit(1);
}
require('../dist/cli/main.js')
  .main(process.argv.slice(2))
  .then(
    (code) => {
      process.exitCode = code;
    },
    (error) => {
      process.stderr.write(
        `faasport: internal error — please report it.\n${error?.stack ? error.stack : error}\n`,
      );
      process.exitCode = 70;
    },
  );
