/**
 * The framework's naming convention for deployed and emulated functions,
 * `<service>-<stage>-<function>`; the framework writes it to `functions.<name>.name` itself, this
 * is for code that names functions without a framework instance (the emulator, the CLI).
 */
export function deployedFunctionName(service: string, stage: string, functionKey: string): string {
  return `${service}-${stage}-${functionKey}`;
}
