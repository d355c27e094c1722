import { join } from 'node:path';
import { copyReference } from '../../artifact/copy-reference';
import { hostPlatform } from '../../artifact/manifest/platform';
import { parseReference } from '../../artifact/reference';
import { LOCAL_STATE } from '../../common/local-state';
import type { FunctionModel, ServiceModel } from '../../common/service/service-model';
import type { FunctionCode } from '../code/function-code';
import type { EmulatorLogger } from '../logger';

/**
 * `--publish-on-change`: after a swap, the same bytes go to each registry reference of the
 * function's sourceArtifact, so a teammate's emulator or a deploy runs exactly what was tested.
 * A failed push is reported and does not stop the emulator.
 */
export function publishOnChange(model: ServiceModel, logger: EmulatorLogger) {
  const store = join(model.serviceDir, LOCAL_STATE.store);
  return async (fn: FunctionModel, code: FunctionCode): Promise<void> => {
    const targets = [...new Set(Object.values(fn.sourceArtifact))].filter((ref) => !ref.startsWith('oci:'));
    for (const target of targets) {
      try {
        const result = await copyReference(parseReference(`oci:${store}:${fn.key}`), parseReference(target), {
          platform: hostPlatform(),
        });
        logger.line(
          fn.name,
          `published ${code.digest.slice(7, 19)} to ${target} (${result.transferredBytes} bytes sent)`,
        );
      } catch (error) {
        logger.line(fn.name, `publish to ${target} failed: ${(error as Error).message}`, 'stderr');
      }
    }
  };
}
