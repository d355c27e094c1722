import type {
  Engine,
  EngineInstance,
  InstanceExit,
  InstancePaths,
  InstanceSpec,
} from '../../../../emulator/engines/engine';

/**
 * An engine instance that lives in memory: it exits when the test crashes it or when the
 * emulator kills or stops it, and counts every kill and stop it is asked for.
 */
export class FakeInstance implements EngineInstance {
  readonly exited: Promise<InstanceExit>;
  kills = 0;
  stops = 0;
  /** Ignores SIGTERM: stop() leaves it running until kill() or crash(). */
  stubborn = false;
  private settle!: (exit: InstanceExit) => void;
  private gone = false;

  constructor(
    readonly id: string,
    readonly spec: InstanceSpec,
  ) {
    this.exited = new Promise((resolve) => {
      this.settle = resolve;
    });
  }

  /** How many times the emulator asked it to end, either way. */
  get ends(): number {
    return this.kills + this.stops;
  }

  get running(): boolean {
    return !this.gone;
  }

  /** Exits on its own, as a process that calls exit(code). */
  crash(code = 1): void {
    this.exit({ code, signal: null, outOfMemory: false });
  }

  /** Killed by the kernel for using more than its memory. */
  outOfMemory(): void {
    this.exit({ code: null, signal: 'SIGKILL', outOfMemory: true });
  }

  async kill(): Promise<void> {
    this.kills += 1;
    this.exit({ code: null, signal: 'SIGKILL', outOfMemory: false });
    await this.exited;
  }

  async stop(): Promise<void> {
    this.stops += 1;
    if (!this.stubborn) this.exit({ code: null, signal: 'SIGTERM', outOfMemory: false });
    await this.exited;
  }

  peakMemoryMb(): number | undefined {
    return undefined;
  }

  private exit(exit: InstanceExit): void {
    if (this.gone) return;
    this.gone = true;
    this.settle(exit);
  }
}

/** An engine whose instances are FakeInstances; `onStart` plays the instance's side. */
export class FakeEngine implements Engine {
  readonly name = 'process' as const;
  readonly instances: FakeInstance[] = [];

  constructor(private readonly onStart?: (instance: FakeInstance) => void) {}

  paths(): InstancePaths {
    return { taskRoot: '/var/task', runtimeDir: '/var/runtime' };
  }

  async start(spec: InstanceSpec): Promise<FakeInstance> {
    const instance = new FakeInstance(`fake-${this.instances.length + 1}`, spec);
    this.instances.push(instance);
    this.onStart?.(instance);
    return instance;
  }

  async cleanup(): Promise<void> {}
}
