import type { FunctionModel } from '../../../common/service/service-model';

/** An HTTP trigger of a function, read from `http`, `httpApi` and `url` in serverless.yml. */
export interface AwsHttpTrigger {
  kind: 'rest' | 'http-api' | 'function-url';
  method: string;
  /** Template without the stage, e.g. `/items/{id}`. */
  path: string;
  /** HTTP API route key: `GET /items/{id}` or `$default`. */
  routeKey: string;
  /** REST: the event's `operationId` (`requestContext.operationName`). */
  operationId?: string;
  /** The event's settings as written (authorizer, cors, integration, …); `{}` for the short forms. */
  spec: Record<string, unknown>;
  /** Position in the function's `events` (for messages); -1 for the function URL. */
  eventIndex: number;
}

export function awsHttpTriggers(fn: FunctionModel): AwsHttpTrigger[] {
  const triggers: AwsHttpTrigger[] = [];
  for (const [eventIndex, event] of fn.events.entries()) {
    if ('http' in event) {
      const { method, path } = methodAndPath(event.http);
      const operationId = (event.http as { operationId?: unknown } | null)?.operationId;
      triggers.push({
        kind: 'rest',
        method,
        path,
        routeKey: `${method} ${path}`,
        ...(typeof operationId === 'string' ? { operationId } : {}),
        spec: specOf(event.http),
        eventIndex,
      });
    }
    if ('httpApi' in event) {
      const spec = event.httpApi;
      if (spec === '*') {
        triggers.push({
          kind: 'http-api',
          method: 'ANY',
          path: '/{proxy+}',
          routeKey: '$default',
          spec: {},
          eventIndex,
        });
      } else {
        const { method, path } = methodAndPath(spec);
        triggers.push({
          kind: 'http-api',
          method,
          path,
          routeKey: method === 'ANY' && path === '/{proxy+}' ? '$default' : `${method} ${path}`,
          spec: specOf(spec),
          eventIndex,
        });
      }
    }
  }
  if (fn.url)
    triggers.push({
      kind: 'function-url',
      method: 'ANY',
      path: '/{proxy+}',
      routeKey: '$default',
      spec: {},
      eventIndex: -1,
    });
  return triggers;
}

function specOf(spec: unknown): Record<string, unknown> {
  return spec && typeof spec === 'object' && !Array.isArray(spec) ? (spec as Record<string, unknown>) : {};
}

/** `GET /items/{id}`, `{ method: get, path: items/{id} }`, `*` as method → ANY. */
function methodAndPath(spec: unknown): { method: string; path: string } {
  if (typeof spec === 'string') {
    const [method = 'ANY', path = '/'] = spec.trim().split(/\s+/, 2);
    return { method: normalizeMethod(method), path: normalizePath(path) };
  }
  if (spec && typeof spec === 'object') {
    const record = spec as Record<string, unknown>;
    return {
      method: normalizeMethod(String(record.method ?? 'ANY')),
      path: normalizePath(String(record.path ?? '/')),
    };
  }
  return { method: 'ANY', path: '/' };
}

function normalizeMethod(method: string): string {
  return method === '*' ? 'ANY' : method.toUpperCase();
}

function normalizePath(path: string): string {
  const trimmed = path.replace(/^\/+|\/+$/g, '');
  return trimmed === '*' ? '/{proxy+}' : `/${trimmed}`;
}
