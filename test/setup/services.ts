import type { TestProject } from 'vitest/node';
import { acquireLease, type Lease, runServicesScript } from './rig-script';
import type { ServicesState } from './services-state';
import { verifyServices } from './verify-services';

/**
 * Global setup of the integration and e2e projects: starts the test services once (through
 * scripts/services.sh) and provides them as `inject('services')`.
 *
 * Both projects run this in the same main process, each with its own module instance: the
 * reference count lives on globalThis, so the services start once and stop after the last project.
 * Teardown runs `services.sh stop --if-unused`, which leaves them running when they were started
 * outside the tests (pinned) or another test run still holds a lease. FAASPORT_KEEP_SERVICES=1
 * starts them pinned, so they outlive this run.
 */
interface Rig {
  users: number;
  ready?: Promise<ServicesState>;
  lease?: Lease;
}

const rigKey = Symbol.for('faasport.test-rig');
type WithRig = typeof globalThis & { [rigKey]?: Rig };

const keepServices = () => process.env.FAASPORT_KEEP_SERVICES === '1';

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const global = globalThis as WithRig;
  global[rigKey] ??= { users: 0 };
  const rig = global[rigKey];
  rig.users += 1;
  rig.ready ??= startServices(rig);
  try {
    project.provide('services', await rig.ready);
  } catch (error) {
    await leave(rig);
    throw error;
  }
  return () => leave(rig);
}

async function startServices(rig: Rig): Promise<ServicesState> {
  // The lease first: a concurrent run's teardown must not stop what this run is about to use.
  rig.lease = await acquireLease();
  const args = keepServices() ? ['start', '--json'] : ['start', '--json', '--for-tests'];
  const state = JSON.parse(await runServicesScript(args)) as ServicesState;
  await verifyServices(state);
  return state;
}

async function leave(rig: Rig): Promise<void> {
  rig.users -= 1;
  if (rig.users > 0) return;
  rig.ready = undefined;
  await rig.lease?.release();
  rig.lease = undefined;
  if (keepServices()) {
    process.stderr.write('[faasport] FAASPORT_KEEP_SERVICES=1: leaving the test services running\n');
    return;
  }
  await runServicesScript(['stop', '--if-unused']);
}
