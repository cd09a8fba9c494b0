/**
 * Error classes of gitops-gate. Everything the gate throws on purpose is a {@link GateError};
 * anything else is a bug. The CLI's exit codes (see {@link exitCodeOf}): 0 pass, 1 fail, 2 a
 * {@link GateError} (usage, configuration, or a source such as git or GitHub that could not supply a
 * fact), 3 an internal error (anything else: a bug, reported with its stack).
 */

/** Base class of the project's own errors. */
export class GateError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
  }
}

/** A location in a file that an error points at. */
export interface ErrorLocation {
  file: string;
  line?: number;
  column?: number;
}

/**
 * The configuration (policy file, inputs) is wrong. The message names the file, the line and the
 * setting, so the user can fix it. The gate fails closed on it (exit code 2 in the CLI).
 */
export class ConfigError extends GateError {
  readonly location?: ErrorLocation;
  /** The offending setting, as a path such as `review.rules[0].count`. */
  readonly setting?: string;
  constructor(message: string, location?: ErrorLocation, setting?: string, options?: { cause?: unknown }) {
    super(formatLocated(message, location), options);
    this.location = location;
    this.setting = setting;
  }
}

/** The command line or an input file given to it is wrong (exit code 2). */
export class UsageError extends GateError {}

/** A source (git, the GitHub API) could not supply a fact the gate needs. The gate fails closed. */
export class SourceError extends GateError {}

/**
 * GitHub answered, but with a body that is not the documented shape (a missing field, a wrong type, an
 * object where a list belongs). A fault of GitHub (or of a proxy in between), not of the user: the gate
 * fails closed and the message names the response and the field.
 */
export class GitHubResponseError extends SourceError {}

/**
 * Makes the error a malformed GitHub-shaped document is reported as: a {@link GitHubResponseError} for an
 * API response, a {@link UsageError} for a file the user gave the CLI (`--pr`, `--reviews`).
 */
export type ShapeErrorFactory = (message: string) => GateError;

/** {@link ShapeErrorFactory} for API responses. */
export const responseError: ShapeErrorFactory = (message) => new GitHubResponseError(message);

/** {@link ShapeErrorFactory} for the CLI's input files. */
export const inputError: ShapeErrorFactory = (message) => new UsageError(message);

/** Exit code of an internal error (a bug): anything thrown that is not a {@link GateError}. */
export const EXIT_INTERNAL = 3;

/** Exit code of a {@link GateError}: usage, configuration or source error. */
export const EXIT_USAGE = 2;

/** The CLI's exit code for a thrown value: {@link EXIT_USAGE} for a {@link GateError}, else {@link EXIT_INTERNAL}. */
export function exitCodeOf(err: unknown): number {
  return err instanceof GateError ? EXIT_USAGE : EXIT_INTERNAL;
}

/** Where bugs are reported: the issues of the project's repository. */
export const BUG_REPORT = 'This is a bug in gitops-gate: please report it, with the output above, in the issues of the gitops-gate repository.';

/** Prefixes a message with `file:line:column: ` where known. */
export function formatLocated(message: string, location?: ErrorLocation): string {
  if (!location) return message;
  let where = location.file;
  if (location.line !== undefined) {
    where += `:${location.line}`;
    if (location.column !== undefined) where += `:${location.column}`;
  }
  return `${where}: ${message}`;
}

/** Renders any thrown value as a one-line message. */
export function describeError(err: unknown): string {
  if (err instanceof Error) return err.message;
  return String(err);
}
