import type { Cloud } from '../../common/clouds';
import { AwsFrontEnd } from './aws/aws-front-end';
import { AzureFrontEnd } from './azure/azure-front-end';
import type { FrontEndContext, ProviderFrontEnd } from './front-end';
import { GcpFrontEnd } from './gcp/gcp-front-end';

/** The gateway ports: each provider's routes are served on one of them. */
export type GatewayPort = 'gateway' | 'gcp' | 'azure';

/** The concrete front-end of each cloud, for the provider-specific operations callers need. */
export interface FrontEndOf {
  aws: AwsFrontEnd;
  gcp: GcpFrontEnd;
  azure: AzureFrontEnd;
}

interface FrontEndEntry<C extends Cloud> {
  create(context: FrontEndContext): FrontEndOf[C];
  /** Where its routes are served (as the cloud's own local tools do: 3000, 8080, 7071). */
  port: GatewayPort;
  /** Served even when no function targets it (the AWS gateway also holds the controls and the Invoke API). */
  always: boolean;
}

/**
 * Every cloud's front-end, in the order the emulator loads, lists and starts them. A cloud added
 * to `CLOUDS` (common/clouds.ts) is a compile error here until it has one.
 */
export const FRONT_ENDS: { [C in Cloud]: FrontEndEntry<C> } = {
  aws: { create: (context) => new AwsFrontEnd(context), port: 'gateway', always: true },
  gcp: { create: (context) => new GcpFrontEnd(context), port: 'gcp', always: false },
  azure: { create: (context) => new AzureFrontEnd(context), port: 'azure', always: false },
};

/** The clouds in FRONT_ENDS order. */
export const FRONT_END_ORDER = Object.keys(FRONT_ENDS) as Cloud[];

export type { ProviderFrontEnd };
