import type { CheckResult } from './check';
import type { DockerProbe } from './docker';

/** The locally built images the docker engine runs zip artefacts on. */
export const RUNTIME_IMAGES = [
  'faasport/runtime-nodejs:22',
  'faasport/runtime-nodejs:24',
  'faasport/runtime-python:3',
] as const;

const BUILD_HINT = 'build it with `bash scripts/services.sh start` (scripts/runtime-images.sh)';

/** One row per image; `probe` is undefined when no engine answered. Never required. */
export async function checkRuntimeImages(probe: DockerProbe | undefined): Promise<CheckResult[]> {
  return Promise.all(
    RUNTIME_IMAGES.map(async (image): Promise<CheckResult> => {
      const name = `runtime image ${image}`;
      if (!probe) {
        return { name, status: 'warn', required: false, detail: 'not checked: no Docker engine answered' };
      }
      try {
        return (await probe.hasImage(image))
          ? { name, status: 'ok', required: false, detail: 'present' }
          : { name, status: 'warn', required: false, detail: `missing: ${BUILD_HINT}` };
      } catch (error) {
        const reason = error instanceof Error ? error.message : String(error);
        return { name, status: 'warn', required: false, detail: `could not ask the engine (${reason})` };
      }
    }),
  );
}
