import type { Engine, EngineInstance, InstanceSpec } from '../engines/engine';
import type { InspectPlan } from './inspect-plan';

/** What Node prints on stderr when a debugger client connects to its inspector. */
const ATTACHED = 'Debugger attached.';
/** What Node prints on stderr once its inspector port is open. */
const LISTENING = 'Debugger listening on';

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
    // A trial (hot reload) is never debugged: with --inspect-brk it would wait for a debugger
    // nobody attaches, and its port would collide with the instance being served.
    if (!inspected || spec.trial) return engine.start(spec);
    // Suspended timeouts only once a debugger can attach: Node prints "Debugger listening on"
    // when the port is open; a port already taken leaves the instance with its timeouts.
    let listening = false;
    let attached = false;
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
        if (line.startsWith(LISTENING)) listening = true;
        if (line.startsWith(ATTACHED) || line.startsWith('faasport: debugpy client attached'))
          attached = true;
        spec.onOutput(stream, line);
      },
    });
    // --inspect-brk: the instance waits for a debugger from the moment its port is open.
    return Object.assign(Object.create(instance) as EngineInstance, {
      debugging: () => attached || (plan.brk && listening),
    });
  };
  return wrapped;
}
