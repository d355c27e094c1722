import { performance } from 'node:perf_hooks';
import { formatColumns } from '../../common/columns';
import { gcpTriggers } from '../../common/service/gcp-triggers';
import type { Emulator, Endpoint } from '../../emulator/emulator';
import type { PublishOutcome } from '../../emulator/providers/gcp/gcp-front-end';

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

const PROVIDER_ORDER = ['aws', 'gcp', 'azure'];

/** One request of a stop, as the caller saw it and as the emulator reported it. */
type Call = { status: number; ms: number; cold: boolean | undefined; initMs: string | undefined };

/**
 * The demo's scripted tour, provider by provider: every function's HTTP route, and each GCP
 * CloudEvent function through a Pub/Sub publish, once cold (after a recycle) and once warm,
 * timed from the caller's side with the emulator's own view (cold, init time) beside it.
 */
export async function runTour(emulator: Emulator): Promise<TourStop[]> {
  const stops: TourStop[] = [];
  const gcpEvents = (emulator.gcp?.list() ?? []).map(({ model, served }) => ({
    name: served.name,
    triggers: gcpTriggers(model),
  }));
  const seen = new Set<string>();
  // A function's plain route before its catch-all (`/{path+}`) one.
  const endpoints = [...emulator.endpoints()].sort(
    (a, b) => Number(a.url.includes('+}')) - Number(b.url.includes('+}')),
  );
  for (const endpoint of endpoints) {
    const { functionName, provider = '?' } = endpoint;
    if (!functionName || seen.has(`${provider} ${functionName}`)) continue;
    // CloudEvent functions are toured through their events below, not with a bare GET.
    if (provider === 'gcp' && gcpEvents.some((e) => e.name === functionName && e.triggers.length)) continue;
    seen.add(`${provider} ${functionName}`);
    stops.push(await httpStop(emulator, endpoint, functionName));
  }
  for (const { name, triggers } of gcpEvents) {
    const topic = triggers.find((trigger) => trigger.kind === 'pubsub')?.topic;
    if (topic) stops.push(await publishStop(emulator, name, topic));
  }
  const rank = (stop: TourStop) => PROVIDER_ORDER.indexOf(stop.provider) >>> 0;
  return stops.sort((a, b) => rank(a) - rank(b));
}

async function httpStop(emulator: Emulator, endpoint: Endpoint, functionName: string): Promise<TourStop> {
  const method = endpoint.name === 'ANY' ? 'GET' : endpoint.name;
  const url = endpoint.url.replace(/\{[^}]+\+\}/g, 'tour/path').replace(/\{[^}]+\}/g, 'tour');
  const init: RequestInit =
    method === 'GET' || method === 'HEAD'
      ? { method }
      : { method, body: JSON.stringify({ name: 'demo' }), headers: { 'content-type': 'application/json' } };
  const call = async (): Promise<Call> => {
    const { response, ms } = await timed(url, init);
    const cold = response.headers.get('x-faasport-cold');
    return {
      status: response.status,
      ms,
      cold: cold === null ? undefined : cold === 'true',
      initMs: response.headers.get('x-faasport-init-ms') ?? undefined,
    };
  };
  return stop(emulator, endpoint.provider ?? '?', functionName, `${method} ${new URL(url).pathname}`, call);
}

/** A CloudEvent function is reached the way it is in the cloud: a message published to its topic. */
async function publishStop(emulator: Emulator, functionName: string, topic: string): Promise<TourStop> {
  const url = `${emulator.urls.gcp}/__faasport/gcp/topics/${encodeURIComponent(topic)}:publish`;
  const data = Buffer.from(JSON.stringify({ name: 'demo' })).toString('base64');
  const init: RequestInit = {
    method: 'POST',
    body: JSON.stringify({ messages: [{ data }] }),
    headers: { 'content-type': 'application/json' },
  };
  const call = async (): Promise<Call> => {
    const { response, ms } = await timed(url, init);
    const outcome = (await response.json()) as PublishOutcome;
    const delivery = outcome.deliveries.find((d) => d.function === functionName);
    // With one subscriber, the publish answer carries its delivery's cold/warm headers.
    const cold = response.headers.get('x-faasport-cold');
    return {
      status: delivery?.status ?? response.status,
      ms,
      cold: cold === null ? undefined : cold === 'true',
      initMs: response.headers.get('x-faasport-init-ms') ?? undefined,
    };
  };
  return stop(emulator, 'gcp', functionName, `Pub/Sub publish to ${topic}`, call);
}

async function stop(
  emulator: Emulator,
  provider: string,
  functionName: string,
  request: string,
  call: () => Promise<Call>,
): Promise<TourStop> {
  emulator.recycle(functionName);
  const cold = await call();
  const warm = await call();
  return {
    provider,
    functionName,
    request,
    status: cold.status,
    coldMs: cold.ms,
    initMs: cold.cold && cold.initMs !== undefined ? cold.initMs : '—',
    warmMs: warm.ms,
    warmWasWarm: warm.cold === false,
  };
}

async function timed(url: string, init: RequestInit): Promise<{ response: Response; ms: number }> {
  const started = performance.now();
  const response = await fetch(url, init);
  const body = await response.arrayBuffer();
  const ms = performance.now() - started;
  // The body was read for the timing; hand it back for whoever wants it.
  return { response: new Response(body, response), ms };
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
