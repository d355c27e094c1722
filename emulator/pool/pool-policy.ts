import type { EngineInstance, InstanceExit } from '../engines/engine';

/** What the pool reaches in every instance: the engine instance it ends. */
export interface PooledInstance {
  readonly engine: EngineInstance;
}

/**
 * All a provider says about its instances: its limits, how one starts, what hangs on one. The
 * pool (instance-pool.ts) decides the rest: which instance serves a request, when a request
 * waits or is throttled, and when and how an instance ends.
 */
export interface PoolPolicy<I extends PooledInstance> {
  /** For messages. */
  name: string;
  /** Most instances alive at once (reserved concurrency, max instances, hosts). */
  maxInstances: number;
  /** Requests one instance serves at once: 1 for Lambda, a GCF setting, many for an Azure host. */
  perInstanceConcurrency?: number;
  /** An idle instance is reclaimed after this long; 0 keeps instances until close. */
  idleTimeoutMs: number;
  /** At the limit, how long a request waits for capacity (GCP, Azure); 0 throttles at once (AWS). */
  maxQueueWaitMs?: number;
  /** Starts an instance of the current code: the engine instance is up, not yet ready. */
  launch(): Promise<I>;
  /** Resolves once the instance can serve; throws the provider's start error (the pool kills it). */
  ready(instance: I): Promise<void>;
  /** The instance is about to end: fail what waits on it, drop its connections. */
  detach?(instance: I): void;
  /** The instance has ended: free what the provider held for it. */
  dispose?(instance: I): Promise<void>;
  /** The instance has ended, and why (for the event stream). */
  ended?(instance: I, reason: string): void;
  /** The instance exited on its own, not ended by the pool. */
  onExit?(instance: I, exit: InstanceExit): void;
}
