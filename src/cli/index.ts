/** Entry point of the `gitops-gate` binary (dist/cli.js). */
import { runCli } from './main.js';

process.exitCode = await runCli(process.argv.slice(2));
