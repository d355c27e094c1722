import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

export interface SelfSignedCertificate {
  /** PEM; clients pass it as their only CA (`tlsOptions: { ca }`). */
  cert: string;
  /** PEM private key; never leaves the process. */
  key: string;
}

/**
 * A fresh self-signed certificate for 127.0.0.1 and localhost (P-256, valid 30 days). Node can
 * sign nothing by itself, so this runs `openssl req` with fixed arguments (no shell, no user
 * input) in a private temporary folder that is removed afterwards.
 */
export async function selfSignedCertificate(): Promise<SelfSignedCertificate> {
  const dir = await mkdtemp(join(tmpdir(), 'faasport-tls-'));
  try {
    const keyFile = join(dir, 'key.pem');
    const certFile = join(dir, 'cert.pem');
    try {
      await run(
        'openssl',
        [
          'req',
          '-x509',
          '-newkey',
          'ec',
          '-pkeyopt',
          'ec_paramgen_curve:prime256v1',
          '-nodes',
          '-keyout',
          keyFile,
          '-out',
          certFile,
          '-days',
          '30',
          '-subj',
          '/CN=faasport local Azure control plane',
          '-addext',
          'subjectAltName=IP:127.0.0.1,IP:::1,DNS:localhost',
        ],
        { timeout: 30_000 },
      );
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      throw new Error(
        code === 'ENOENT'
          ? 'the local Azure control plane needs openssl to make its TLS certificate: install it (apt-get install openssl)'
          : `openssl could not make the local Azure control plane's TLS certificate: ${(error as Error).message}`,
        { cause: error },
      );
    }
    return { cert: await readFile(certFile, 'utf8'), key: await readFile(keyFile, 'utf8') };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
