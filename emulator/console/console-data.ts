import type { Cloud } from '../../common/clouds';
import type { LoggedRequest } from '../../local-cloud/request-log';

/**
 * The data the console page reads (GET /__faasport/api/state). Types only, shared with the
 * browser code in ui/ (compiled without Node's types, so nothing here may import node:*).
 */

/** Instances of one function. */
export interface ConsoleStats {
  instances: number;
  busy: number;
  starting: number;
}

/** One function on one provider, as the console lists it. */
export interface ConsoleFunction {
  name: string;
  /** Its key in serverless.yml. */
  key: string;
  provider: Cloud;
  stats: ConsoleStats;
  /** Its routes and URLs (HTTP triggers) and other triggers (schedules, topics…). */
  triggers: { kind: string; description: string; url?: string }[];
  /** The sample events this provider can fire at it. */
  samples: string[];
}

/** One function deployed to the local control planes (`emulate --cloud`). */
export interface DeployedEntry {
  provider: Cloud;
  name: string;
  /** Digest, runtime, state: what the plane reports. */
  detail: string;
}

/** GET /__faasport/api/state. */
export interface ConsoleState {
  service: { name: string; stage: string; engine: string };
  functions: ConsoleFunction[];
  /** With `emulate --cloud`. */
  planes?: { requests: LoggedRequest[]; deployed: DeployedEntry[] };
}
