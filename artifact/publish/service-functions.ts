import { UserError } from '../../common/errors';
import { formatReference, parseReference, type Reference } from '../reference';

/** What `faasport publish` needs from serverless.yml (already parsed; variables not resolved). */
export interface ServiceConfig {
  service?: unknown;
  provider?: {
    registry?: unknown;
    localStore?: unknown;
    targets?: Record<string, { registry?: unknown } | null | undefined>;
  };
  package?: { patterns?: unknown };
  functions?: Record<string, FunctionConfig | null | undefined>;
}

interface FunctionConfig {
  sourceArtifact?: unknown;
  targets?: unknown;
  package?: { patterns?: unknown };
}

export interface FunctionToPublish {
  name: string;
  /** The first reference is published to; the others receive a copy of the same bytes. */
  references: Reference[];
  /** Service-level then function-level package.patterns (Serverless order). */
  patterns: string[];
}

const DEFAULT_LOCAL_STORE = '.faasport/store';

function bad(path: string, why: string): UserError {
  return new UserError(`serverless.yml: ${path} ${why}`, { exitCode: 2 });
}

function stringList(value: unknown, path: string): string[] {
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value) || value.some((item) => typeof item !== 'string')) {
    throw bad(path, 'must be a list of glob strings');
  }
  return value as string[];
}

function referenceAt(raw: unknown, path: string, defaultRegistry: string | undefined): Reference {
  if (typeof raw !== 'string') throw bad(path, 'must be an OCI reference string');
  if (raw.includes('${')) {
    throw new UserError(
      `serverless.yml: ${path} uses a variable (${raw}), which faasport publish does not resolve`,
      {
        hint: 'Run "sls publish" so the framework resolves variables, or write the reference out.',
        exitCode: 2,
      },
    );
  }
  const first = raw.split('/')[0] ?? '';
  const hasHost = raw.startsWith('oci:') || (raw.includes('/') && /[.:]|^localhost$/.test(first));
  try {
    return parseReference(!hasHost && defaultRegistry ? `${defaultRegistry}/${raw}` : raw);
  } catch (error) {
    throw bad(path, (error as Error).message);
  }
}

/** The functions to publish and where each goes: its sourceArtifact(s), and each target's registry. */
export function functionsToPublish(config: ServiceConfig, only?: string): FunctionToPublish[] {
  const functions = config.functions ?? {};
  const names = Object.keys(functions);
  if (only !== undefined && !names.includes(only)) {
    throw new UserError(`function "${only}" is not in serverless.yml`, {
      hint: names.length ? `Functions: ${names.join(', ')}.` : 'The file declares no functions.',
      exitCode: 2,
    });
  }
  const provider = config.provider ?? {};
  const defaultRegistry = typeof provider.registry === 'string' ? provider.registry : undefined;
  const localStore = typeof provider.localStore === 'string' ? provider.localStore : DEFAULT_LOCAL_STORE;
  const servicePatterns = stringList(config.package?.patterns, 'package.patterns');
  const targets = provider.targets ?? {};

  return (only === undefined ? names : [only]).map((name) => {
    const fn = functions[name] ?? {};
    const at = `functions.${name}`;
    const patterns = [...servicePatterns, ...stringList(fn.package?.patterns, `${at}.package.patterns`)];
    const source = fn.sourceArtifact;
    let references: Reference[];
    if (source === undefined) {
      references = [parseReference(`oci:${localStore}:${name}`)];
    } else if (typeof source === 'object' && source !== null) {
      references = Object.entries(source).map(([target, raw]) =>
        referenceAt(raw, `${at}.sourceArtifact.${target}`, defaultRegistry),
      );
    } else {
      const primary = referenceAt(source, `${at}.sourceArtifact`, defaultRegistry);
      references = [primary];
      const wanted = Array.isArray(fn.targets) ? (fn.targets as unknown[]) : Object.keys(targets);
      for (const target of wanted) {
        const registry = typeof target === 'string' ? targets[target]?.registry : undefined;
        if (typeof registry === 'string' && primary.kind === 'registry') {
          references.push(
            referenceAt(
              `${registry}/${primary.repository}${primary.tag ? `:${primary.tag}` : ''}`,
              `provider.targets.${target}.registry`,
              undefined,
            ),
          );
        }
      }
    }
    const unique = new Map(references.map((reference) => [formatReference(reference), reference]));
    return { name, references: [...unique.values()], patterns };
  });
}
