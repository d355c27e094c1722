'use strict';
// faasport's start-up for Google Cloud Functions (gen2) instances: runs the official
// @google-cloud/functions-framework exactly as the platform does (its own main, configured by
// PORT, FUNCTION_TARGET, FUNCTION_SIGNATURE_TYPE, FUNCTION_SOURCE). The function's own copy of the
// framework wins; otherwise the one the emulator provides on NODE_PATH. Its server is kept on
// 127.0.0.1 (locally nothing but the emulator should reach an instance), or $FAASPORT_LISTEN_HOST
// when the docker engine puts it on a network of its own and publishes its port on loopback.

const fs = require('node:fs');
const http = require('node:http');
const path = require('node:path');

const FRAMEWORK = '@google-cloud/functions-framework';
const source = path.resolve(process.env.FUNCTION_SOURCE || process.cwd());

function frameworkMain() {
  // The package's exports hide main.js: look for its folder the way Node looks for packages.
  const folders = [];
  for (let dir = source; ; dir = path.dirname(dir)) {
    if (path.basename(dir) !== 'node_modules') folders.push(path.join(dir, 'node_modules'));
    if (path.dirname(dir) === dir) break;
  }
  folders.push(...(process.env.NODE_PATH || '').split(path.delimiter).filter(Boolean));
  for (const folder of folders) {
    const main = path.join(folder, FRAMEWORK, 'build', 'src', 'main.js');
    if (fs.existsSync(main)) return main;
  }
  console.error(
    `faasport: ${FRAMEWORK} is neither in the function's node_modules nor provided by the emulator`,
  );
  process.exit(1);
}

const listen = http.Server.prototype.listen;
http.Server.prototype.listen = function listenOnLoopback(...args) {
  // The framework calls listen(port, callback): add the host.
  if (args.length === 2 && typeof args[1] === 'function')
    args.splice(1, 0, process.env.FAASPORT_LISTEN_HOST || '127.0.0.1');
  return listen.apply(this, args);
};

require(frameworkMain());
