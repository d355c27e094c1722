import { spawn } from 'node:child_process';
import { UserError } from '../../../common/errors';
import { redactSecrets } from '../../../common/redact-secrets';
import type { Credential } from './credential';

export interface HelperOptions {
  env?: NodeJS.ProcessEnv;
  timeoutMs?: number;
}

const HELPER_SUFFIX = /^[A-Za-z0-9][A-Za-z0-9._-]*$/;
const MAX_OUTPUT = 1024 * 1024;
/** Characters of a failing helper's stderr quoted in the error. */
const MAX_REASON = 200;
/** docker-credential-helpers marks a username this way when the secret is an identity token. */
const TOKEN_USERNAME = '<token>';

/**
 * The docker credential-helper protocol: run `docker-credential-<suffix> get` (no shell), write
 * the server URL on stdin, read `{"ServerURL","Username","Secret"}` from stdout. Helpers report
 * errors on stdout with a non-zero exit; "credentials not found" means there is nothing stored.
 */
export async function runCredentialHelper(
  suffix: string,
  serverUrl: string,
  options: HelperOptions = {},
): Promise<Credential | undefined> {
  if (!HELPER_SUFFIX.test(suffix)) {
    throw new UserError(`invalid credential helper name "${suffix}"`, {
      hint: 'credHelpers/credsStore values name a docker-credential-<name> program on PATH, e.g. "ecr-login".',
    });
  }
  const program = `docker-credential-${suffix}`;
  const { code, stdout, stderr } = await run(program, serverUrl, options);
  if (code !== 0) {
    if (/credentials not found/i.test(stdout)) return undefined;
    // stdout is never repeated: a helper may have printed the credential before it failed
    const said = oneLine(stderr);
    throw new UserError(
      `credential helper ${program} failed for ${serverUrl} (exit code ${code})${said ? `: ${said}` : ''}`,
      {
        hint: 'Fix or log in again with the helper (run it by hand to see its whole output), or remove it from your docker config.',
      },
    );
  }
  let parsed: { Username?: unknown; Secret?: unknown };
  try {
    parsed = JSON.parse(stdout) as typeof parsed;
  } catch {
    throw new UserError(`credential helper ${program} printed something that is not JSON for ${serverUrl}`);
  }
  const username = typeof parsed.Username === 'string' ? parsed.Username : '';
  const secret = typeof parsed.Secret === 'string' ? parsed.Secret : '';
  if (secret === '') return undefined;
  const source = `credential helper ${program}`;
  if (username === TOKEN_USERNAME) return { identityToken: secret, source };
  return { username, password: secret, source };
}

function run(
  program: string,
  input: string,
  options: HelperOptions,
): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(program, ['get'], {
      env: options.env ?? process.env,
      stdio: ['pipe', 'pipe', 'pipe'],
      shell: false,
      timeout: options.timeoutMs ?? 60_000,
    });
    let stdout = '';
    child.stdout.setEncoding('utf8');
    child.stdout.on('data', (chunk: string) => {
      if (stdout.length < MAX_OUTPUT) stdout += chunk;
    });
    let stderr = '';
    child.stderr.setEncoding('utf8');
    child.stderr.on('data', (chunk: string) => {
      if (stderr.length < MAX_OUTPUT) stderr += chunk;
    });
    child.on('error', (error: NodeJS.ErrnoException) => {
      reject(
        error.code === 'ENOENT'
          ? new UserError(`credential helper ${program} is not installed (not found on PATH)`, {
              hint: 'Install it, or remove it from credHelpers/credsStore in your docker config.',
            })
          : new UserError(`cannot run credential helper ${program}: ${error.message}`),
      );
    });
    child.on('close', (code, signal) => {
      if (signal) reject(new UserError(`credential helper ${program} was stopped (${signal})`));
      else resolve({ code: code ?? 1, stdout, stderr });
    });
    child.stdin.on('error', () => {
      // a helper that exits without reading stdin: its exit status tells the story
    });
    child.stdin.end(input);
  });
}

/** A helper's stderr as one short line, anything secret-looking blanked. */
function oneLine(text: string): string {
  const line = redactSecrets(text.replace(/\s+/g, ' ').trim());
  return line.length > MAX_REASON ? `${line.slice(0, MAX_REASON - 1)}…` : line;
}
