export interface RecordedRequest {
  method: string;
  path: string;
  search: string;
  /** Whether an Authorization header was sent (its value is never recorded). */
  authorized: boolean;
}

/** A fetch that records every request, to assert what went over the wire. */
export function countingFetch(): { fetch: typeof fetch; requests: RecordedRequest[] } {
  const requests: RecordedRequest[] = [];
  const wrapped: typeof fetch = (input, init) => {
    const url = new URL(input instanceof Request ? input.url : String(input));
    const headers = new Headers(init?.headers);
    requests.push({
      method: init?.method ?? 'GET',
      path: url.pathname,
      search: url.search,
      authorized: headers.has('authorization'),
    });
    return fetch(input, init);
  };
  return { fetch: wrapped, requests };
}
