import { UserError } from '../../common/errors';

/**
 * Which image runs a zip artefact of a given runtime in the docker engine. The provider's
 * official base image is used as it is when the engine already has it (it cannot be pulled
 * here); otherwise the runtime image built locally by scripts/runtime-images.sh.
 */
export interface RuntimeImageChoice {
  image: string;
  /** Official base image: its own runtime client and entrypoint, handler as the command. */
  official: boolean;
}

const LOCAL: Record<string, string> = {
  node22: 'faasport/runtime-nodejs:22',
  node24: 'faasport/runtime-nodejs:24',
  python3: 'faasport/runtime-python:3',
};

export function runtimeImageCandidates(
  runtimeId: string,
  overrides: Record<string, string> = {},
): RuntimeImageChoice[] {
  const override = overrides[runtimeId];
  if (override) return [{ image: override, official: false }];
  const node = /^nodejs(\d+)\.x$/.exec(runtimeId);
  if (node) {
    const major = node[1] ?? '';
    const local = LOCAL[`node${major}`];
    return [
      { image: `public.ecr.aws/lambda/nodejs:${major}`, official: true },
      ...(local ? [{ image: local, official: false }] : []),
    ];
  }
  const python = /^python(3)\.(\d+)$/.exec(runtimeId);
  if (python) {
    return [
      { image: `public.ecr.aws/lambda/python:3.${python[2]}`, official: true },
      { image: LOCAL.python3 ?? '', official: false },
    ];
  }
  throw new UserError(`runtime "${runtimeId}" has no runtime image`, {
    hint: 'Use nodejs22.x, nodejs24.x or python3.x, or map it to an image of yours in custom.faasport.runtimeImages.',
  });
}
