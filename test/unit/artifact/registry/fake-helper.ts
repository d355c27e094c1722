import { chmod, mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * Puts `docker-credential-faketest` (a /bin/sh script) in a temp dir: it records the server
 * URL it was given on stdin and answers from a table, as a real credential helper would.
 */
export async function installFakeHelper(
  answers: Record<string, { username: string; secret: string }>,
): Promise<{
  dir: string;
  env: NodeJS.ProcessEnv;
  stdinLog: string;
}> {
  const dir = await mkdtemp(join(tmpdir(), 'faasport-helper-'));
  const stdinLog = join(dir, 'stdin.log');
  const cases = Object.entries(answers)
    .map(
      ([server, { username, secret }]) =>
        `  '${server}') printf '%s' '{"ServerURL":"${server}","Username":"${username}","Secret":"${secret}"}'; exit 0 ;;`,
    )
    .join('\n');
  const script = `#!/bin/sh
[ "$1" = "get" ] || { echo "unsupported action $1"; exit 1; }
server=$(cat)
printf '%s\\n' "$server" >> '${stdinLog}'
case "$server" in
${cases}
  broken.example) echo "keychain is locked" >&2; exit 1 ;;
  leaky.example)
    printf '%s' '{"ServerURL":"leaky.example","Username":"leaky-user","Secret":"Leaked-Secret-0123456789"}'
    printf '%s\n' 'keychain refused: password=hunter2-Xy9 token Bearer AbCdEf0123456789GhIjKlMn' \
      '  session eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ4In0.c2lnbmF0dXJlLXNlY3JldA and more' >&2
    exit 3 ;;
  loud.example) head -c 5000 /dev/zero | tr '\\0' 'x' >&2; exit 4 ;;
esac
echo "credentials not found in native keychain"
exit 1
`;
  await writeFile(join(dir, 'docker-credential-faketest'), script);
  await chmod(join(dir, 'docker-credential-faketest'), 0o755);
  return { dir, env: { ...process.env, PATH: `${dir}:${process.env.PATH ?? ''}` }, stdinLog };
}
