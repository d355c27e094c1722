import type { Cloud } from '../../common/clouds';
import { AWS_SAMPLE_EVENTS } from './aws/sample-events';
import { AZURE_SAMPLE_EVENTS } from './azure/azure-front-end';
import type { SampleEventKind } from './front-end';
import { GCP_SAMPLE_EVENTS } from './gcp/gcp-front-end';

/** Each cloud's sample events (`faasport emulate invoke --event <kind>`), as its front-end delivers them. */
export const SAMPLE_EVENTS: Record<Cloud, readonly SampleEventKind[]> = {
  aws: AWS_SAMPLE_EVENTS,
  gcp: GCP_SAMPLE_EVENTS,
  azure: AZURE_SAMPLE_EVENTS,
};

/** The cloud whose sample `kind` is, if it is one. */
export function sampleEventCloud(kind: string): Cloud | undefined {
  return (Object.keys(SAMPLE_EVENTS) as Cloud[]).find((cloud) =>
    SAMPLE_EVENTS[cloud].some((e) => e.kind === kind),
  );
}
