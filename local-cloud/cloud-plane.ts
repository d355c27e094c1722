import type { PlaneAccess } from './control-plane-server';
import type { RequestLog } from './request-log';

/** What each provider's local control plane is given when the local cloud starts. */
export interface PlaneContext {
  /** Address to bind (127.0.0.1 unless told otherwise). */
  host: string;
  /** The request log every control plane shares (`GET /__faasport/cloud/requests`). */
  log: RequestLog;
  /** The credentials every plane checks, and the hosts it answers besides loopback. */
  access: PlaneAccess;
  /** Folder where the provider may keep what was deployed, across restarts (`<stateDir>/<provider>/`). */
  stateDir?: string;
}

/** One provider's local control plane, running. */
export interface RunningPlane<Endpoints> {
  endpoints: Endpoints;
  /** `[control plane, URL]` rows for the `faasport emulate --cloud` banner. */
  bannerRows: Array<[string, string]>;
  /** Tells the plane's servers what `GET /__faasport/cloud/endpoints` answers (all providers). */
  describe(all: unknown): void;
  stop(): Promise<void>;
}
