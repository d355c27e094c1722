import type { ProxiedRequest, ProxyAction } from '../helpers/loopback-proxy';

export interface RegistryFaultCounts {
  /** Connections dropped before an answer. */
  reset: number;
  /** Blob bodies cut mid-way (the connection dropped after part of the bytes). */
  cut: number;
  /** 503 Service Unavailable in the registry's place. */
  unavailable: number;
}

/**
 * What the proxy in front of the registry does, request by request. Per manifest or blob (method
 * and path), a cycle of three: the first request fails (a reset; for the large layer, its body
 * cut after `cutAfter` bytes), the second gets a 503, the third passes. A pull therefore meets two
 * faults in a row on every manifest and blob — within the registry client's five attempts, so a
 * pull that retries as it should always gets through. `down` answers 503 to everything (a
 * registry that is out), which no retry gets through.
 */
export class RegistryFaults {
  down = false;
  readonly injected: RegistryFaultCounts = { reset: 0, cut: 0, unavailable: 0 };
  private readonly seen = new Map<string, number>();

  constructor(
    /** The digest of the layer big enough to be cut mid-body. */
    private readonly largeBlob: string,
    private readonly cutAfter: number,
  ) {}

  readonly decide = (request: ProxiedRequest): ProxyAction => {
    if (this.down) {
      this.injected.unavailable += 1;
      return { kind: 'respond', status: 503 };
    }
    if (!/\/(manifests|blobs)\/[^/]+$/.test(request.path)) return { kind: 'forward' };
    const key = `${request.method} ${request.path}`;
    const turn = this.seen.get(key) ?? 0;
    this.seen.set(key, turn + 1);
    switch (turn % 3) {
      case 0:
        if (request.method === 'GET' && request.path.endsWith(`/blobs/${this.largeBlob}`)) {
          this.injected.cut += 1;
          return { kind: 'forward', cutAfter: this.cutAfter };
        }
        this.injected.reset += 1;
        return { kind: 'reset' };
      case 1:
        this.injected.unavailable += 1;
        return { kind: 'respond', status: 503 };
      default:
        return { kind: 'forward' };
    }
  };
}
