/** Entry point of the GitHub Action (dist/index.js). */
import { run } from './main.js';

await run();
