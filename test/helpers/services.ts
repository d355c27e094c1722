import { randomBytes } from 'node:crypto';
import { inject } from 'vitest';
import type { ServicesState } from '../setup/services-state';

/** The services the global setup started (integration and e2e projects only). */
export function services(): ServicesState {
  return inject('services');
}

/** A repository name no other test uses, so test files can run in parallel on one registry. */
export function uniqueRepository(prefix = 'test'): string {
  return `faasport-test/${prefix}-${randomBytes(4).toString('hex')}`;
}

/** Azurite's blob service from the rig: account URL, account name and its well-known key. */
export function azurite(): ServicesState['azurite'] {
  return services().azurite;
}

/** The Node 22 and Node 24 binaries of the rig (absolute paths), for running an installed faasport. */
export function nodeBinaries(): ServicesState['nodes'] {
  return services().nodes;
}
