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
  /** `trace`: the stack to report instead of this one (the user's, or a frame at their file). */
  constructor(name, message, trace) {
    super(message);
    this.name = name;
    if (typeof trace === 'string') this.stack = trace;
  }
}

/**
 * The stack of an error from the user's module, without the frames of Node's loader and of this
 * runtime: what is left points at their file (and line), as a person would look for it.
 */
function userStack(error) {
  const stack = typeof error?.stack === 'string' ? error.stack : `${error?.name}: ${error?.message}`;
  return stack
    .split('\n')
    .filter((line) => !/^\s+at /.test(line) || (line.includes(taskRoot) && !line.includes(__filename)))
    .join('\n');
}

/** A loader error whose only frame is the user's file (the runtime's own frames say nothing). */
function atFile(name, message, file) {
  return new RuntimeError(name, message, `${name}: ${message}\n    at ${file}`);
}

function findModuleFile(modulePath) {
  for (const ext of ['.js', '.mjs', '.cjs']) {
    const candidate = path.resolve(taskRoot, modulePath + ext);
    if (fs.existsSync(candidate)) return candidate;
  }
  return undefined;
}

/**
 * Loads the handler as Lambda's Node runtime does, with its error types and messages:
 * Runtime.MalformedHandlerName, Runtime.ImportModuleError ("Cannot find module"),
 * Runtime.UserCodeSyntaxError, Runtime.HandlerNotFound; anything else the module throws at load
 * is reported as itself. Each names the user's file, never this runtime.
 */
async function loadHandler() {
  if (handlerName.includes('..')) {
    throw new RuntimeError(
      'Runtime.MalformedHandlerName',
      `'${handlerName}' is not a valid handler name. Use absolute paths when specifying root directories in handler names.`,
    );
  }
  // "dir/file.exported.path": the module is everything before the first dot after the last slash.
  const slash = handlerName.lastIndexOf('/');
  const firstDot = handlerName.indexOf('.', slash + 1);
  if (firstDot <= slash + 1 || firstDot === handlerName.length - 1) {
    throw new RuntimeError('Runtime.MalformedHandlerName', 'Bad handler');
  }
  const modulePath = handlerName.slice(0, firstDot);
  const moduleName = modulePath.slice(slash + 1);
  const exportPath = handlerName.slice(firstDot + 1).split('.');
  const file = findModuleFile(modulePath);
  if (!file) {
    // Lambda's words, which name its own runtime file as the one that asked.
    throw atFile(
      'Runtime.ImportModuleError',
      `Error: Cannot find module '${moduleName}'\nRequire stack:\n- /var/runtime/index.mjs`,
      `${path.resolve(taskRoot, modulePath)}.js`,
    );
  }
  let mod;
  try {
    mod = await import(pathToFileURL(file).href);
  } catch (error) {
    if (error instanceof SyntaxError)
      throw new RuntimeError('Runtime.UserCodeSyntaxError', String(error), userStack(error));
    if (error?.code === 'MODULE_NOT_FOUND' || error?.code === 'ERR_MODULE_NOT_FOUND')
      throw new RuntimeError('Runtime.ImportModuleError', String(error), userStack(error));
    if (error instanceof Error) error.stack = userStack(error);
    throw error;
  }
  let fn = mod;
  for (const key of exportPath)
    fn = fn == null ? undefined : fn[key] !== undefined ? fn[key] : fn.default?.[key];
  if (!fn) throw atFile('Runtime.HandlerNotFound', `${handlerName} is undefined or not exported`, file);
  if (typeof fn !== 'function')
    throw atFile('Runtime.HandlerNotFound', `${handlerName} is not a function`, file);
  return fn;
}

// ---- Invocation ------------------------------------------------------------------------------

/**
 * The Node major version of the managed runtime this instance plays (`AWS_Lambda_nodejs22.x`),
 * not the one that runs it: the process engine runs every function on the host's Node.
 */
const runtimeMajor = Number(/nodejs(\d+)/.exec(process.env.AWS_EXECUTION_ENV || '')?.[1] || 0);
/** From Node.js 24 the managed runtime awaits the handler and knows no callback (see README). */
const callbacksRemoved = runtimeMajor >= 24;

/** Node.js 24 refuses, at init, a handler that declares a third (callback) parameter. */
function refuseCallbackHandler(fn) {
  if (!callbacksRemoved || fn.length < 3) return;
  throw new RuntimeError(
    'Runtime.CallbackHandlerDeprecated',
    'ERROR: Lambda removed callback-based function handlers in Node.js 24: ' +
      `${handlerName} declares a callback parameter. Make it an async handler that returns its result ` +
      '(or set the runtime to nodejs22.x). See https://docs.aws.amazon.com/lambda/latest/dg/nodejs-handler.html.',
  );
}

function makeContext(headers) {
  const deadline = Number(headers['lambda-runtime-deadline-ms']);
  const context = {
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

// ---- When the event loop empties ----------------------------------------------------------------

/** What to do when Node finds nothing left to run ('beforeExit'): set per invocation. */
let onEmptyEventLoop;
process.on('beforeExit', () => {
  const action = onEmptyEventLoop;
  onEmptyEventLoop = undefined;
  if (action) action();
});

/** An async handler whose promise never settled before the event loop emptied. */
function neverSettled() {
  return new RuntimeError(
    'Runtime.NodeJsExit',
    'The handler returned a promise that never settled, and Node.js had nothing left to run. ' +
      'Make sure every promise the handler awaits is resolved or rejected.',
  );
}

/**
 * Node.js 24 and later: the result is whatever the handler returns or resolves to, awaited;
 * the context has no done/succeed/fail and no callbackWaitsForEmptyEventLoop.
 */
function runAwaited(handler, event, context) {
  return new Promise((resolve, reject) => {
    onEmptyEventLoop = () => reject(neverSettled());
    Promise.resolve()
      .then(() => handler(event, context))
      .then(resolve, reject)
      .finally(() => {
        onEmptyEventLoop = undefined;
      });
  });
}

/**
 * Node.js 22 and earlier, as their managed runtime behaves: a returned promise settles the
 * invocation; otherwise `callback` does — at once with an error or when
 * callbackWaitsForEmptyEventLoop is false, else once the event loop is empty (so the result is
 * serialised then) — and context.done/succeed/fail settle it at once. A handler that returns
 * without any of these ends with a null result when nothing is left to run: a plain return
 * value is not the result, as in the cloud.
 */
function runWithCallbacks(handler, event, context) {
  return new Promise((resolve, reject) => {
    let finished = false;
    // The first of callback, done, succeed and fail decides; later calls are ignored, as in the cloud.
    let called = false;
    let waitsForEmptyEventLoop = true;
    const finish = (error, result) => {
      if (finished) return;
      finished = true;
      onEmptyEventLoop = undefined;
      if (error !== undefined && error !== null) reject(typeof error === 'string' ? new Error(error) : error);
      else resolve(result);
    };
    const once =
      (settle) =>
      (...args) => {
        if (called) return;
        called = true;
        settle(...args);
      };
    const callback = once((error, result) => {
      if ((error !== undefined && error !== null) || !waitsForEmptyEventLoop) finish(error, result);
      else onEmptyEventLoop = () => setImmediate(() => finish(null, result));
    });
    Object.defineProperty(context, 'callbackWaitsForEmptyEventLoop', {
      enumerable: true,
      get: () => waitsForEmptyEventLoop,
      set: (value) => {
        waitsForEmptyEventLoop = Boolean(value);
      },
    });
    context.done = once((error, result) => finish(error, result));
    context.succeed = once((result) => finish(null, result));
    context.fail = once((error) => finish(error === undefined || error === null ? 'handled' : error));
    let returnedPromise = false;
    onEmptyEventLoop = () => (returnedPromise ? finish(neverSettled()) : finish(null, null));
    try {
      const returned = handler(event, context, callback);
      if (returned && typeof returned.then === 'function') {
        returnedPromise = true;
        returned.then(
          once((result) => finish(null, result)),
          once((error) => finish(error || new Error('Promise rejected'))),
        );
      }
    } catch (error) {
      finish(error);
    }
  });
}

const runHandler = callbacksRemoved ? runAwaited : runWithCallbacks;

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
    refuseCallbackHandler(handler);
  } catch (error) {
    // The message, then where: the user's file (and line), never this runtime's frames.
    const where = errorPayload(error).trace.filter((line) => /^\s+at |^\/.*:\d+$/.test(line));
    console.error([`${error?.name}: ${error?.message}`, ...where].join('\n'));
    await postError('/runtime/init/error', error);
    process.exit(1);
  }
  await loop(handler);
}

main().catch((error) => {
  process.stderr.write(`faasport bootstrap: ${error?.stack ? error.stack : error}\n`);
  process.exit(1);
});
