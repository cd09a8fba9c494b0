/** The gate's version, from package.json (bundled at build time). */
import pkg from '../package.json' with { type: 'json' };

/** Version of gitops-gate, as recorded in every report. */
export const VERSION: string = pkg.version;
