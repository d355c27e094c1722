import type { ConsoleState } from '../console-data';

/** The token the page was served with: state-changing calls carry it (emulator/console/console-token.ts). */
const token = document.querySelector<HTMLMetaElement>('meta[name="faasport-token"]')?.content ?? '';

async function call(method: 'GET' | 'POST', path: string, body?: string): Promise<Response> {
  const response = await fetch(path, {
    method,
    headers: { 'x-faasport-console-token': token, ...(body ? { 'content-type': 'application/json' } : {}) },
    ...(body ? { body } : {}),
  });
  if (!response.ok) {
    const text = await response.text();
    let message = text;
    try {
      message = (JSON.parse(text) as { message?: string }).message ?? text;
    } catch {
      // not JSON: shown as it is
    }
    throw new Error(`${response.status}: ${message}`);
  }
  return response;
}

export const api = {
  state: async () => (await (await call('GET', '/__faasport/api/state')).json()) as ConsoleState,
  input: async (requestId: string) =>
    (await call('GET', `/__faasport/api/invocations/${encodeURIComponent(requestId)}/input`)).text(),
  replay: async (requestId: string, event: string) =>
    (await call('POST', `/__faasport/api/invocations/${encodeURIComponent(requestId)}/replay`, event)).json(),
  recycle: async (name: string) =>
    (await call('POST', `/__faasport/api/functions/${encodeURIComponent(name)}/recycle`, '{}')).json(),
  sample: async (name: string, kind: string) =>
    (
      await call(
        'POST',
        `/__faasport/api/functions/${encodeURIComponent(name)}/sample`,
        JSON.stringify({ kind }),
      )
    ).json() as Promise<{
      output: string;
      succeeded: boolean;
    }>,
};
