/** Where the transport reports things a user should see but that are not errors. */
export interface RegistryLogger {
  warn(message: string): void;
}

export const stderrLogger: RegistryLogger = {
  warn(message) {
    process.stderr.write(`Warning: ${message}\n`);
  },
};
