import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { run } from '../../helpers/run';
import { services, uniqueRepository } from '../../helpers/services';
import { tempDir } from '../../helpers/temp-dir';

function basic(username: string, password: string): string {
  return `Basic ${Buffer.from(`${username}:${password}`).toString('base64')}`;
}

describe('the basic-auth registry', () => {
  test('refuses anonymous GET /v2/ with a Basic challenge and accepts the stored credentials', async () => {
    const { host, username, password } = services().authRegistry;
    const anonymous = await fetch(`http://${host}/v2/`);
    expect(anonymous.status).toBe(401);
    expect(anonymous.headers.get('www-authenticate')).toMatch(/^Basic realm="[^"]+"$/);

    const wrong = await fetch(`http://${host}/v2/`, {
      headers: { authorization: basic(username, `${password}x`) },
    });
    expect(wrong.status).toBe(401);

    const authorised = await fetch(`http://${host}/v2/`, {
      headers: { authorization: basic(username, password) },
    });
    expect(authorised.status).toBe(200);
  });

  test('takes an authenticated push from skopeo and hides the result from anonymous readers', async () => {
    const { authRegistry, skopeo, runtimeImages } = services();
    const { host, username, password } = authRegistry;
    // Credentials in an auth file, not on the command line where `ps` would show them.
    const authFile = join(await tempDir(), 'auth.json');
    await writeFile(
      authFile,
      JSON.stringify({ auths: { [host]: { auth: btoa(`${username}:${password}`) } } }),
      {
        mode: 0o600,
      },
    );
    const repository = uniqueRepository('rig-auth');
    const copied = await run(skopeo, [
      'copy',
      '--quiet',
      '--dest-tls-verify=false',
      '--dest-authfile',
      authFile,
      `docker-daemon:${runtimeImages.python3}`,
      `docker://${host}/${repository}:v1`,
    ]);
    expect(copied).toMatchObject({ code: 0, stderr: '' });

    const manifestUrl = `http://${host}/v2/${repository}/manifests/v1`;
    const accept =
      'application/vnd.docker.distribution.manifest.v2+json, application/vnd.oci.image.manifest.v1+json';
    expect((await fetch(manifestUrl, { headers: { accept } })).status).toBe(401);
    const read = await fetch(manifestUrl, { headers: { accept, authorization: basic(username, password) } });
    expect(read.status).toBe(200);
    expect(read.headers.get('docker-content-digest')).toMatch(/^sha256:[0-9a-f]{64}$/);
  });
});
