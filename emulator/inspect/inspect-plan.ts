import type { Cloud } from '../../common/clouds';
import { UserError } from '../../common/errors';
import type { ServiceModel } from '../../common/service/service-model';
import { DEFAULT_INSPECT_PORT, type InspectRequest } from './inspect-request';

/** One inspected function on one provider, and the port its debugger attaches to. */
export interface InspectedFunction {
  /** Deployed name (`<service>-<stage>-<function>`), as instances are labelled. */
  name: string;
  provider: Cloud;
  port: number;
}

export interface InspectPlan {
  brk: boolean;
  functions: InspectedFunction[];
}

/**
 * Ports for the functions `--inspect` names (all of them when it names none): a named port, or
 * the next one after the previous, from 9229. A function on two providers is two debuggees.
 */
export function inspectPlan(model: ServiceModel, request: InspectRequest): InspectPlan {
  const functions: InspectedFunction[] = [];
  const taken = new Set<number>();
  let next = DEFAULT_INSPECT_PORT;
  const nextPort = (wanted?: number) => {
    let port = wanted ?? next;
    while (wanted === undefined && taken.has(port)) port += 1;
    if (taken.has(port)) throw new UserError(`--inspect: port ${port} is given twice`, { exitCode: 2 });
    taken.add(port);
    next = port + 1;
    return port;
  };
  for (const target of request.targets) {
    const chosen = target.function
      ? model.functions.filter((fn) => fn.key === target.function || fn.name === target.function)
      : model.functions.filter((fn) => fn.packageType !== 'image');
    if (chosen.length === 0) {
      throw new UserError(`--inspect: no function named ${target.function}`, {
        hint: `Functions: ${model.functions.map((fn) => fn.key).join(', ')}`,
        exitCode: 2,
      });
    }
    let first = true;
    for (const fn of chosen) {
      for (const provider of fn.targets) {
        functions.push({ name: fn.name, provider, port: nextPort(first ? target.port : undefined) });
        first = false;
      }
    }
  }
  return { brk: request.brk, functions };
}
