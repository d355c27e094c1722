'use strict';
// faasport's Azure Functions host worker for the Node.js v4 programming model. It does what the
// real worker (azure-functions-nodejs-worker) does for @azure/functions: it supplies the
// `@azure/functions-core` module through a require hook, loads the app's entry script, collects
// what `app.*` registers (metadata + callback), and drives each invocation through the
// programming model the library registered (its own HttpRequest / InvocationContext conversions).
// The host side is the emulator; instead of gRPC they speak JSON over HTTP on 127.0.0.1:$PORT:
//   GET  /__faasport/azure/functions  → { functions: [{ name, bindings }], programmingModel }
//   POST /__faasport/azure/invoke     → { functionName, invocationId, inputData, triggerMetadata }
//                                     ← { outputData, returnValue } or { error }
// Binary values travel as { "$base64": "…" } both ways. Plain JavaScript, no dependencies.

const http = require('node:http');
const Module = require('node:module');
const path = require('node:path');
const util = require('node:util');

const scriptRoot = path.resolve(process.env.AzureWebJobsScriptRoot || process.cwd());
const entry = process.env.FAASPORT_AZURE_ENTRY || '';
const port = Number(process.env.PORT || 0);

// ---- the @azure/functions-core API ------------------------------------------------------------

class Disposable {
  constructor(callOnDispose) {
    this.callOnDispose = callOnDispose;
  }
  static from(...items) {
    return new Disposable(() => {
      for (const item of items) item?.dispose?.();
    });
  }
  dispose() {
    const call = this.callOnDispose;
    this.callOnDispose = undefined;
    call?.();
  }
}

const registrations = new Map();
const hooks = { appStart: [], appTerminate: [], preInvocation: [], postInvocation: [], log: [] };
const appHookData = {};
let programmingModel;
let startupDone = false;

function hostLog(level, category, message) {
  const text = `[${level}${category === 'system' ? ', system' : ''}] ${message}`;
  (level === 'error' || level === 'critical' ? process.stderr : process.stdout).write(`${text}\n`);
}

const coreApi = {
  version: '3.10.1',
  hostVersion: '4.1037.0',
  Disposable,
  registerHook(hookName, callback) {
    const list = hooks[hookName];
    if (!list) throw new RangeError(`Unrecognized hook "${hookName}"`);
    list.push(callback);
    return new Disposable(() => {
      const index = list.indexOf(callback);
      if (index >= 0) list.splice(index, 1);
    });
  },
  setProgrammingModel(model) {
    if (startupDone) throw new Error('A programming model cannot be set after the app has started.');
    programmingModel = model;
  },
  getProgrammingModel() {
    return programmingModel;
  },
  registerFunction(metadata, callback) {
    if (startupDone) throw new Error('A function cannot be registered after the app has started.');
    if (!metadata?.name) throw new Error('A function needs a name.');
    if (registrations.has(metadata.name))
      throw new Error(`A function named "${metadata.name}" is already registered.`);
    registrations.set(metadata.name, { metadata, callback });
    return new Disposable(() => registrations.delete(metadata.name));
  },
  log(level, category, message) {
    hostLog(level, category, message);
  },
};

const originalRequire = Module.prototype.require;
Module.prototype.require = function requireWithCore(id, ...rest) {
  if (id === '@azure/functions-core') return coreApi;
  return originalRequire.call(this, id, ...rest);
};

// ---- wire encoding ----------------------------------------------------------------------------

function revive(_key, value) {
  if (
    value &&
    typeof value === 'object' &&
    typeof value.$base64 === 'string' &&
    Object.keys(value).length === 1
  )
    return Buffer.from(value.$base64, 'base64');
  return value;
}

function encode(value) {
  if (Buffer.isBuffer(value)) return { $base64: value.toString('base64') };
  if (value instanceof Uint8Array)
    return { $base64: Buffer.from(value.buffer, value.byteOffset, value.byteLength).toString('base64') };
  if (Array.isArray(value)) return value.map(encode);
  if (value && typeof value === 'object') {
    const out = {};
    for (const [key, item] of Object.entries(value)) if (item !== undefined) out[key] = encode(item);
    return out;
  }
  return value;
}

function errorDocument(error) {
  const err = error instanceof Error ? error : new Error(util.inspect(error));
  return { name: err.name, message: err.message, stack: err.stack };
}

// ---- invocations ------------------------------------------------------------------------------

async function runHooks(name, context) {
  for (const hook of hooks[name]) await hook(context);
}

async function invoke(request) {
  const registration = registrations.get(request.functionName);
  if (!registration) throw new Error(`No function named "${request.functionName}" is registered.`);
  const coreCtx = {
    invocationId: request.invocationId,
    request: {
      invocationId: request.invocationId,
      functionId: request.functionName,
      inputData: request.inputData || [],
      triggerMetadata: request.triggerMetadata || {},
      retryContext: request.retryContext,
      traceContext: { traceParent: request.traceParent, attributes: {} },
    },
    metadata: registration.metadata,
    state: undefined,
    log(level, category, message) {
      hostLog(level, category, message);
    },
  };
  const model = programmingModel.getInvocationModel(coreCtx);
  coreCtx.state = 'preInvocationHooks';
  const { context, inputs } = await model.getArguments();
  const pre = {
    invocationContext: context,
    inputs,
    functionCallback: registration.callback,
    hookData: {},
    appHookData,
  };
  await runHooks('preInvocation', pre);
  coreCtx.state = 'invocation';
  let result;
  let failure;
  try {
    result = await model.invokeFunction(context, pre.inputs, pre.functionCallback);
  } catch (error) {
    failure = error;
  }
  coreCtx.state = 'postInvocationHooks';
  const post = {
    invocationContext: context,
    inputs: pre.inputs,
    result,
    error: failure,
    hookData: pre.hookData,
    appHookData,
  };
  await runHooks('postInvocation', post);
  coreCtx.state = undefined;
  if (post.error !== undefined && post.error !== null) throw post.error;
  return model.getResponse(context, post.result);
}

// ---- start-up and the local protocol ---------------------------------------------------------

function send(res, status, body) {
  const bytes = Buffer.from(JSON.stringify(encode(body)));
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': bytes.length });
  res.end(bytes);
}

function readBody(req) {
  return new Promise((resolve, reject) => {
    const chunks = [];
    req.on('data', (chunk) => chunks.push(chunk));
    req.once('end', () => resolve(Buffer.concat(chunks)));
    req.once('error', reject);
  });
}

async function start() {
  let loadError;
  try {
    if (!entry)
      throw new Error('No entry point: set azure.entryPoint to the script that registers the functions.');
    require(path.resolve(scriptRoot, entry));
    if (!programmingModel)
      throw new Error(
        'The entry point registered no programming model: does it use @azure/functions v4 (app.*)?',
      );
    await programmingModel.getCapabilities({});
    await runHooks('appStart', { hookData: appHookData, appHookData });
  } catch (error) {
    loadError = errorDocument(error);
    hostLog(
      'error',
      'system',
      `Worker was unable to load entry point "${entry}": ${loadError.stack || loadError.message}`,
    );
  }
  startupDone = true;
  const server = http.createServer((req, res) => {
    if (req.method === 'GET' && req.url === '/__faasport/azure/functions') {
      send(res, 200, {
        programmingModel: programmingModel
          ? { name: programmingModel.name, version: programmingModel.version }
          : null,
        functions: [...registrations.values()].map((r) => r.metadata),
        ...(loadError ? { loadError } : {}),
      });
      return;
    }
    if (req.method === 'POST' && req.url === '/__faasport/azure/invoke') {
      readBody(req)
        .then((body) => invoke(JSON.parse(body.toString('utf8'), revive)))
        .then(
          (response) =>
            send(res, 200, { outputData: response.outputData || [], returnValue: response.returnValue }),
          (error) => send(res, 200, { error: errorDocument(error) }),
        );
      return;
    }
    send(res, 404, { error: { message: `unknown path ${req.url}` } });
  });
  server.listen(port, process.env.FAASPORT_LISTEN_HOST || '127.0.0.1');
}

start();
