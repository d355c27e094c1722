import { performance } from 'node:perf_hooks';
import { formatColumns } from '../../common/columns';
import type { Emulator, Endpoint } from '../../emulator/emulator';

export interface TourStop {
  provider: string;
  functionName: string;
  request: string;
  status: number;
  coldMs: number;
  initMs: string;
  warmMs: number;
  warmWasWarm: boolean;
}

/**
 * The demo's scripted tour: every HTTP route once cold (after a recycle) and once warm, timed
 * from the caller's side, with the emulator's own view (x-faasport-* headers) beside it.
 */
export async function runTour(emulator: Emulator): Promise<TourStop[]> {
  const stops: TourStop[] = [];
  const seen = new Set<string>();
  for (const endpoint of emulator.endpoints()) {
    if (!endpoint.functionName || seen.has(endpoint.functionName)) continue;
    seen.add(endpoint.functionName);
    stops.push(await visit(emulator, endpoint, endpoint.functionName));
  }
  return stops;
}

async function visit(emulator: Emulator, endpoint: Endpoint, functionName: string): Promise<TourStop> {
  const method = endpoint.name === 'ANY' ? 'GET' : endpoint.name;
  const url = endpoint.url.replace(/\{[^}]+\+\}/g, 'tour/path').replace(/\{[^}]+\}/g, 'tour');
  const init: RequestInit =
    method === 'GET' || method === 'HEAD'
      ? { method }
      : { method, body: JSON.stringify({ name: 'demo' }), headers: { 'content-type': 'application/json' } };
  emulator.recycle(functionName);
  const cold = await timed(url, init);
  const warm = await timed(url, init);
  return {
    provider: endpoint.provider ?? '?',
    functionName,
    request: `${method} ${new URL(url).pathname}`,
    status: cold.response.status,
    coldMs: cold.ms,
    initMs: cold.response.headers.get('x-faasport-init-ms') ?? '—',
    warmMs: warm.ms,
    warmWasWarm: warm.response.headers.get('x-faasport-cold') === 'false',
  };
}

async function timed(url: string, init: RequestInit): Promise<{ response: Response; ms: number }> {
  const started = performance.now();
  const response = await fetch(url, init);
  await response.arrayBuffer();
  return { response, ms: performance.now() - started };
}

export function formatTour(stops: TourStop[]): string {
  return formatColumns(
    ['PROVIDER', 'FUNCTION', 'REQUEST', 'STATUS', 'COLD', 'INIT', 'WARM'],
    stops.map((stop) => [
      stop.provider,
      stop.functionName,
      stop.request,
      String(stop.status),
      `${stop.coldMs.toFixed(0)} ms`,
      stop.initMs === '—' ? '—' : `${Number(stop.initMs).toFixed(0)} ms`,
      `${stop.warmMs.toFixed(1)} ms${stop.warmWasWarm ? '' : ' (not warm!)'}`,
    ]),
  );
}
