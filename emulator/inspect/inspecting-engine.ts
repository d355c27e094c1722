import type { Engine, EngineInstance, InstanceSpec } from '../engines/engine';
import type { InspectPlan } from './inspect-plan';

/** What Node prints on stderr when a debugger client connects to its inspector. */
const ATTACHED = 'Debugger attached.';

/**
 * The engine, with a debugger port opened in the instances of the functions `--inspect` names:
 * Node through NODE_OPTIONS (both engines; docker runs on the host network, so the port is on
 * this machine's loopback), Python through the runtime client and debugpy. Once a debugger is
 * attached (or awaited, with --inspect-brk) the instance reports `debugging()`, which suspends
 * its timeouts (emulator/pool/bounded-request.ts).
 */
export function inspectingEngine(engine: Engine, plan: InspectPlan): Engine {
  const wrapped: Engine = Object.create(engine) as Engine;
  wrapped.start = async (spec: InstanceSpec): Promise<EngineInstance> => {
    const inspected = plan.functions.find(
      (fn) => fn.name === spec.labels['org.faasport.function'] && fn.provider === spec.provider,
    );
    if (!inspected) return engine.start(spec);
    let attached = plan.brk;
    // Published on this machine's 127.0.0.1 when the instance has a network of its own.
    const address = `${engine.instanceListenHost ?? '127.0.0.1'}:${inspected.port}`;
    const env: Record<string, string> =
      spec.language === 'node'
        ? {
            NODE_OPTIONS: [spec.env.NODE_OPTIONS, `--inspect${plan.brk ? '-brk' : ''}=${address}`]
              .filter(Boolean)
              .join(' '),
          }
        : { FAASPORT_DEBUGPY: address, ...(plan.brk ? { FAASPORT_DEBUGPY_WAIT: '1' } : {}) };
    const instance = await engine.start({
      ...spec,
      env: { ...spec.env, ...env },
      ports: [...(spec.ports ?? []), inspected.port],
      onOutput: (stream, line) => {
        if (line.startsWith(ATTACHED) || line.startsWith('faasport: debugpy client attached'))
          attached = true;
        spec.onOutput(stream, line);
      },
    });
    return Object.assign(Object.create(instance) as EngineInstance, { debugging: () => attached });
  };
  return wrapped;
}
