/**
 * Types of the render module: what is rendered (a {@link RenderUnit}: one source of one Application), how
 * (the {@link RenderOptions}), and what comes out (a {@link RenderResult} of {@link RenderedObject}s, each
 * with the repository file and line it comes from).
 */
import type { ApplicationSourceSpec } from '../argocd/app-sources.js';

/** One source of one Application: the unit the repo-server renders (`GenerateManifests`, reposerver/repository/repository.go). */
export interface RenderUnit {
  /** Stable id, the same on both sides of a change: `<application file>#<application name>@<source index>`. */
  id: string;
  /** The Application the source belongs to. */
  app: {
    name: string;
    /** Repository path of the file the Application (or its ApplicationSet) is written in. */
    file: string;
    /** 1-based line of the Application (or ApplicationSet) document in that file. */
    line: number;
    /** `spec.destination.namespace`: Helm's default `--namespace`. */
    destinationNamespace?: string;
    /** Name of the ApplicationSet that generated it, if one did. */
    generatedBy?: string;
  };
  /** The source to render. */
  source: ApplicationSourceSpec;
  /** Every source of the Application, for `$ref` value files. */
  sources: ApplicationSourceSpec[];
  /** Set when the unit is known not to be renderable before anything runs (an ApplicationSet generator the gate does not expand). */
  notEvaluated?: string;
}

/** Where a rendered object comes from. */
export interface Origin {
  /** Repository path (`/`-separated). */
  file: string;
  /** 1-based line: of the object's document for a plain manifest, 1 for a Helm template, the Application's line when nothing is known. */
  line: number;
  /**
   * How the origin was found: `kustomize` origin annotation, a kustomize patch file that sets one of the object's
   * ArgoCD annotations (src/render/patch-origin.ts), Helm `# Source:` header, the plain file, or the Application's
   * file as a fallback.
   */
  via: 'kustomize-origin' | 'kustomize-patch' | 'helm-source' | 'file' | 'application';
}

/** One object of a rendered output. */
export interface RenderedObject {
  /** The object as a plain value (the origin annotation the gate added is stripped). */
  object: Record<string, unknown>;
  /** Its YAML text, as the tool printed it (origin annotation stripped). */
  yaml: string;
  origin: Origin;
  /** `group/Kind namespace/name` identity, for diffs: `apps/Deployment pay/api`, `Secret /creds` (no namespace written). */
  key: string;
}

/** The name and version of a rendering tool. */
export interface ToolInfo {
  name: 'kustomize' | 'helm' | 'directory';
  /** `v5.6.0`; `''` for the directory reader. */
  version: string;
  /** Absolute path of the binary that ran (absent for the directory reader). */
  path?: string;
}

/**
 * The outcome of rendering one unit.
 * - `rendered`: the tool ran and its output is in `objects`;
 * - `failed`: the tool ran and refused the input (ArgoCD's repo-server would fail the same way): `reason` holds its message;
 * - `not-evaluated`: the gate did not (or could not) render it: another repository, a plugin, Jsonnet, a remote
 *   base or chart dependency (needs network), a refused kustomization, a missing tool, a timeout. `reason` says which.
 */
export interface RenderResult {
  unit: RenderUnit;
  status: 'rendered' | 'failed' | 'not-evaluated';
  reason?: string;
  /** The source type as the repo-server decides it. Absent when the unit was not looked at. */
  sourceType?: 'Helm' | 'Kustomize' | 'Directory' | 'Plugin';
  tool?: ToolInfo;
  objects: RenderedObject[];
  /** True when the result came from the cache (same tool, version, options and input contents). */
  cached?: boolean;
  /** Wall time of the tool run, in milliseconds (0 from the cache). */
  durationMs?: number;
  /**
   * The repository files the render read (its closure: kustomizations, bases, patches, generator inputs; the
   * chart, its value files and file parameters; a directory's manifests), for provenance of what the output
   * holds (the health area locates rendered health-check scripts in them). Absent when nothing was read.
   */
  inputs?: string[];
}

/** How to find and run the tools. */
export interface RenderOptions {
  /** Repository URLs that name the repository under review. Sources of other repositories are not evaluated. */
  repoURLs: readonly string[];
  /**
   * `targetRevision`s that name the revision under review, besides `''` and `HEAD` (for example the base branch name).
   * Absent: every revision is taken as the one under review.
   */
  revisions?: readonly string[];
  /** A `kustomize` binary, or a `kubectl` binary (its `kustomize` subcommand is used). Absent: `kustomize`, then `kubectl`, on PATH. */
  kustomizeBinary?: string;
  /** A `helm` binary. Absent: `helm` on PATH. */
  helmBinary?: string;
  /** `kustomize.buildOptions` of argocd-cm (for example `--load-restrictor LoadRestrictionsNone`). */
  kustomizeBuildOptions?: string;
  /** Kubernetes version Helm renders for (`--kube-version`) when the source names none. */
  kubeVersion?: string;
  /** Time allowed for one tool run, in milliseconds. Default 60,000. */
  timeoutMs?: number;
  /** Tool runs at once. Default `os.availableParallelism()`. */
  concurrency?: number;
  /** Results shared across calls (base and head): an identical unit with identical inputs is rendered once. Calls sharing a cache share one pool of {@link concurrency} tool runs. */
  cache?: RenderCache;
  /** Cache lookups of this call wait for this promise: pass the other side's {@link onLookedUp}, so that side is looked up (and run) first. */
  after?: Promise<unknown>;
  /** Called once every unit of this call has passed its cache lookup (or was decided without one). */
  onLookedUp?: () => void;
  /** Parent directory of the sandboxes. Default `os.tmpdir()`. */
  tmpDir?: string;
  /** PATH used to find the tools when no binary is given. Default `process.env.PATH`. */
  searchPath?: string;
}

/** A cache of renders keyed by tool, version, options and the content hash of the inputs. */
export interface RenderCache {
  /** Keyed results (the promise of the first run, so concurrent equal renders run once). */
  readonly entries: Map<string, Promise<CachedRender>>;
  /** Tool runs started (not served from the cache). */
  runs: number;
  /** Results served from the cache. */
  hits: number;
}

/** What the cache keeps for one render. */
export interface CachedRender {
  status: RenderResult['status'];
  reason?: string;
  tool?: ToolInfo;
  objects: RenderedObject[];
  durationMs: number;
}

/** A new, empty {@link RenderCache}. */
export function createRenderCache(): RenderCache {
  return { entries: new Map(), runs: 0, hits: 0 };
}

/**
 * How reports name a rendered group: `Application <name>`, `kustomization <dir>`, or `Helm chart <dir>` (a
 * rendered group of grouping `directory` is a chart directory; `.` for the repository root).
 */
export function renderedGroupLabel(g: { grouping: 'application' | 'kustomization' | 'directory'; name: string; dir: string }): string {
  return g.grouping === 'application' ? `Application ${g.name}` : g.grouping === 'kustomization' ? `kustomization ${g.dir || '.'}` : `Helm chart ${g.dir || '.'}`;
}
