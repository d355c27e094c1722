import type { LoggedRequest } from '../../local-cloud/request-log';
import type { EventBus } from '../events/event-bus';
import type { SampleOutcome } from '../providers/front-end';
import type { ConsoleFunction, DeployedEntry } from './console-data';

export type { ConsoleFunction, DeployedEntry };

/** The local control planes, read in process (never over their HTTP API). */
export interface PlanesView {
  requests(): LoggedRequest[];
  deployed(): DeployedEntry[];
}

/** What the console reads and drives: the emulator behind one small face. */
export interface ConsoleBackend {
  events: EventBus;
  service: { name: string; stage: string; engine: string };
  functions(): ConsoleFunction[];
  /** False when no function has that name. */
  recycle(name: string): boolean;
  fireSample(name: string, kind: string): Promise<SampleOutcome>;
  /** Invokes the function of a kept invocation again with `input`; undefined when it is not kept. */
  replay(requestId: string, input: Buffer): Promise<{ requestId: string } | undefined>;
  planes(): PlanesView | undefined;
}
