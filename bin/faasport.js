#!/usr/bin/env node
'use strict';
// Plain JavaScript so the version check runs before anything that needs a newer Node.
const major = Number(process.versions.node.split('.')[0]);
const pinned = process.env.FAASPORT_NODE; // run faasport on this Node binary instead
if (pinned && pinned !== process.execPath && !process.env.FAASPORT_REEXEC) {
  reexec(pinned);
} else if (major < 22) {
  // In a checkout, the `node` devDependency ships Node 24: re-run on it rather than refuse.
  let bundled;
  try {
    bundled = require.resolve('node/bin/node', { paths: [require('node:path').join(__dirname, '..')] });
  } catch {
    bundled = undefined;
  }
  if (bundled && !process.env.FAASPORT_REEXEC) {
    reexec(bundled);
  } else {
    process.stderr.write(
      `faasport needs Node.js 22 or newer (this is ${process.version}).\n` +
        '  → Install Node 22 or 24 (for example `nvm install 24`), or run it as `npx -p node@24 -p serverless-faasport faasport …`.\n',
    );
    process.exit(1);
  }
} else {
  run();
}

/**
 * Runs this script again on `node` and becomes a transparent parent: the signals a user or a
 * supervisor sends to this PID (Ctrl-C, `kill`, a terminal closing) reach the child — which stops
 * what it started — and this process exits as the child did.
 */
function reexec(node) {
  const { spawn } = require('node:child_process');
  const child = spawn(node, [__filename, ...process.argv.slice(2)], {
    stdio: 'inherit',
    env: { ...process.env, FAASPORT_REEXEC: '1', FAASPORT_USER_NODE: process.version },
  });
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) {
    process.on(signal, () => {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
    });
  }
  child.on('error', (error) => {
    process.stderr.write(`faasport: cannot run ${node}: ${error.message}\n`);
    process.exit(1);
  });
  child.on('exit', (code, signal) => {
    if (signal) {
      // Die of the same signal, so our parent sees what the child saw.
      for (const name of ['SIGINT', 'SIGTERM', 'SIGHUP']) process.removeAllListeners(name);
      process.kill(process.pid, signal);
      return;
    }
    process.exit(code ?? 1);
  });
}

function run() {
  let cli;
  try {
    cli = require('../dist/cli/main.js');
  } catch (error) {
    if (error && error.code === 'MODULE_NOT_FOUND' && String(error.message).includes('dist/cli/main.js')) {
      process.stderr.write(
        'faasport is not built: dist/ is missing.\n' +
          '  → In a checkout run `npm install` (its prepare script builds) or `npm run build`; to install from a folder or git, use a tarball made by `npm pack`.\n',
      );
      process.exit(1);
    }
    throw error;
  }
  cli.main(process.argv.slice(2)).then(
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
}
