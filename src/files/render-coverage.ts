/**
 * Rule `render-not-evaluated`: an Application the change touches whose kustomize or Helm source the gate could
 * not render (missing tool, needs network, plugin, timeout, render error). The sync rules then did not see what
 * ArgoCD applies from it, so by default the gate blocks; the policy's `render.notEvaluated: warn` makes it a
 * warning. The engine's render phase (src/engine/render-phase.ts) leaves the outcome in `Snapshot.renders`.
 */
import type { Check } from '../area/contract.js';
import { renderedGroupLabel, type RenderResult } from '../render/model.js';

function fixFor(r: RenderResult): string {
  const reason = r.reason ?? '';
  if (/found on PATH|not an executable file|did not report|could not start/.test(reason)) {
    return 'Install the tool in the workflow before the gate (pinned to the versions your ArgoCD bundles) or pass its path (CLI --kustomize/--helm, Action inputs kustomize/helm).';
  }
  if (reason.startsWith('needs network')) return 'Vendor the remote base or chart into the repository, or set render.notEvaluated: warn in the policy to accept the change unrendered.';
  if (r.status === 'failed') return "Fix the source so that the tool renders it: ArgoCD's repo-server fails the same way and the Application stays OutOfSync with a ComparisonError.";
  return 'Make the source renderable offline by the gate, or set render.notEvaluated: warn in the policy to accept the change unrendered.';
}

/** The rule on sources the gate could not render. */
export const renderCoverageCheck: Check = {
  name: 'render-coverage',
  rules: [
    {
      id: 'render-not-evaluated',
      area: 'manifests',
      title: 'every kustomize and Helm source an affected Application syncs must be rendered by the gate',
      defaultSeverity: 'error',
      reference:
        "reposerver/repository/repository.go GenerateManifests: ArgoCD's repo-server applies what kustomize build / helm template render, not the files as written; what the gate cannot render it cannot check",
    },
  ],
  change(ctx) {
    const severity = ctx.policy.render.notEvaluated === 'warn' ? 'warning' : 'error';
    for (const g of ctx.head.renders ?? []) {
      for (const r of g.results) {
        if (r.status === 'rendered') continue;
        const source = g.results.length > 1 ? ` source ${r.unit.source.index}` : '';
        ctx.report('render-not-evaluated', {
          file: g.file,
          pos: { line: g.line, column: 1 },
          subject: renderedGroupLabel(g),
          key: r.unit.id,
          severity,
          message: `${renderedGroupLabel(g)}${source} was not rendered: ${r.reason ?? 'unknown reason'}. The sync rules did not see the objects ArgoCD would apply from it.`,
          fix: fixFor(r),
        });
      }
    }
  },
};
