import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { UserError } from '../../../common/errors';
import type { GatewayResponse } from '../../gateway/gateway-response';
import type { Binding, RegisteredFunction } from './azure-app';
import { bodyBytes, type TypedData } from './azure-http';
import type { HostSettings } from './host-json';
import type { WorkerProtocol, WorkerReply } from './worker-protocol';

type CustomHandler = NonNullable<HostSettings['customHandler']>;

/**
 * Custom handlers: the host starts the executable host.json names with
 * FUNCTIONS_CUSTOMHANDLER_PORT, reads the functions from `<function>/function.json`, and invokes
 * `POST /<FunctionName>` with `{"Data": {…}, "Metadata": {…}}`; the handler answers
 * `{"Outputs": {…}, "Logs": […], "ReturnValue": …}`. With enableForwardingHttpRequest an
 * HTTP-only function gets the original request and its response goes back as it is.
 */
export function customHandlerProtocol(
  handler: CustomHandler,
  functions: RegisteredFunction[],
): WorkerProtocol {
  return {
    bootstrap: 'azure/custom-handler.js',
    env: (port) => ({
      FUNCTIONS_CUSTOMHANDLER_PORT: String(port),
      FUNCTIONS_WORKER_RUNTIME: 'custom',
      FAASPORT_CUSTOM_HANDLER: JSON.stringify(handler),
    }),
    async index(probe) {
      await probe(); // the host starts the handler at start-up: fail now if it does not start
      return functions;
    },
    request(input, fn) {
      if (handler.enableForwardingHttpRequest && input.httpRequest && httpOnly(fn)) {
        const request = input.httpRequest;
        // The host's HttpClient adds its traceparent unless the forwarded request has one.
        const traced = request.headers.some(([name]) => name.toLowerCase() === 'traceparent');
        return {
          method: request.method,
          path: `${request.path}${request.rawQuery ? `?${request.rawQuery}` : ''}`,
          headers: traced ? request.headers : [...request.headers, ['traceparent', input.traceParent]],
          body: request.body,
        };
      }
      const data: Record<string, unknown> = {};
      for (const { name, data: value } of input.inputData) data[name] = plain(value);
      const metadata: Record<string, unknown> = {};
      for (const [key, value] of Object.entries(input.triggerMetadata ?? {})) metadata[key] = plain(value);
      metadata.sys = { MethodName: fn.name, UtcNow: new Date().toISOString(), RandGuid: input.invocationId };
      return {
        method: 'POST',
        path: `/${fn.name}`,
        headers: [
          ['content-type', 'application/json'],
          ['x-azure-functions-invocationid', input.invocationId],
          ['traceparent', input.traceParent],
        ],
        body: Buffer.from(JSON.stringify({ Data: data, Metadata: metadata })),
      };
    },
    reply(response, fn) {
      if (handler.enableForwardingHttpRequest && httpOnly(fn)) return { outputData: [], response };
      return handlerReply(response, fn);
    },
  };
}

/** Reads `<scriptRoot>/*\/function.json` as the host does for custom handlers. */
export async function readFunctionJsons(scriptRoot: string): Promise<RegisteredFunction[]> {
  const functions: RegisteredFunction[] = [];
  const entries = await readdir(scriptRoot, { withFileTypes: true });
  for (const entry of entries.filter((e) => e.isDirectory()).sort((a, b) => a.name.localeCompare(b.name))) {
    const file = join(scriptRoot, entry.name, 'function.json');
    const text = await readFile(file, 'utf8').catch(() => undefined);
    if (text === undefined) continue;
    let parsed: { bindings?: Binding[]; disabled?: boolean };
    try {
      parsed = JSON.parse(text) as typeof parsed;
    } catch (error) {
      throw new UserError(`${file} is not valid JSON: ${(error as Error).message}`);
    }
    if (parsed.disabled === true) continue;
    const bindings: Record<string, Binding> = {};
    for (const binding of parsed.bindings ?? []) bindings[binding.name ?? binding.type] = binding;
    functions.push({ name: entry.name, bindings });
  }
  return functions;
}

function httpOnly(fn: RegisteredFunction): boolean {
  return Object.values(fn.bindings).every(
    (b) => b.type.toLowerCase() === 'httptrigger' || b.type.toLowerCase() === 'http',
  );
}

/** A typed value as custom handlers see it (HTTP requests in the documented shape). */
function plain(value: TypedData): unknown {
  if (value.http) {
    const http = value.http;
    const headers: Record<string, string[]> = {};
    for (const [key, item] of Object.entries(http.headers ?? {})) headers[key] = [item];
    const query: Record<string, string> = { ...(http.query ?? {}) };
    return {
      Url: http.url,
      Method: http.method,
      Query: query,
      Headers: headers,
      Params: http.params ?? {},
      Body: bodyBytes(http.body).toString('utf8'),
    };
  }
  if (value.json !== undefined) return JSON.parse(value.json);
  if (value.string !== undefined) return value.string;
  if (value.bytes !== undefined) return Buffer.from(value.bytes).toString('base64');
  return value.int ?? value.double ?? null;
}

function handlerReply(response: GatewayResponse, fn: RegisteredFunction): WorkerReply {
  if (response.status >= 300) {
    return {
      outputData: [],
      error: {
        message: `the custom handler answered ${response.status}: ${response.body.toString('utf8').slice(0, 500)}`,
      },
    };
  }
  let parsed: { Outputs?: Record<string, unknown>; Logs?: unknown[]; ReturnValue?: unknown };
  try {
    parsed = JSON.parse(response.body.toString('utf8') || '{}') as typeof parsed;
  } catch {
    const type = response.headers.find(([k]) => k.toLowerCase() === 'content-type')?.[1] ?? 'no content type';
    return { outputData: [], error: { message: `the custom handler's answer is not JSON (${type})` } };
  }
  const outputData: WorkerReply['outputData'] = [];
  let returnValue: TypedData | undefined;
  for (const [name, binding] of Object.entries(fn.bindings)) {
    if (binding.direction !== 'out') continue;
    const value = name === '$return' ? parsed.ReturnValue : parsed.Outputs?.[name];
    if (value === undefined) continue;
    const data = binding.type.toLowerCase() === 'http' ? { http: httpOutput(value) } : typed(value);
    if (name === '$return') returnValue = data;
    else outputData.push({ name, data });
  }
  return {
    outputData,
    ...(returnValue ? { returnValue } : {}),
    logs: (parsed.Logs ?? []).map((line) => String(line)),
  };
}

/** `{statusCode|status, headers, body}` as a handler writes an HTTP output. */
function httpOutput(value: unknown): NonNullable<TypedData['http']> {
  const out = (typeof value === 'object' && value !== null ? value : { body: value }) as {
    statusCode?: unknown;
    status?: unknown;
    headers?: Record<string, unknown>;
    body?: unknown;
  };
  const headers = Object.fromEntries(Object.entries(out.headers ?? {}).map(([k, v]) => [k, String(v)]));
  return {
    statusCode: String(out.statusCode ?? out.status ?? 200),
    headers,
    body: typed(out.body ?? ''),
  };
}

function typed(value: unknown): TypedData {
  if (typeof value === 'string') return { string: value };
  if (value === null || value === undefined) return {};
  return { json: JSON.stringify(value) };
}
