import { UserError } from '../errors';
import { providerSchema } from './schema';

/**
 * Names serverless.yml may hold that faasport does not act on itself, from the Serverless
 * Framework's documentation (v3): they are accepted, and a name one typo away from any known one
 * is refused with the name it probably meant.
 */
const FRAMEWORK_TOP_LEVEL = [
  'service',
  'frameworkVersion',
  'configValidationMode',
  'deprecationNotificationMode',
  'disabledDeprecations',
  'useDotenv',
  'variablesResolutionMode',
  'plugins',
  'provider',
  'custom',
  'functions',
  'resources',
  'package',
  'layers',
  'params',
  'org',
  'app',
  'console',
  'outputs',
  'stages',
  'build',
  'license',
  'dashboard',
];
const FRAMEWORK_FUNCTION_KEYS = [
  'name',
  'events',
  'layers',
  'tags',
  'vpc',
  'iamRoleStatements',
  'iamRoleStatementsName',
  'destinations',
  'onError',
  'tracing',
  'ephemeralStorageSize',
  'disableLogs',
  'logRetentionInDays',
  'kmsKeyArn',
  'maximumEventAge',
  'maximumRetryAttempts',
  'fileSystemConfig',
  'condition',
  'dependsOn',
  'snapStart',
  'runtimeManagement',
  'logs',
  'skipRoleCreation',
  'awsKmsKeyArn',
  'provisionedConcurrencyAutoscaling',
  'environmentFile',
];
/** Event types of the AWS provider the emulator does not feed (yet): accepted, said at start. */
const FRAMEWORK_EVENTS = [
  'stream',
  'alexaSkill',
  'alexaSmartHome',
  'iot',
  'iotFleetProvisioning',
  'cloudwatchEvent',
  'cloudwatchLog',
  'cognitoUserPool',
  'eventBridge',
  'msk',
  'kafka',
  'activemq',
  'rabbitmq',
  'cloudFront',
];

export interface KeyCheck {
  /** Unknown names that are not typos of a known one (a plugin's, a newer framework's): not acted on. */
  warnings: string[];
}

/**
 * Refuses names in serverless.yml that are a typo of a name faasport or the framework knows
 * (`handlr:`, an `httpapi:` event), with the path of the field and the name it probably meant,
 * before anything is served or called. Other unknown names are returned as warnings: a plugin
 * may define them.
 */
export function checkServiceKeys(config: Record<string, unknown>, file: string): KeyCheck {
  const schema = providerSchema();
  const faasportFunctionKeys = Object.keys((schema.function.properties ?? {}) as Record<string, unknown>);
  const faasportEvents = Object.keys(schema.functionEvents);
  const warnings: string[] = [];
  // Every typo is collected before refusing: one run names them all, not one per run.
  const typos: { line: string; meant: string }[] = [];
  const check = (path: string, name: string, known: readonly string[], what: string) => {
    if (known.includes(name)) return;
    const meant = closest(name, known);
    if (meant !== undefined)
      typos.push({ line: `${path}: unknown ${what} "${name}" — did you mean "${meant}"?`, meant });
    else warnings.push(`${path}: ${what} "${name}" is not one faasport knows; it is ignored`);
  };

  for (const key of Object.keys(config)) check(key, key, FRAMEWORK_TOP_LEVEL, 'top-level key');
  const provider = isRecord(config.provider) ? config.provider : {};
  if (provider.name === 'faasport') {
    const providerKeys = [
      'name',
      ...Object.keys((schema.provider.properties ?? {}) as Record<string, unknown>),
    ];
    for (const key of Object.keys(provider)) check(`provider.${key}`, key, providerKeys, 'provider setting');
  }
  const functions = isRecord(config.functions) ? config.functions : {};
  for (const [name, fn] of Object.entries(functions)) {
    if (!isRecord(fn)) continue;
    const functionKeys = [...faasportFunctionKeys, ...FRAMEWORK_FUNCTION_KEYS];
    for (const key of Object.keys(fn))
      check(`functions.${name}.${key}`, key, functionKeys, 'function setting');
    const events = Array.isArray(fn.events) ? fn.events : [];
    events.forEach((event: unknown, index) => {
      if (!isRecord(event)) return;
      for (const type of Object.keys(event)) {
        check(
          `functions.${name}.events[${index}].${type}`,
          type,
          [...faasportEvents, ...FRAMEWORK_EVENTS],
          'event type',
        );
      }
    });
  }
  const [first, ...more] = typos;
  if (first && more.length === 0) {
    throw new UserError(`${file}: ${first.line}`, {
      hint: `Rename it to "${first.meant}"; faasport and the framework read only the names they know.`,
      exitCode: 2,
    });
  }
  if (first) {
    throw new UserError(
      `${file}: ${typos.length} unknown names:\n${typos.map((typo) => `  ${typo.line}`).join('\n')}`,
      {
        hint: 'Rename each to the name it meant; faasport and the framework read only the names they know.',
        exitCode: 2,
      },
    );
  }
  return { warnings };
}

/** The known name `name` is most likely a typo of: one or two edits away, or the same but for case. */
function closest(name: string, known: readonly string[]): string | undefined {
  let best: { name: string; distance: number } | undefined;
  for (const candidate of known) {
    if (candidate.toLowerCase() === name.toLowerCase()) return candidate;
    const distance = editDistance(name.toLowerCase(), candidate.toLowerCase());
    // One edit for short names (`htp:` is `http:`), two from eight letters on.
    const shorter = Math.min(name.length, candidate.length);
    const allowed = shorter < 3 ? 0 : Math.min(2, Math.max(1, Math.floor(shorter / 4)));
    if (distance <= allowed && (!best || distance < best.distance)) best = { name: candidate, distance };
  }
  return best?.name;
}

/** Levenshtein distance, with adjacent transpositions counted as one edit. */
function editDistance(a: string, b: string): number {
  const rows = Array.from({ length: a.length + 1 }, (_, i) => [i, ...new Array<number>(b.length).fill(0)]);
  for (let j = 1; j <= b.length; j++) (rows[0] as number[])[j] = j;
  for (let i = 1; i <= a.length; i++) {
    const row = rows[i] as number[];
    const previous = rows[i - 1] as number[];
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let value = Math.min(
        (previous[j] as number) + 1,
        (row[j - 1] as number) + 1,
        (previous[j - 1] as number) + cost,
      );
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1])
        value = Math.min(value, ((rows[i - 2] as number[])[j - 2] as number) + 1);
      row[j] = value;
    }
  }
  return (rows[a.length] as number[])[b.length] as number;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
