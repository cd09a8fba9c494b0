/**
 * Facts about custom health checks, gathered from one side of a change before the checks run
 * (see {@link ./gather.ts}); the health check turns them into findings.
 */
import type { EncodedInput } from './encoded-input.js';
import type { LuaRunResult } from './lua-vm.js';

export type { HealthOrigin, HealthCheckDef, ConfigProblem } from '../argocd/health-model.js';
import type { ConfigProblem, HealthCheckDef } from '../argocd/health-model.js';

/** One case of a `health_test.yaml`. */
export interface HealthTestCase {
  /** The suite file and the case's line in it. */
  file: string;
  line: number;
  /** 0-based index in `tests`. */
  index: number;
  inputPath: string;
  expected: { status: string; message: string };
  /**
   * The input object (first YAML document of the input file), or why it could not be read. When the worker read
   * the input (`encodedInput`), this is read again from the text on first use only.
   */
  input: Record<string, unknown> | { error: string };
  /** The input as the worker read and encoded it, when it did: the runs of the case use it instead of `input`. */
  encodedInput?: EncodedInput;
}

/** The outcome of running one test case on one side. */
export interface HealthTestRun {
  case: HealthTestCase;
  /** The check that ran (chosen from the input object's group/Kind), or undefined when none exists. */
  checkKey?: string;
  checkFile?: string;
  actual: { status: string; message: string };
  result?: LuaRunResult;
  /** False for a case that failed, and for a case that was not run: a case not run is not a pass. */
  pass: boolean;
  /** The case was not run because the per-side run budget (`health.maxRunsPerSide`) was spent. */
  notRun?: boolean;
}

/**
 * A script run skipped because the per-side run budget (`health.maxRunsPerSide`) was spent: the check
 * it would have run, and what it would have checked. The health check reports these per check.
 */
export interface SkippedRun {
  check: HealthCheckDef;
  /** For a test case: the case, and its input file (repository path). Absent for the fresh-object run. */
  case?: HealthTestCase;
  inputFile?: string;
}

/** A health script run against a freshly created object of its kind (no `status`). */
export interface FreshRun {
  check: HealthCheckDef;
  result: LuaRunResult;
}

/**
 * A configured health script run against an object of a common status shape, or one built from the inputs
 * of its tests (one condition at a time): the statuses a resource passes through in a cluster.
 */
export interface ShapeRun {
  check: HealthCheckDef;
  /** What the object looked like, for messages: `status.conditions = [Ready=False]`, ... */
  shape: string;
  result: LuaRunResult;
}

/** Everything gathered about health checks on one side. */
export interface HealthFacts {
  checks: HealthCheckDef[];
  problems: ConfigProblem[];
  tests: HealthTestRun[];
  fresh: FreshRun[];
  /** Runs on common status shapes and on objects built from test inputs (configured checks only). */
  shapes: ShapeRun[];
  /** Every file these facts were read from (configuration, layout checks, suites, test inputs). */
  files: string[];
  /** Runs skipped because the per-side cap was reached, or other reasons the facts are incomplete. */
  notEvaluated: string[];
  /** The runs the per-side cap left out, in the order they would have run. */
  skipped: SkippedRun[];
}
