import { UserError } from '../../common/errors';
import type { ServiceModel } from '../../common/service/service-model';
import { formatReference, parseReference, type Reference } from '../reference';

export interface FunctionToPublish {
  name: string;
  /** The first reference is published to; the others receive a copy of the same bytes. */
  references: Reference[];
  /** Service-level then function-level package.patterns (Serverless order). */
  patterns: string[];
}

/**
 * A reference written in serverless.yml; without a host, under `provider.registry` when set.
 * Variables are resolved already (by the framework under `sls`, by loadService otherwise).
 */
function referenceAt(
  model: ServiceModel,
  raw: unknown,
  path: string,
  defaultRegistry: string | undefined,
): Reference {
  if (typeof raw !== 'string') {
    throw new UserError(`${model.configFile}: ${path} must be an OCI reference string`, { exitCode: 2 });
  }
  const first = raw.split('/')[0] ?? '';
  const hasHost = raw.startsWith('oci:') || (raw.includes('/') && /[.:]|^localhost$/.test(first));
  try {
    return parseReference(!hasHost && defaultRegistry ? `${defaultRegistry}/${raw}` : raw);
  } catch (error) {
    throw new UserError(`${model.configFile}: ${path} ${(error as Error).message}`, { exitCode: 2 });
  }
}

/**
 * The functions to publish and where each goes, from the service model: its sourceArtifact(s),
 * and a copy in each target's registry; `oci:<localStore>:<function>` when it has none.
 */
export function functionsToPublish(model: ServiceModel, only?: string): FunctionToPublish[] {
  const keys = model.functions.map((fn) => fn.key);
  if (only !== undefined && !keys.includes(only)) {
    throw new UserError(`function "${only}" is not declared in ${model.configFile}`, {
      hint: keys.length ? `Declared functions: ${keys.join(', ')}.` : 'The file declares no functions.',
      exitCode: 2,
    });
  }
  const defaultRegistry = model.registry;
  return model.functions
    .filter((fn) => only === undefined || fn.key === only)
    .map((fn) => {
      const at = `functions.${fn.key}`;
      const source = fn.declared.sourceArtifact;
      let references: Reference[];
      if (source === undefined) {
        references = [parseReference(`oci:${model.localStore}:${fn.key}`)];
      } else if (typeof source === 'object' && source !== null) {
        references = Object.entries(source).map(([target, raw]) =>
          referenceAt(model, raw, `${at}.sourceArtifact.${target}`, defaultRegistry),
        );
      } else {
        const primary = referenceAt(model, source, `${at}.sourceArtifact`, defaultRegistry);
        references = [primary];
        for (const target of fn.targets) {
          const registry = model.targets[target]?.registry;
          if (typeof registry === 'string' && primary.kind === 'registry') {
            references.push(
              referenceAt(
                model,
                `${registry}/${primary.repository}${primary.tag ? `:${primary.tag}` : ''}`,
                `provider.targets.${target}.registry`,
                undefined,
              ),
            );
          }
        }
      }
      const unique = new Map(references.map((reference) => [formatReference(reference), reference]));
      return { name: fn.key, references: [...unique.values()], patterns: fn.packagePatterns };
    });
}
