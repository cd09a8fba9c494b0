/**
 * The GitHub Action. (The engine issue only needs it to load the policy; the Action issue builds the rest.)
 */
import * as core from '@actions/core';
import { defaultPolicyValue } from '../policy/load.js';

/** Runs the action; sets the job's result through @actions/core. */
export async function run(): Promise<void> {
  try {
    defaultPolicyValue();
    core.info('gitops-gate: policy loaded');
  } catch (err) {
    core.setFailed(err instanceof Error ? err.message : String(err));
  }
}
