import { join } from 'node:path';
import type { PlaneContext, RunningPlane } from '../cloud-plane';
import { ControlPlaneServer } from '../control-plane-server';
import type { GcpInvoker } from '../invokers';
import type { GcpFunctionRecord } from './function-records';
import { GcpFunctionRecords } from './function-records';
import { GcpFunctionsApi } from './functions-api';
import { DEFAULT_GCP_BEHAVIOUR, type GcpCloudBehaviour } from './gcp-faults';
import { StorageObjects } from './storage-objects';

/** Where the local Google Cloud control plane listens (the `gcp` part of `.faasport/cloud.json`). */
export interface GcpLocalEndpoints {
  /**
   * Cloud Functions v2 REST API (its operations and source uploads too), and the Cloud Storage
   * JSON API subset for sources staged in a bucket (`apiEndpoint` of @google-cloud/storage).
   */
  functions: string;
}

export interface GcpPlaneOptions {
  /** Port of the Cloud Functions API (0 = any free port). */
  port?: number;
  /** Operation delay and injected failures; the plane's `behaviour` stays mutable. */
  behaviour?: Partial<GcpCloudBehaviour>;
  /** Runs deployed functions behind their URL; without it the URL answers 501. */
  invoker?: GcpInvoker;
}

export interface GcpPlane extends RunningPlane<GcpLocalEndpoints> {
  /** Mutable: faults and delays apply to the next calls. */
  behaviour: GcpCloudBehaviour;
  /** What is deployed now. */
  list(): GcpFunctionRecord[];
}

/** Checks the `gcp` part of a cloud file; undefined when it is not a valid one. */
export function parseGcpEndpoints(value: unknown): GcpLocalEndpoints | undefined {
  const functions = (value as { functions?: unknown } | null)?.functions;
  if (typeof functions !== 'string') return undefined;
  try {
    const url = new URL(functions);
    return url.protocol === 'http:' ? { functions } : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Starts the local Cloud Functions v2 control plane: the REST API the SDK's fallback transport
 * speaks, long-running operations, source uploads, the Cloud Storage objects a source may name
 * (implicit buckets; see StorageObjects), and functions recorded under `<stateDir>/gcp/functions`
 * (objects under `<stateDir>/gcp/storage`) when a state folder is given.
 */
export async function startGcpPlane(context: PlaneContext, options: GcpPlaneOptions = {}): Promise<GcpPlane> {
  const behaviour: GcpCloudBehaviour = { ...DEFAULT_GCP_BEHAVIOUR, ...options.behaviour };
  let server: ControlPlaneServer | undefined;
  const baseUrl = () => server?.url ?? '';
  const storage = new StorageObjects({
    behaviour,
    baseUrl,
    ...(context.stateDir ? { dir: join(context.stateDir, 'gcp', 'storage') } : {}),
  });
  await storage.restore();
  const api = new GcpFunctionsApi({
    behaviour,
    storage,
    ...(context.stateDir
      ? { records: new GcpFunctionRecords(join(context.stateDir, 'gcp', 'functions')) }
      : {}),
    ...(options.invoker ? { invoker: options.invoker } : {}),
    baseUrl,
  });
  await api.restore();
  server = new ControlPlaneServer(api.api(), context.log, context.access);
  await server.listen(options.port ?? 0, context.host);
  const running = server;
  return {
    endpoints: { functions: running.url },
    bannerRows: [
      ['Cloud Functions v2', running.url],
      ['Cloud Storage (sources)', running.url],
    ],
    behaviour,
    list: () => api.list(),
    describe: (all) => running.describe(all),
    async stop() {
      await running.close();
      await api.close();
    },
  };
}
