import type { Cloud } from '../../common/clouds';
import { UserError } from '../../common/errors';
import { LOCAL_RUNTIME_IMAGES } from './runtime-image-build';

/** The cloud whose runtime contract an instance follows; it decides which images may run it. */
export type RuntimeProvider = Cloud;

/**
 * Which image runs a zip artefact in the docker engine, chosen per provider:
 * - AWS: a Lambda-style base image the user configured (`custom.faasport.awsBaseImages`), else
 *   the official Lambda base image when the engine already has it (it cannot be pulled here),
 *   else the runtime image faasport builds from the host (runtime-image-build.ts, on first use;
 *   scripts/runtime-images.sh builds the same images for the test rig).
 * - GCP and Azure: the locally built runtime image only. A Lambda base image runs the Lambda
 *   runtime client as its entrypoint, which cannot host functions-framework or an Azure worker.
 * `custom.faasport.runtimeImages` maps a runtime id to a plain runtime image (an interpreter on
 * PATH, faasport's bootstrap mounted) for any provider.
 */
export interface RuntimeImageChoice {
  image: string;
  /** Lambda-style base image: its own runtime client and entrypoint, handler as the command. */
  official: boolean;
}

export interface RuntimeImageSettings {
  /** runtime id → plain runtime image, for every provider. */
  runtimeImages?: Record<string, string>;
  /** runtime id → Lambda-style base image, for AWS functions only. */
  awsBaseImages?: Record<string, string>;
}

const LOCAL: Record<string, string> = {
  node22: LOCAL_RUNTIME_IMAGES.nodejs22,
  node24: LOCAL_RUNTIME_IMAGES.nodejs24,
  python3: LOCAL_RUNTIME_IMAGES.python3,
};

/**
 * Per cloud: the Lambda-style base images it publishes (their own runtime client as entrypoint)
 * and the setting that names the user's own. Clouds without such images run the local runtime
 * images only.
 */
const CLOUD_BASE_IMAGES: Record<
  Cloud,
  {
    configured(settings: RuntimeImageSettings): Record<string, string> | undefined;
    official(runtimeId: string): string | undefined;
  }
> = {
  aws: { configured: (settings) => settings.awsBaseImages, official: lambdaBaseImage },
  azure: { configured: () => undefined, official: () => undefined },
  gcp: { configured: () => undefined, official: () => undefined },
};

const NO_IMAGE_HINT =
  'Use nodejs22.x, nodejs24.x or python3.x, or map it to an image of yours in custom.faasport.runtimeImages.';

/** The images to try, in order: the first one the engine has runs the instance. */
export function runtimeImageCandidates(
  provider: RuntimeProvider,
  runtimeId: string,
  settings: RuntimeImageSettings = {},
): RuntimeImageChoice[] {
  // A configured image is the only candidate: when it is missing, say so rather than run another.
  const base = CLOUD_BASE_IMAGES[provider];
  const configuredBase = base.configured(settings)?.[runtimeId];
  if (configuredBase) return [{ image: configuredBase, official: true }];
  const configured = settings.runtimeImages?.[runtimeId];
  if (configured) return [{ image: configured, official: false }];

  const local = localRuntimeImage(runtimeId);
  const official = base.official(runtimeId);
  const candidates = [
    ...(official ? [{ image: official, official: true }] : []),
    ...(local ? [{ image: local, official: false }] : []),
  ];
  if (candidates.length === 0)
    throw new UserError(`runtime "${runtimeId}" has no runtime image for ${provider}`, {
      hint: NO_IMAGE_HINT,
    });
  return candidates;
}

/** The first candidate the engine has; a loud error naming them all when it has none. */
export async function chooseRuntimeImage(
  provider: RuntimeProvider,
  runtimeId: string,
  settings: RuntimeImageSettings,
  hasImage: (image: string) => Promise<boolean>,
): Promise<RuntimeImageChoice> {
  const candidates = runtimeImageCandidates(provider, runtimeId, settings);
  for (const candidate of candidates) if (await hasImage(candidate.image)) return candidate;
  throw new UserError(
    `no runtime image for ${runtimeId} (${provider}): none of ${candidates.map((c) => c.image).join(', ')} is present`,
    {
      hint: 'The emulator builds faasport/runtime-* images when it starts on the docker engine (`faasport doctor` says whether it can); or run `bash scripts/runtime-images.sh`, or use --engine process.',
    },
  );
}

/** faasport/runtime-*: built from the host without any pull. */
function localRuntimeImage(runtimeId: string): string | undefined {
  const node = /^node(?:js)?(\d+)(?:\.x)?$/.exec(runtimeId);
  if (node) return LOCAL[`node${node[1]}`];
  if (/^python3(?:\.\d+)?$/.test(runtimeId)) return LOCAL.python3;
  return undefined;
}

/** The official AWS Lambda base image of a runtime id. */
function lambdaBaseImage(runtimeId: string): string | undefined {
  const node = /^nodejs(\d+)\.x$/.exec(runtimeId);
  if (node) return `public.ecr.aws/lambda/nodejs:${node[1]}`;
  const python = /^python3\.(\d+)$/.exec(runtimeId);
  if (python) return `public.ecr.aws/lambda/python:3.${python[1]}`;
  return undefined;
}

/** Reads the two maps from `custom.faasport`, refusing anything but runtime id → image strings. */
export function runtimeImageSettings(custom: Record<string, unknown>, file: string): RuntimeImageSettings {
  const settings: RuntimeImageSettings = {};
  for (const key of ['runtimeImages', 'awsBaseImages'] as const) {
    const value = custom[key];
    if (value === undefined) continue;
    const entries =
      typeof value === 'object' && value !== null && !Array.isArray(value) ? Object.entries(value) : [];
    if (entries.length === 0 || entries.some(([, image]) => typeof image !== 'string' || image === '')) {
      throw new UserError(`${file}: custom.faasport.${key} must map runtime ids to image references`, {
        hint: `For example:\n  custom:\n    faasport:\n      ${key}:\n        nodejs22.x: registry.example.com/runtimes/node:22`,
      });
    }
    settings[key] = Object.fromEntries(entries) as Record<string, string>;
  }
  return settings;
}
