/**
 * A function as the local Lambda control plane holds it, and as it records it on disk for the
 * emulator to run later: `<recordDir>/<FunctionName>/function.json` (this shape) next to
 * `code.zip` for zip functions.
 */
export interface DeployedLambdaFunction {
  /** The `FunctionConfiguration` the API returns (State, LastUpdateStatus, CodeSha256, …). */
  configuration: LambdaConfiguration;
  tags: Record<string, string>;
  reservedConcurrency?: number;
  /** Zip functions: file name of the code next to function.json. */
  codeFile?: string;
}

/** The fields of Lambda's FunctionConfiguration that the control plane maintains. */
export interface LambdaConfiguration {
  FunctionName: string;
  FunctionArn: string;
  Runtime?: string;
  Role: string;
  Handler?: string;
  CodeSize: number;
  Description: string;
  Timeout: number;
  MemorySize: number;
  LastModified: string;
  CodeSha256: string;
  Version: '$LATEST';
  Environment?: { Variables: Record<string, string> };
  RevisionId: string;
  State: 'Pending' | 'Active' | 'Inactive' | 'Failed';
  StateReason?: string;
  StateReasonCode?: string;
  LastUpdateStatus: 'Successful' | 'Failed' | 'InProgress';
  LastUpdateStatusReason?: string;
  LastUpdateStatusReasonCode?: string;
  PackageType: 'Zip' | 'Image';
  Architectures: Array<'x86_64' | 'arm64'>;
  EphemeralStorage: { Size: number };
  /** Image functions: the image as given (ImageUri). */
  ImageUri?: string;
}
