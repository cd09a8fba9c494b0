/**
 * The manifests area (folder `files/`: `src/manifests/` is the YAML and resource reader every area uses):
 * whether each manifest file can be read as ArgoCD reads it (YAML syntax, duplicate keys, limits, text),
 * whether the repository's links and listed files lead to what ArgoCD would read, and whether metadata values
 * are strings, as Kubernetes requires, and whether every kustomize and Helm source of an affected Application
 * could be rendered (src/engine/render-phase.ts).
 */
import type { AreaModule } from '../area/contract.js';
import { metadataCheck } from './metadata.js';
import { repoFilesCheck } from './repo-files.js';
import { yamlCheck } from './yaml-problems.js';
import { renderCoverageCheck } from './render-coverage.js';

/** The manifests area. */
export const manifestsArea: AreaModule = {
  id: 'manifests',
  title: 'Manifest files',
  settingsKey: 'manifests',
  checks: [yamlCheck, repoFilesCheck, metadataCheck, renderCoverageCheck],
};
