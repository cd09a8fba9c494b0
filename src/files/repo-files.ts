/**
 * Findings for files of the repository the gate cannot read as ArgoCD does. A symbolic link inside the
 * repository is read as the file it leads to (the readers resolve it, and the other checks judge the target
 * under the link's path); these rules cover the links that lead nowhere readable, and changed files the head
 * tree does not hold under the name the change gives. The gate fails closed on each.
 */
import { manifestMatcher } from '../manifests/manifest-file.js';
import type { Check } from '../area/contract.js';

/** Rules on symbolic links and unreadable changed files. */
export const repoFilesCheck: Check = {
  name: 'repo-files',
  rules: [
    {
      id: 'symlink-outside-repo',
      area: 'manifests',
      title: 'symbolic links must stay inside the repository',
      defaultSeverity: 'error',
      reference:
        'argo-cd util/app/path CheckOutOfBoundsSymlinks: the repo-server refuses the whole repository ("repository contains out-of-bounds symlinks") when any link is absolute or leads out of it',
    },
    {
      id: 'symlink-unresolved',
      area: 'manifests',
      title: 'a symbolic link with a manifest name must lead to a file in the repository',
      defaultSeverity: 'error',
      reference: 'the repo-server reads manifests through the file system (os.ReadFile): a link that loops (ELOOP), dangles (ENOENT) or names a directory (EISDIR) fails manifest generation',
    },
    {
      id: 'changed-file-unread',
      area: 'manifests',
      title: 'every manifest the change adds or modifies must be readable at head under the name the change gives',
      defaultSeverity: 'error',
      reference:
        'GitHub lists changed files by name as JSON text, which cannot carry a name that is not UTF-8; a sparse checkout leaves files out of the workspace. A file the gate cannot find is a file it did not judge',
    },
  ],
  side(ctx) {
    for (const path of ctx.snapshot.unlisted ?? []) {
      ctx.report('changed-file-unread', {
        file: path,
        pos: { line: 1, column: 1 },
        message: `the change adds or modifies ${path}, but the head tree holds no file by that name (a name that is not UTF-8, or a file left out of the checkout): the gate cannot judge it`,
        fix: 'Rename the file to a UTF-8 name, or check out the whole head commit (no sparse checkout) before the gate runs.',
      });
    }
    const links = ctx.snapshot.symlinks;
    if (!links?.length) return;
    const isManifest = manifestMatcher(ctx.policy.manifests);
    for (const l of links) {
      if (!l.problem) continue;
      const pos = { line: 1, column: 1 };
      if (l.problem === 'outside') {
        ctx.report('symlink-outside-repo', { file: l.path, pos, message: l.message ?? `${l.path} leads outside the repository`, fix: 'Replace the link with the file itself, or point it at a file inside the repository with a relative path.', key: l.target });
      } else if (isManifest(l.path)) {
        ctx.report('symlink-unresolved', { file: l.path, pos, message: l.message ?? `${l.path} leads to no file`, fix: 'Point the link at a manifest file inside the repository, or remove it.', key: `${l.problem}:${l.target}` });
      }
    }
  },
};
