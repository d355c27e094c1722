import { loadService } from '../../common/service/load-service';
import { Emulator, type EmulatorOptions } from '../../emulator/emulator';

/**
 * An emulator of the service whose serverless.yml is at `serverlessYml`, started on ports the
 * kernel picks (gateway and Lambda API; pass `gcpPort: 0` / `azurePort: 0` for those front-ends).
 * Stopped again if it fails to start, so a failed beforeAll leaves nothing running.
 */
export async function startEmulator(
  serverlessYml: string,
  options: Omit<EmulatorOptions, 'model'> = {},
): Promise<Emulator> {
  const emulator = new Emulator({
    model: await loadService(serverlessYml),
    port: 0,
    lambdaPort: 0,
    ...options,
  });
  try {
    await emulator.start();
  } catch (error) {
    await emulator.stop().catch(() => undefined);
    throw error;
  }
  return emulator;
}
