'use strict';
// faasport's Lambda runtime client for Node.js: the loop that a managed runtime runs inside
// every Lambda execution environment. It speaks the Runtime API (2018-06-01) at
// $AWS_LAMBDA_RUNTIME_API, loads $_HANDLER from $LAMBDA_TASK_ROOT and formats logs the way the
// cloud does. Plain JavaScript with no dependencies: it runs on any Node ≥ 18 the image has.

const http = require('node:http');
const path = require('node:path');
const fs = require('node:fs');
const util = require('node:util');
const { pathToFileURL } = require('node:url');

const [apiHost, apiPortText] = (process.env.AWS_LAMBDA_RUNTIME_API || '127.0.0.1:9001').split(':');
const apiPort = Number(apiPortText || 80);
const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
const taskRoot = process.env.LAMBDA_TASK_ROOT || process.cwd();
// Managed runtimes set _HANDLER; an image's entrypoint passes its CMD (the handler) as argv.
const handlerName = process.env._HANDLER || process.argv[2] || '';

let currentRequestId;

// ---- Runtime API client ----------------------------------------------------------------------

function request(method, pathname, body, headers) {
  return new Promise((resolve, reject) => {
    const req = http.request(
      { host: apiHost, port: apiPort, method, path: `/2018-06-01${pathname}`, agent, headers },
      (res) => {
        const chunks = [];
        res.on('data', (chunk) => chunks.push(chunk));
        res.on('end', () =>
          resolve({ status: res.statusCode, headers: res.headers, body: Buffer.concat(chunks) }),
        );
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

/** Starts the line that ends an invocation's output (see markOutput). */
const OUTPUT_MARK_PREFIX = 'faasport-output-mark ';

function postJson(pathname, value, headers = {}) {
  const body = Buffer.from(JSON.stringify(value === undefined ? null : value));
  return request('POST', pathname, body, {
    'content-type': 'application/json',
    'content-length': body.length,
    ...headers,
  });
}

function errorPayload(error) {
  const err =
    error instanceof Error ? error : new Error(typeof error === 'string' ? error : util.inspect(error));
  return {
    errorType: err.name || 'Error',
    errorMessage: err.message,
    trace: typeof err.stack === 'string' ? err.stack.split('\n') : [],
  };
}

async function postError(pathname, error, headers = {}) {
  const payload = errorPayload(error);
  await postJson(pathname, payload, { ...headers, 'lambda-runtime-function-error-type': payload.errorType });
}

// ---- Logging in the cloud's text format ------------------------------------------------------

function patchConsole() {
  const write =
    (stream, level) =>
    (...args) => {
      const line = `${new Date().toISOString()}\t${currentRequestId || 'undefined'}\t${level}\t${util.format(...args)}\n`;
      stream.write(line);
    };
  console.log = write(process.stdout, 'INFO');
  console.info = write(process.stdout, 'INFO');
  console.debug = write(process.stdout, 'DEBUG');
  console.trace = write(process.stdout, 'TRACE');
  console.warn = write(process.stderr, 'WARN');
  console.error = write(process.stderr, 'ERROR');
}

// ---- Handler loading -------------------------------------------------------------------------

class RuntimeError extends Error {
  constructor(name, message, cause) {
    super(message);
    this.name = name;
    // The user's error stack says where (file:line); keep it as the trace.
    if (cause && typeof cause.stack === 'string') this.stack = cause.stack;
  }
}

function findModuleFile(modulePath) {
  for (const ext of ['.js', '.mjs', '.cjs']) {
    const candidate = path.resolve(taskRoot, modulePath + ext);
    if (fs.existsSync(candidate)) return candidate;
  }
  return undefined;
}

async function loadHandler() {
  // "dir/file.exported.path": the module is everything before the first dot after the last slash.
  const slash = handlerName.lastIndexOf('/');
  const firstDot = handlerName.indexOf('.', slash + 1);
  if (firstDot <= slash + 1 || firstDot === handlerName.length - 1) {
    throw new RuntimeError('Runtime.MalformedHandlerName', `Bad handler ${handlerName}`);
  }
  const modulePath = handlerName.slice(0, firstDot);
  const exportPath = handlerName.slice(firstDot + 1).split('.');
  const file = findModuleFile(modulePath);
  if (!file) {
    throw new RuntimeError(
      'Runtime.ImportModuleError',
      `Error: Cannot find module '${modulePath}'\nRequire stack:\n- ${__filename}`,
    );
  }
  let mod;
  try {
    mod = await import(pathToFileURL(file).href);
  } catch (error) {
    if (error instanceof SyntaxError)
      throw new RuntimeError('Runtime.UserCodeSyntaxError', `${error.name}: ${error.message}`, error);
    throw new RuntimeError('Runtime.ImportModuleError', `${error?.name}: ${error?.message}`, error);
  }
  let fn = mod;
  for (const key of exportPath)
    fn = fn == null ? undefined : fn[key] !== undefined ? fn[key] : fn.default?.[key];
  if (typeof fn !== 'function') {
    throw new RuntimeError(
      'Runtime.HandlerNotFound',
      `${modulePath}.${exportPath.join('.')} is undefined or not exported`,
    );
  }
  return fn;
}

// ---- Invocation ------------------------------------------------------------------------------

function makeContext(headers) {
  const deadline = Number(headers['lambda-runtime-deadline-ms']);
  const context = {
    callbackWaitsForEmptyEventLoop: true,
    functionName: process.env.AWS_LAMBDA_FUNCTION_NAME,
    functionVersion: process.env.AWS_LAMBDA_FUNCTION_VERSION,
    invokedFunctionArn: headers['lambda-runtime-invoked-function-arn'],
    memoryLimitInMB: process.env.AWS_LAMBDA_FUNCTION_MEMORY_SIZE,
    awsRequestId: headers['lambda-runtime-aws-request-id'],
    logGroupName: process.env.AWS_LAMBDA_LOG_GROUP_NAME,
    logStreamName: process.env.AWS_LAMBDA_LOG_STREAM_NAME,
    getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
  };
  if (headers['lambda-runtime-client-context'])
    context.clientContext = JSON.parse(headers['lambda-runtime-client-context']);
  if (headers['lambda-runtime-cognito-identity'])
    context.identity = JSON.parse(headers['lambda-runtime-cognito-identity']);
  return context;
}

/** Runs the handler in either style: async (returns a promise) or callback (three parameters). */
function runHandler(handler, event, context) {
  return new Promise((resolve, reject) => {
    let settled = false;
    const done = (error, result) => {
      if (settled) return;
      settled = true;
      if (error !== undefined && error !== null) reject(error);
      else resolve(result);
    };
    context.done = done;
    context.succeed = (result) => done(null, result);
    context.fail = (error) => done(error === undefined ? new Error('handled') : error);
    try {
      const returned = handler(event, context, done);
      if (returned && typeof returned.then === 'function')
        returned.then(
          (r) => done(null, r),
          (e) => done(e || new Error('Promise rejected')),
        );
      else if (handler.length < 3) done(null, returned);
    } catch (error) {
      done(error);
    }
  });
}

async function loop(handler) {
  for (;;) {
    const next = await request('GET', '/runtime/invocation/next');
    if (next.status !== 200) {
      process.stderr.write(`faasport bootstrap: /next answered ${next.status}; exiting\n`);
      process.exit(1);
    }
    const requestId = next.headers['lambda-runtime-aws-request-id'];
    currentRequestId = requestId;
    if (next.headers['lambda-runtime-trace-id'])
      process.env._X_AMZN_TRACE_ID = next.headers['lambda-runtime-trace-id'];
    else delete process.env._X_AMZN_TRACE_ID;
    let event;
    try {
      event = JSON.parse(next.body.toString('utf8'));
    } catch (error) {
      await postError(
        `/runtime/invocation/${requestId}/error`,
        new RuntimeError('Runtime.UnmarshalError', `Unable to parse event: ${error.message}`),
      );
      continue;
    }
    try {
      const result = await runHandler(handler, event, makeContext(next.headers));
      // A 413 (response too large) is reported to the caller by the Runtime API itself.
      await postJson(`/runtime/invocation/${requestId}/response`, result, await markOutput(requestId));
    } catch (error) {
      console.error(`Invoke Error \t${JSON.stringify(errorPayload(error))}`);
      await postError(`/runtime/invocation/${requestId}/error`, error, await markOutput(requestId));
    }
  }
}

/**
 * Ends an invocation's output with a mark line (`faasport-output-mark <request id>`) on stdout and
 * stderr, and says so in a header of the result: the emulator counts every line before the marks as the invocation's own, however
 * late the engine delivers them.
 */
async function markOutput(requestId) {
  const mark = `${OUTPUT_MARK_PREFIX}${requestId}`;
  const written = (stream) => new Promise((resolve) => stream.write(`${mark}\n`, () => resolve()));
  await Promise.all([written(process.stdout), written(process.stderr)]);
  return { 'x-faasport-output-mark': 'stdout,stderr' };
}

async function main() {
  patchConsole();
  process.on('unhandledRejection', (reason) => {
    const error = new RuntimeError(
      'Runtime.UnhandledPromiseRejection',
      `${reason?.stack ? reason.stack : reason}`,
    );
    console.error(`Unhandled Promise Rejection \t${JSON.stringify(errorPayload(error))}`);
    const target = currentRequestId ? `/runtime/invocation/${currentRequestId}/error` : '/runtime/init/error';
    postError(target, error).finally(() => process.exit(128));
  });
  let handler;
  try {
    handler = await loadHandler();
  } catch (error) {
    console.error(`${error.name}: ${error.message}`);
    await postError('/runtime/init/error', error);
    process.exit(1);
  }
  await loop(handler);
}

main().catch((error) => {
  process.stderr.write(`faasport bootstrap: ${error?.stack ? error.stack : error}\n`);
  process.exit(1);
});
