import { jsonPath } from './json-path';
import type { TemplateScope } from './velocity-template';

/** The parameters of a method request, as `$input.params()` shows them. */
export interface MethodParams {
  path: Record<string, string>;
  querystring: Record<string, string>;
  header: Record<string, string>;
}

/**
 * The variables of an API Gateway mapping template: `$input` over `body` (the request body, or
 * the integration's response), `$context`, `$stageVariables` and `$util`.
 */
export function templateScope(options: {
  body: string;
  params: MethodParams;
  context: Record<string, unknown>;
  stageVariables?: Record<string, string>;
}): TemplateScope {
  const { body, params } = options;
  let parsed: { value: unknown } | undefined;
  const document = (): unknown => {
    if (!parsed) parsed = { value: parseBody(body) };
    return parsed.value;
  };
  const input = {
    body,
    json: (path: unknown) => JSON.stringify(jsonPath(document(), String(path ?? '$')) ?? null),
    path: (path: unknown) => jsonPath(document(), String(path ?? '$')),
    params: (name?: unknown) => {
      if (name === undefined) return params;
      const key = String(name);
      if (Object.hasOwn(params.path, key)) return params.path[key];
      if (Object.hasOwn(params.querystring, key)) return params.querystring[key];
      const header = Object.keys(params.header).find((h) => h.toLowerCase() === key.toLowerCase());
      return header === undefined ? '' : params.header[header];
    },
  };
  return {
    input,
    context: options.context,
    stageVariables: options.stageVariables ?? {},
    util: UTIL,
  };
}

/** An empty body is `{}` to `$input.json('$')`; a body that is not JSON is its text. */
function parseBody(body: string): unknown {
  if (body.trim() === '') return {};
  try {
    return JSON.parse(body);
  } catch {
    return body;
  }
}

const UTIL = {
  escapeJavaScript: (value: unknown) => escapeJavaScript(String(value ?? '')),
  base64Encode: (value: unknown) => Buffer.from(String(value ?? ''), 'utf8').toString('base64'),
  base64Decode: (value: unknown) => Buffer.from(String(value ?? ''), 'base64').toString('utf8'),
  urlEncode: (value: unknown) => encodeURIComponent(String(value ?? '')).replace(/%20/g, '+'),
  urlDecode: (value: unknown) => decodeURIComponent(String(value ?? '').replace(/\+/g, ' ')),
  parseJson: (value: unknown) => JSON.parse(String(value)),
};

/** JavaScript string rules, as Java's escapeJavaScript applies them (quotes, `/`, controls). */
export function escapeJavaScript(text: string): string {
  return JSON.stringify(text).slice(1, -1).replace(/'/g, "\\'").replace(/\//g, '\\/');
}
