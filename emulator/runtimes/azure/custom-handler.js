'use strict';
// Starts an Azure Functions custom handler the way the host does: host.json's
// customHandler.description (defaultExecutablePath, arguments, workingDirectory), run from the
// script root, FUNCTIONS_CUSTOMHANDLER_PORT set. The handler's output and exit code pass through;
// SIGTERM and SIGINT are forwarded. No shell is involved.

const { spawn } = require('node:child_process');
const path = require('node:path');

const root = path.resolve(process.env.AzureWebJobsScriptRoot || process.cwd());
const handler = JSON.parse(process.env.FAASPORT_CUSTOM_HANDLER || '{}');
const executable = String(handler.executable || '');
if (!executable) {
  console.error('faasport: host.json customHandler.description.defaultExecutablePath is empty');
  process.exit(1);
}
// A bare name (`node`) is looked up on PATH; a path is relative to the script root.
const command =
  executable.includes('/') || executable.includes('\\') ? path.resolve(root, executable) : executable;
const child = spawn(command, (handler.arguments || []).map(String), {
  cwd: handler.workingDirectory ? path.resolve(root, handler.workingDirectory) : root,
  stdio: 'inherit',
  env: process.env,
});
for (const signal of ['SIGTERM', 'SIGINT']) process.on(signal, () => child.kill(signal));
child.once('error', (error) => {
  console.error(`faasport: cannot start the custom handler ${command}: ${error.message}`);
  process.exit(1);
});
child.once('exit', (code, signal) => process.exit(code ?? (signal ? 128 : 1)));
