import type { LoggedRequest } from '../../local-cloud/request-log';

/** How many of the logged requests were `operation`. */
export function countCalls(requests: LoggedRequest[], operation: string): number {
  return requests.filter((r) => r.operation === operation).length;
}
