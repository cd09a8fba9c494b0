/**
 * Error classes of gitops-gate. Everything the gate throws on purpose is a {@link GateError};
 * anything else is a bug. Entry points map {@link ConfigError} and {@link UsageError} to exit code 2.
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
