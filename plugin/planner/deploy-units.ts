import { parseReference, type Reference } from '../../artifact/reference';
import { CLOUDS, type Cloud } from '../../common/clouds';
import { UserError } from '../../common/errors';
import { type FunctionModel, type ServiceModel, settingFor } from '../../common/service/service-model';

/** One function on one target, before anything is resolved. */
export interface DeployUnit {
  fn: FunctionModel;
  target: Cloud;
  /** The reference as written in serverless.yml, and parsed. */
  written: string;
  reference: Reference;
  /** Where the reference is written, for messages (`functions.hello.sourceArtifact.aws`). */
  path: string;
  packageType: 'zip' | 'image' | undefined;
}

export interface UnitSelection {
  /** Only these targets (`--target`). */
  targets?: Cloud[];
  /** Only this function (`deploy function -f`). */
  function?: string;
}

/**
 * Every function × target the deploy acts on, checked without any network call: the targets
 * exist under provider.targets, each has a reference that parses.
 */
export function deployUnits(model: ServiceModel, selection: UnitSelection = {}): DeployUnit[] {
  const file = model.configFile;
  if (selection.function !== undefined && !model.functions.some((fn) => fn.key === selection.function)) {
    const names = model.functions.map((fn) => fn.key);
    throw new UserError(`function "${selection.function}" is not declared in ${file}`, {
      hint: names.length ? `Declared functions: ${names.join(', ')}.` : 'The file declares no functions.',
      exitCode: 2,
    });
  }
  for (const target of selection.targets ?? []) {
    if (!CLOUDS.includes(target)) {
      throw new UserError(`--target ${target} is not a target faasport knows`, {
        hint: `Use one of ${CLOUDS.join(', ')}.`,
        exitCode: 2,
      });
    }
  }
  const units: DeployUnit[] = [];
  for (const fn of model.functions) {
    if (selection.function !== undefined && fn.key !== selection.function) continue;
    for (const target of fn.targets) {
      if (selection.targets && !selection.targets.includes(target)) continue;
      if (Object.keys(model.targets).length > 0 && model.targets[target] === undefined) {
        throw new UserError(
          `${file}: functions.${fn.key}.targets lists ${target}, which is not configured under provider.targets`,
          {
            hint: `Add provider.targets.${target}, or remove ${target} from the function's targets.`,
            exitCode: 2,
          },
        );
      }
      const declared = fn.declared.sourceArtifact;
      const path =
        typeof declared === 'object' && declared !== null
          ? `functions.${fn.key}.sourceArtifact.${target}`
          : `functions.${fn.key}.sourceArtifact`;
      // Without sourceArtifact, the local layout `faasport publish` writes to (same default).
      const written =
        fn.sourceArtifact[target] ??
        (declared === undefined ? `oci:${model.localStore}:${fn.key}` : undefined);
      if (written === undefined) {
        throw new UserError(`${file}: ${path} is missing: ${fn.key} has no artefact for ${target}`, {
          hint: 'Add a reference for this target, or drop the target from the function.',
          exitCode: 2,
        });
      }
      let reference: Reference;
      try {
        reference = parseReference(written);
      } catch (error) {
        throw new UserError(`${file}: ${path}: ${(error as Error).message}`, { exitCode: 2 });
      }
      const packageType = settingFor<'zip' | 'image' | undefined>(
        model,
        fn,
        target,
        'packageType',
        undefined,
      );
      units.push({ fn, target, written, reference, path, packageType });
    }
  }
  return units;
}
