/**
 * Entry point of the GitHub Action (dist/index.js). The main module is imported dynamically so that an
 * error while loading it (the toolkit reads the event payload at import time) still fails the step
 * cleanly, closed, instead of crashing with a stack trace.
 */
import * as core from '@actions/core';

try {
  const { run } = await import('./main.js');
  await run();
} catch (err) {
  core.setOutput('verdict', 'fail');
  core.setFailed(`gitops-gate: cannot start: ${err instanceof Error ? err.message : String(err)}`);
}
