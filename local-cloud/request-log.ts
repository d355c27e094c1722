import type { Cloud } from '../common/clouds';
/** One call a local control plane answered, as `GET /__faasport/cloud/requests` returns it. */
export interface LoggedRequest {
  provider: Cloud;
  method: string;
  /** Path without the query string. */
  path: string;
  /** The cloud API's operation name, e.g. `CreateFunction`, `PutObject`. */
  operation: string;
  /** Whether the call may change state (tests assert "zero write calls" on this). */
  write: boolean;
  /** ISO timestamp. */
  at: string;
  /** HTTP status answered (injected faults included). */
  status: number;
}

/** The calls made to the local control planes, in arrival order; shared by every provider's server. */
export class RequestLog {
  private readonly entries: LoggedRequest[] = [];

  record(entry: Omit<LoggedRequest, 'at'>): void {
    this.entries.push({ ...entry, at: new Date().toISOString() });
  }

  list(): LoggedRequest[] {
    return [...this.entries];
  }

  clear(): void {
    this.entries.length = 0;
  }
}
