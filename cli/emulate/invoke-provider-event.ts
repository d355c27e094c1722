import { UserError } from '../../common/errors';
import type { FunctionModel } from '../../common/service/service-model';
import type { Emulator } from '../../emulator/emulator';

/** Sample events of the GCP and Azure front-ends, for `faasport emulate invoke --event`. */
export const GCP_EVENT_KINDS = ['pubsub', 'gcs'] as const;
export const AZURE_EVENT_KINDS = ['queue', 'blob', 'timer'] as const;
export type ProviderEventKind = (typeof GCP_EVENT_KINDS)[number] | (typeof AZURE_EVENT_KINDS)[number];

export function isProviderEventKind(kind: string | undefined): kind is ProviderEventKind {
  return [...GCP_EVENT_KINDS, ...AZURE_EVENT_KINDS].includes(kind as ProviderEventKind);
}

/**
 * Delivers one sample event to a function on a started emulator: `pubsub` / `gcs` as binary-mode
 * CloudEvents (GCP), `queue` / `blob` / `timer` through the app's registered trigger (Azure).
 * Prints what came back; the exit code says whether the function succeeded.
 */
export async function invokeProviderEvent(
  emulator: Emulator,
  fn: FunctionModel,
  kind: ProviderEventKind,
  data: Buffer,
): Promise<number> {
  if (kind === 'pubsub' || kind === 'gcs') {
    const gcp = emulator.gcp;
    const target = gcp?.find(fn.name);
    if (!gcp || !target) {
      throw new UserError(`${fn.key} does not run on gcp here, so it cannot take a ${kind} event`, {
        hint: 'Add gcp to the function’s targets (and a gcp.entryPoint), or pick another event.',
        exitCode: 2,
      });
    }
    const delivery = await gcp.deliver(target, gcp.sampleEvent(fn.name, kind, data));
    process.stdout.write(`${JSON.stringify(delivery, null, 2)}\n`);
    return delivery.status < 300 ? 0 : 1;
  }
  const azure = emulator.azure;
  if (!azure?.find(fn.name)) {
    throw new UserError(`${fn.key} does not run on azure here, so it cannot take a ${kind} event`, {
      hint: 'Add azure to the function’s targets (and an azure.entryPoint), or pick another event.',
      exitCode: 2,
    });
  }
  const delivery = await azure.invokeSample(fn.name, kind, data);
  process.stdout.write(`${JSON.stringify(delivery, null, 2)}\n`);
  return delivery.outcome === 'succeeded' ? 0 : 1;
}
