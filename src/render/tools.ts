/**
 * Finding and running the rendering tools: `kustomize` (or `kubectl kustomize`) and `helm`, with a clean
 * environment (PATH and private HOME/XDG/HELM_* directories only: no token, no credential, no kubeconfig),
 * a timeout, and, where the kernel allows an unprivileged network namespace (`unshare -rn`), no network.
 */
import { execFile } from 'node:child_process';
import { access, constants, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { delimiter, dirname, isAbsolute, join, resolve } from 'node:path';
import type { ToolInfo } from './model.js';

/** A tool ready to run: its binary, the arguments that come before the tool's own (`kustomize` for kubectl), and its version. */
export interface Tool {
  info: ToolInfo;
  /** Arguments placed before the command's own (`['kustomize']` when kubectl stands in for kustomize). */
  prefix: string[];
}

/** The outcome of one process run. */
export interface RunOutcome {
  code: number | null;
  stdout: string;
  stderr: string;
  timedOut: boolean;
  /** Set when the process could not start (for example ENOENT). */
  spawnError?: string;
}

/** Largest output accepted from a tool, in bytes. */
export const MAX_TOOL_OUTPUT = 64 * 1024 * 1024;

/**
 * Runs `file args` in `cwd` with exactly `env`, killing it (SIGKILL) after `timeoutMs`.
 * Never throws: a failure to start comes back in `spawnError`.
 */
export function runProcess(file: string, args: readonly string[], opts: { cwd: string; env: Record<string, string>; timeoutMs: number }): Promise<RunOutcome> {
  return new Promise((res) => {
    execFile(file, args, { cwd: opts.cwd, env: opts.env, timeout: opts.timeoutMs, killSignal: 'SIGKILL', maxBuffer: MAX_TOOL_OUTPUT, encoding: 'utf8', windowsHide: true }, (err, stdout, stderr) => {
      if (!err) return res({ code: 0, stdout, stderr, timedOut: false });
      const e = err as NodeJS.ErrnoException & { killed?: boolean; signal?: string; code?: number | string };
      if (typeof e.code === 'string' && e.code !== 'ERR_CHILD_PROCESS_STDIO_MAXBUFFER') return res({ code: null, stdout: '', stderr: '', timedOut: false, spawnError: `${e.code}: ${e.message}` });
      const timedOut = e.killed === true && e.signal === 'SIGKILL';
      res({ code: typeof e.code === 'number' ? e.code : null, stdout: String(stdout ?? ''), stderr: String(stderr ?? '') || e.message, timedOut });
    });
  });
}

async function executable(p: string): Promise<boolean> {
  try {
    await access(p, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/** The absolute path of `name` on `searchPath`, or `undefined`. */
export async function which(name: string, searchPath: string | undefined): Promise<string | undefined> {
  for (const d of (searchPath ?? '').split(delimiter)) {
    if (!d) continue;
    const p = join(d, name);
    if (await executable(p)) return p;
  }
  return undefined;
}

const versions = new Map<string, Promise<string | undefined>>();

/** Runs a version command once per binary (cached for the process). */
function versionOf(bin: string, args: string[], parse: (out: string) => string | undefined, env: Record<string, string>): Promise<string | undefined> {
  const key = `${bin}\0${args.join(' ')}`;
  let v = versions.get(key);
  if (!v) {
    // Never rejects: the promise may wait unobserved while the tool renders (see locateHelm).
    v = runProcess(bin, args, { cwd: dirname(bin), env, timeoutMs: 20_000 }).then(
      (o) => (o.code === 0 ? parse(o.stdout + o.stderr) : undefined),
      () => undefined,
    );
    versions.set(key, v);
  }
  return v;
}

/**
 * A render tool found on disk, its version command still running. A render starts with it at once (helm's version
 * command takes about as long as a template) and is kept only if the tool then reports a version ({@link withVersion}).
 */
export interface FoundTool {
  name: 'kustomize' | 'helm';
  /** Absolute path of the binary. */
  path: string;
  /** Arguments placed before the command's own (`['kustomize']` when kubectl stands in for kustomize). */
  prefix: string[];
  /** The version the tool reports (run once per binary and process); undefined when it reports none. Never rejects. */
  version: Promise<string | undefined>;
}

/**
 * Finds the kustomize tool: `binary` when given (a `kubectl` binary is used as `kubectl kustomize`), else
 * `kustomize` then `kubectl` on `searchPath`; starts its version command.
 * @returns the tool, or a sentence saying why none was found
 */
export async function locateKustomize(binary: string | undefined, searchPath: string | undefined, env: Record<string, string>): Promise<FoundTool | string> {
  let bin = binary ? resolve(binary) : await which('kustomize', searchPath);
  if (!bin && !binary) bin = await which('kubectl', searchPath);
  if (!bin || !(await executable(bin))) return binary ? `the kustomize binary ${binary} is not an executable file` : 'neither kustomize nor kubectl was found on PATH';
  const kubectl = /kubectl[^/]*$/.test(bin);
  const version = kubectl
    ? versionOf(bin, ['version', '--client'], (o) => /Kustomize Version:\s*(\S+)/.exec(o)?.[1], env)
    : versionOf(bin, ['version'], (o) => /(v\d+\.\d+\.\d+[^\s"}]*)/.exec(o)?.[1], env);
  return { name: 'kustomize', path: bin, prefix: kubectl ? ['kustomize'] : ['build'], version };
}

/**
 * Finds helm: `binary` when given, else `helm` on `searchPath`; starts its version command.
 * @returns the tool, or a sentence saying why none was found
 */
export async function locateHelm(binary: string | undefined, searchPath: string | undefined, env: Record<string, string>): Promise<FoundTool | string> {
  const bin = binary ? resolve(binary) : await which('helm', searchPath);
  if (!bin || !(await executable(bin))) return binary ? `the helm binary ${binary} is not an executable file` : 'helm was not found on PATH';
  const version = versionOf(bin, ['version', '--short'], (o) => /(v\d+\.\d+\.\d+[^\s+]*)/.exec(o)?.[1], env);
  return { name: 'helm', path: bin, prefix: ['template'], version };
}

/**
 * The found tool with its version.
 * @returns the tool, or a sentence saying why it is refused: a binary that reports no version is not taken for the tool
 */
export async function withVersion(found: FoundTool): Promise<Tool | string> {
  const version = await found.version;
  if (!version) return `${found.path} did not report a ${found.name} version`;
  return { info: { name: found.name, version, path: found.path }, prefix: found.prefix };
}

/** {@link locateKustomize}, then {@link withVersion}. */
export async function findKustomize(binary: string | undefined, searchPath: string | undefined, env: Record<string, string>): Promise<Tool | string> {
  const found = await locateKustomize(binary, searchPath, env);
  return typeof found === 'string' ? found : withVersion(found);
}

/** {@link locateHelm}, then {@link withVersion}. */
export async function findHelm(binary: string | undefined, searchPath: string | undefined, env: Record<string, string>): Promise<Tool | string> {
  const found = await locateHelm(binary, searchPath, env);
  return typeof found === 'string' ? found : withVersion(found);
}

/**
 * The environment of every tool run: PATH (system directories only) and private, empty HOME, XDG and
 * HELM_* directories under `home`, a kubeconfig that names no cluster. Nothing of the gate's own
 * environment (tokens, proxies, credentials) is passed.
 */
export async function toolEnv(home: string): Promise<Record<string, string>> {
  const dirs = ['config', 'cache', 'data', 'helm/config', 'helm/cache', 'helm/data', 'helm/plugins'];
  await Promise.all(dirs.map((d) => mkdir(join(home, d), { recursive: true })));
  const kubeconfig = join(home, 'kubeconfig');
  await writeFile(kubeconfig, 'apiVersion: v1\nkind: Config\nclusters: []\ncontexts: []\nusers: []\n');
  return {
    PATH: '/usr/local/bin:/usr/bin:/bin',
    HOME: home,
    XDG_CONFIG_HOME: join(home, 'config'),
    XDG_CACHE_HOME: join(home, 'cache'),
    XDG_DATA_HOME: join(home, 'data'),
    HELM_CONFIG_HOME: join(home, 'helm/config'),
    HELM_CACHE_HOME: join(home, 'helm/cache'),
    HELM_DATA_HOME: join(home, 'helm/data'),
    HELM_PLUGINS: join(home, 'helm/plugins'),
    KUBECONFIG: kubeconfig,
    GIT_TERMINAL_PROMPT: '0',
    LANG: 'C',
  };
}

let unshareProbe: Promise<string | undefined> | undefined;

/**
 * The `unshare` binary when it can run a command in a new, empty network namespace here (`unshare -rn`),
 * probed once per process; `undefined` otherwise (the gate then relies on refusing remote references).
 */
export function networkSandbox(): Promise<string | undefined> {
  unshareProbe ??= (async () => {
    const bin = (await which('unshare', '/usr/bin:/bin')) ?? undefined;
    if (!bin || !isAbsolute(bin)) return undefined;
    const o = await runProcess(bin, ['-rn', 'true'], { cwd: '/', env: { PATH: '/usr/bin:/bin' }, timeoutMs: 5_000 });
    return o.code === 0 ? bin : undefined;
  })();
  return unshareProbe;
}

/**
 * Starts, in the background, what the first render of a Helm chart or a kustomization waits for: the
 * network-namespace probe and the version command of each tool `needed` names. Both are cached for the
 * process, so a render that comes later finds them done (a version command costs 0.1–0.2 s of the
 * render's critical path otherwise). Never throws: a tool that is missing or fails is found again, and
 * reported, by the render.
 * @param needed - which tools the repository calls for (a `Chart.yaml`: helm; a kustomization: kustomize)
 * @param opts - the binaries and search path the render will use
 */
export function warmTools(needed: { helm: boolean; kustomize: boolean }, opts: { kustomizeBinary?: string; helmBinary?: string; searchPath?: string; tmpDir?: string }): void {
  if (!needed.helm && !needed.kustomize) return;
  void networkSandbox();
  void (async () => {
    const home = await mkdtemp(join(opts.tmpDir ?? tmpdir(), 'gitops-gate-probe-'));
    try {
      const env = await toolEnv(home);
      await Promise.all([
        needed.helm ? findHelm(opts.helmBinary, opts.searchPath ?? process.env.PATH, env) : undefined,
        needed.kustomize ? findKustomize(opts.kustomizeBinary, opts.searchPath ?? process.env.PATH, env) : undefined,
      ]);
    } finally {
      await rm(home, { recursive: true, force: true });
    }
  })().catch(() => undefined);
}
