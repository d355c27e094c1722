import { LOCAL_RUNTIME_IMAGES } from '../../emulator/engines/runtime-image-build';
import type { CheckResult } from './check';
import type { DockerProbe } from './docker';

/** The images faasport builds from the host (no pull) and runs zip artefacts on. */
export const RUNTIME_IMAGES = Object.values(LOCAL_RUNTIME_IMAGES);

/** AWS's own base images: used for AWS functions when the engine has them, never required. */
export const LAMBDA_BASE_IMAGES = 'public.ecr.aws/lambda/*';

/**
 * One row per runtime image faasport may use: its own images (present; or missing and built on
 * first use; or missing and not buildable here, with what to run), then the Lambda base images
 * the engine has. `probe` is undefined when no engine answered. Never required.
 */
export async function checkRuntimeImages(probe: DockerProbe | undefined): Promise<CheckResult[]> {
  const lambda = 'AWS Lambda base images';
  if (!probe) {
    return [...RUNTIME_IMAGES.map((image) => `runtime image ${image}`), lambda].map((name) => ({
      name,
      status: 'warn',
      required: false,
      detail: 'not checked: no Docker engine answered',
    }));
  }
  const rows = RUNTIME_IMAGES.map(async (image): Promise<CheckResult> => {
    const name = `runtime image ${image}`;
    try {
      if (await probe.hasImage(image)) return { name, status: 'ok', required: false, detail: 'present' };
      const cannot = await probe.cannotBuild(image);
      return cannot
        ? { name, status: 'warn', required: false, detail: `missing, ${cannot.message}: ${cannot.hint}` }
        : {
            name,
            status: 'ok',
            required: false,
            detail:
              'missing: built on first use by `faasport emulate` on the docker engine (a few seconds, once)',
          };
    } catch (error) {
      return { name, status: 'warn', required: false, detail: `could not ask the engine (${reason(error)})` };
    }
  });
  const official = probe.imageTags(LAMBDA_BASE_IMAGES).then(
    (tags): CheckResult => ({
      name: lambda,
      status: 'ok',
      required: false,
      detail: tags.length
        ? `${tags.join(', ')} (AWS functions of those runtimes run on them)`
        : 'none (optional: AWS functions run on the faasport images)',
    }),
    (error): CheckResult => ({
      name: lambda,
      status: 'warn',
      required: false,
      detail: `could not ask the engine (${reason(error)})`,
    }),
  );
  return Promise.all([...rows, official]);
}

const reason = (error: unknown): string => (error instanceof Error ? error.message : String(error));
