/**
 * The render module: Application sources rendered with the real tools, as ArgoCD's repo-server renders
 * them, with provenance and a rendered diff. See docs/render.md.
 */
export type { RenderUnit, RenderResult, RenderedObject, Origin, ToolInfo, RenderOptions, RenderCache, CachedRender } from './model.js';
export { createRenderCache, renderedGroupLabel } from './model.js';
export { unitsOfApplication, unitsOfApplicationSet } from './units.js';
export { renderApplications, discoverSourceType, parseBuildOptions, applyKustomizeOptions, DEFAULT_RENDER_TIMEOUT_MS } from './render.js';
export { warmTools } from './tools.js';
export { renderedManifestFiles } from './to-manifest.js';
export { diffRendered, redactSecret, type RenderedDiff, type ChangedObject } from './diff.js';
export { ORIGIN_ANNOTATION } from './output.js';
export { repoMatcher } from '../argocd/app-sets.js';
export { renderedApplicationDetail, type RenderDetails, type RenderedApplicationDetail, type RenderUnitDetail, type RenderProvenance, type RenderedGroupLike } from './details.js';
export { sideContext, kustomizationIn, kustomizeClosure, readAll, type SideContext } from './inputs.js';
