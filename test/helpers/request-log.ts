import type { Cloud } from '../../common/clouds';
import type { LoggedRequest } from '../../local-cloud/request-log';

/** How many of the logged requests were `operation`. */
export function countCalls(requests: LoggedRequest[], operation: string): number {
  return requests.filter((r) => r.operation === operation).length;
}

/**
 * `Operation subject` of each write call, in order (of one provider's plane when given); the
 * subject, e.g. the function a path names, comes from `subject` ('' for the operation alone).
 */
export function writeCalls(
  requests: LoggedRequest[],
  subject: (request: LoggedRequest) => string,
  provider?: Cloud,
): string[] {
  return requests
    .filter((r) => r.write && (provider === undefined || r.provider === provider))
    .map((r) => `${r.operation} ${subject(r)}`.trim());
}
