import type { Cloud } from '../common/clouds';
import type { Shape } from './manifest/classify';

export type { Cloud };

export interface CloudSupport {
  accepted: boolean;
  /** How the cloud takes it, or why it refuses. */
  note: string;
}

/** Which cloud can run which shape (docs/architecture.md, the artefact contract): an image is not a Cloud Functions source. */
export function cloudSupport(shape: Shape): Record<Cloud, CloudSupport> {
  if (shape === 'zip') {
    return {
      aws: { accepted: true, note: 'zip package (inline, or staged in S3 when large)' },
      azure: { accepted: true, note: 'run-from-package blob' },
      gcp: { accepted: true, note: 'source archive' },
    };
  }
  return {
    aws: { accepted: true, note: 'PackageType=Image; the image must be in an ECR repository' },
    azure: { accepted: true, note: 'Linux container (DOCKER|<image>)' },
    gcp: {
      accepted: false,
      note: 'refused: Cloud Functions gen2 builds from source; publish a zip artefact for GCP',
    },
  };
}
