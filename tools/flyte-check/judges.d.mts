// Types for judges.mjs (Node helpers that run the Flyte judges).

export declare const repoRoot: string;
export declare const setupCommand: string;
export declare const judgePaths: {
  flyteCheck: string;
  python: string;
  checkBundle: string;
  readLiterals: string;
};

export declare class JudgeUnavailableError extends Error {}

export declare function judgesAvailable(): { flyteCheck: boolean; flytekit: boolean };

export interface JudgeProblem {
  /** Compiler code (MismatchingTypes, ParameterNotBound, ...) or InvalidArgument, NotFound, InvalidFile, ... */
  code: string;
  /** compiler | propeller | admin | flytectl | bundle */
  origin: string;
  message: string;
}

export interface FlyteCheckEntity {
  file: string;
  name: string;
  ok: boolean;
  error?: string;
  problems?: JudgeProblem[];
  notes?: string[];
}

export interface FlyteCheckReport {
  ok: boolean;
  files: FlyteCheckEntity[];
  tasks: FlyteCheckEntity[];
  workflows: FlyteCheckEntity[];
  launchPlans: FlyteCheckEntity[];
}

export interface JudgeRun<J> {
  ok: boolean;
  status: number | null;
  stdout: string;
  stderr: string;
  json: J;
}

export interface FlytekitEntity {
  file: string;
  name: string;
  ok: boolean;
  error?: string;
  traceback?: string;
  type?: string;
  pythonTypes?: { inputs?: Record<string, string>; outputs?: Record<string, string> };
  nodes?: Record<string, string[]>;
  workflow?: string;
  scheduled?: boolean;
  schedule?: { cron: string | null; rate: { value: number; unit: number } | null; kickoffTimeInputArg: string | null };
  values?: Record<string, string>;
}

export interface FlytekitBundleReport {
  ok: boolean;
  files: FlytekitEntity[];
  tasks: FlytekitEntity[];
  workflows: FlytekitEntity[];
  launchPlans: FlytekitEntity[];
}

export declare function flyteCheck(
  bundlePath: string | string[],
  options?: { project?: string; domain?: string; version?: string; execution?: boolean },
): JudgeRun<FlyteCheckReport>;

export declare function flytekitCheckBundle(bundlePath: string | string[]): JudgeRun<FlytekitBundleReport>;

export declare function flytekitReadLiterals(
  outputsPb: string,
  expected?: Record<string, unknown> | string,
  options?: { interface?: string; direction?: 'outputs' | 'inputs'; strictNumbers?: boolean },
): JudgeRun<Record<string, unknown>> & { diff?: string[] };
