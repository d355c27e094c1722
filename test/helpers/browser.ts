import { existsSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { type Browser, chromium } from 'playwright-core';
import { packageRoot } from '../../common/package-info';

/** Debian's Chromium, which `bash scripts/services.sh start` installs (no browser download). */
export const CHROMIUM = process.env.FAASPORT_CHROMIUM ?? '/usr/bin/chromium';

/** Where browser tests write their screenshots (git-ignored). */
export const SCREENSHOTS = join(packageRoot, 'test-results', 'console');

/** Chromium headless; a missing one fails the test with what to run, never skips it. */
export async function launchChromium(): Promise<Browser> {
  if (!existsSync(CHROMIUM)) {
    throw new Error(
      `no Chromium at ${CHROMIUM}: run bash scripts/services.sh start (it installs Debian's chromium), or set FAASPORT_CHROMIUM`,
    );
  }
  await mkdir(SCREENSHOTS, { recursive: true });
  // --no-sandbox: the test rig runs as root, where Chromium's sandbox refuses to start.
  return chromium.launch({ executablePath: CHROMIUM, headless: true, args: ['--no-sandbox'] });
}
