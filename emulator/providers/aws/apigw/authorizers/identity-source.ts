import { UserError } from '../../../../../common/errors';

/** Where an authorizer's identity comes from: a header, a query parameter, a context or stage variable. */
export interface IdentitySource {
  from: 'header' | 'querystring' | 'context' | 'stageVariables';
  name: string;
  /** As written, for errors. */
  text: string;
}

/** What a request offers identity sources (header names compared case-insensitively). */
export interface IdentityInputs {
  headers: [string, string][];
  query: [string, string][];
  context?: Record<string, unknown>;
  stageVariables?: Record<string, string>;
}

const REST = /^(?:method\.request\.(header|querystring)|(context|stageVariables))\.(.+)$/;
const HTTP_API = /^\$(?:request\.(header|querystring)|(context|stageVariables))\.(.+)$/;

/**
 * REST (`method.request.header.Authorization, method.request.querystring.t`) or HTTP API
 * (`$request.header.Authorization`) identity sources: a comma-separated string or a list.
 */
export function parseIdentitySources(
  value: unknown,
  style: 'rest' | 'http-api',
  where: string,
): IdentitySource[] {
  const texts = (Array.isArray(value) ? value.map(String) : typeof value === 'string' ? value.split(',') : [])
    .map((text) => text.trim())
    .filter(Boolean);
  return texts.map((text) => {
    const match = (style === 'rest' ? REST : HTTP_API).exec(text);
    if (!match)
      throw new UserError(`${where}: "${text}" is not an identity source`, {
        hint:
          style === 'rest'
            ? 'Write method.request.header.<name>, method.request.querystring.<name>, context.<name> or stageVariables.<name>.'
            : 'Write $request.header.<name>, $request.querystring.<name>, $context.<name> or $stageVariables.<name>.',
        exitCode: 2,
      });
    return { from: (match[1] ?? match[2]) as IdentitySource['from'], name: match[3] as string, text };
  });
}

/** The value of each source, in order; undefined for a source the request does not carry. */
export function identityValues(sources: IdentitySource[], inputs: IdentityInputs): (string | undefined)[] {
  return sources.map((source): string | undefined => {
    switch (source.from) {
      case 'header': {
        const lower = source.name.toLowerCase();
        const values = inputs.headers
          .filter(([name]) => name.toLowerCase() === lower)
          .map(([, value]) => value);
        return values.length ? values.join(',') : undefined;
      }
      case 'querystring': {
        const values = inputs.query.filter(([name]) => name === source.name).map(([, value]) => value);
        return values.length ? values.join(',') : undefined;
      }
      case 'context': {
        const value = inputs.context?.[source.name];
        return value === undefined || value === null ? undefined : String(value);
      }
      default:
        return inputs.stageVariables?.[source.name];
    }
  });
}

/** An identity value that is missing or empty makes the request unauthorized (401). */
export function missingIdentity(values: (string | undefined)[]): boolean {
  return values.some((value) => value === undefined || value === '');
}
