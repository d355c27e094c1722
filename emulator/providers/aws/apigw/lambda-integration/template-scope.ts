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

const SHORT_ESCAPES: Record<string, string> = {
  '\b': '\\b',
  '\n': '\\n',
  '\t': '\\t',
  '\f': '\\f',
  '\r': '\\r',
  "'": "\\'",
  '"': '\\"',
  '\\': '\\\\',
  '/': '\\/',
};

/**
 * JavaScript string rules as API Gateway's `$util.escapeJavaScript` (Java's escapeJavaScript)
 * applies them: quotes, backslash and `/` escaped, control and non-ASCII characters as `\uXXXX`.
 */
export function escapeJavaScript(text: string): string {
  let out = '';
  for (const char of text) {
    const short = SHORT_ESCAPES[char];
    if (short) {
      out += short;
      continue;
    }
    const code = char.codePointAt(0) ?? 0;
    if (code >= 0x20 && code <= 0x7f) out += char;
    else
      for (let i = 0; i < char.length; i++)
        out += `\\u${char.charCodeAt(i).toString(16).toUpperCase().padStart(4, '0')}`;
  }
  return out;
}
