/**
 * The lean runner: the same Worker as `wrangler dev` runs, bundled with
 * esbuild and served by `workerd serve` directly from a generated config:
 * one workerd process, no proxy Worker in front, no Node process in the
 * request path. It uses the workerd binary that wrangler itself runs, so both
 * runners have the same runtime version.
 *
 * What it leaves out: Workers Static Assets (the bench only uses /api/*),
 * the inspector, live reload and wrangler's log formatting.
 */
import { accessSync, closeSync, constants, mkdirSync, mkdtempSync, openSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { build } from "esbuild";
import { startOnFreePort } from "../../harness/ports.ts";
import { spawnGroup, stopGroup } from "../../harness/processGroups.ts";
import { waitHealthy } from "../../harness/readiness.ts";

export const ROOT = resolve(import.meta.dirname, "../..");

export interface WorkerdServer {
  readonly url: string;
  readonly pid: number;
  /** The worker's log (console output), read from the log file. */
  output(): string;
  stop(): Promise<void>;
}

export interface WorkerdOptions {
  /** wrangler config, relative to the repository root. */
  config: string;
  /** Overrides of `[vars]`, as text bindings (what `wrangler dev --var` does). */
  vars?: Record<string, string | number>;
  /** Bundle this entry instead of the config's `main` (relative to the repository root). */
  entry?: string;
  /** Extra `workerd serve` arguments (e.g. `--inspector-addr=127.0.0.1:0`, to compare with wrangler dev). */
  args?: string[];
  /** V8 flags for the isolate (the config's `v8Flags`), e.g. `--perf-basic-prof` for `bench:native`. */
  v8Flags?: string[];
  startTimeoutMs?: number;
}

/** What the bench reads from a wrangler config (through wrangler's own reader). */
interface WorkerConfig {
  main: string;
  compatibilityDate: string;
  compatibilityFlags: string[];
  vars: Record<string, unknown>;
  durableObjects: { name: string; className: string }[];
  sqliteClasses: Set<string>;
}

/** tmpfs if there is one, so that storage commits do not measure this disk's fsync. */
export function tmpfsOrTmpdir(): string {
  try {
    accessSync("/dev/shm", constants.W_OK);
    return "/dev/shm";
  } catch {
    return tmpdir();
  }
}

const requireFromWrangler = createRequire(createRequire(import.meta.url).resolve("wrangler/package.json"));

/** The workerd binary wrangler runs (wrangler's own dependency, not the vitest plugin's). */
export function workerdBinary(): string {
  const pkg = requireFromWrangler.resolve("workerd/package.json");
  return join(dirname(pkg), "bin", "workerd");
}

async function readWorkerConfig(configPath: string): Promise<WorkerConfig> {
  const wrangler = (await import("wrangler")) as unknown as {
    unstable_readConfig(args: { config: string }, options?: { hideWarnings?: boolean }): {
      main?: string;
      compatibility_date?: string;
      compatibility_flags?: string[];
      vars?: Record<string, unknown>;
      durable_objects?: { bindings?: { name: string; class_name: string; script_name?: string }[] };
      migrations?: { new_sqlite_classes?: string[] }[];
    };
  };
  const raw = wrangler.unstable_readConfig({ config: configPath }, { hideWarnings: true });
  if (!raw.main || !raw.compatibility_date) throw new Error(`${configPath}: main and compatibility_date are required`);
  const sqliteClasses = new Set<string>();
  for (const migration of raw.migrations ?? []) for (const c of migration.new_sqlite_classes ?? []) sqliteClasses.add(c);
  return {
    main: resolve(dirname(configPath), raw.main),
    compatibilityDate: raw.compatibility_date,
    compatibilityFlags: raw.compatibility_flags ?? [],
    vars: raw.vars ?? {},
    durableObjects: (raw.durable_objects?.bindings ?? [])
      .filter((b) => b.script_name === undefined)
      .map((b) => ({ name: b.name, className: b.class_name })),
    sqliteClasses,
  };
}

const capnpString = (value: string): string => JSON.stringify(value);

function capnpConfig(
  config: WorkerConfig,
  port: number,
  vars: Record<string, string | number>,
  storageDir: string,
  v8Flags: readonly string[],
): string {
  const bindings: string[] = [];
  for (const [name, value] of Object.entries(config.vars)) {
    if (name in vars) continue;
    bindings.push(
      typeof value === "string"
        ? `(name = ${capnpString(name)}, text = ${capnpString(value)})`
        : `(name = ${capnpString(name)}, json = ${capnpString(JSON.stringify(value))})`,
    );
  }
  for (const [name, value] of Object.entries(vars)) bindings.push(`(name = ${capnpString(name)}, text = ${capnpString(String(value))})`);
  for (const d of config.durableObjects) bindings.push(`(name = ${capnpString(d.name)}, durableObjectNamespace = ${capnpString(d.className)})`);
  const namespaces = config.durableObjects.map(
    (d) =>
      `(className = ${capnpString(d.className)}, uniqueKey = ${capnpString(`bench-${d.className}`)}, enableSql = ${config.sqliteClasses.has(d.className)})`,
  );
  return `using Workerd = import "/workerd/workerd.capnp";

const config :Workerd.Config = (${v8Flags.length > 0 ? `\n  v8Flags = [${v8Flags.map(capnpString).join(", ")}],` : ""}
  services = [
    (name = "main", worker = .mainWorker),
    (name = "do-storage", disk = (path = ${capnpString(storageDir)}, writable = true)),
  ],
  sockets = [(name = "http", address = ${capnpString(`127.0.0.1:${port}`)}, http = (), service = "main")],
);

const mainWorker :Workerd.Worker = (
  modules = [(name = "worker.js", esModule = embed "worker.js")],
  compatibilityDate = ${capnpString(config.compatibilityDate)},
  compatibilityFlags = [${config.compatibilityFlags.map(capnpString).join(", ")}],
  bindings = [
    ${bindings.join(",\n    ")}
  ],
  durableObjectNamespaces = [${namespaces.join(", ")}],
  durableObjectStorage = (localDisk = "do-storage"),
);
`;
}

export async function startWorkerd(options: WorkerdOptions): Promise<WorkerdServer> {
  const configPath = resolve(ROOT, options.config);
  const config = await readWorkerConfig(configPath);
  const dir = mkdtempSync(join(tmpdir(), "parley-workerd-"));
  const storageDir = join(dir, "storage");
  const logPath = join(dir, "workerd.log");
  try {
    await build({
      entryPoints: [options.entry ? resolve(ROOT, options.entry) : config.main],
      outfile: join(dir, "worker.js"),
      bundle: true,
      format: "esm",
      platform: "browser",
      conditions: ["workerd", "worker", "browser"],
      target: "es2024",
      external: ["cloudflare:*", "node:*"],
      logLevel: "warning",
    });
    // The storage directory must exist before workerd opens it.
    mkdirSync(storageDir, { recursive: true });
    return await startOnFreePort((port) => serve(port, { dir, storageDir, logPath, config, options }));
  } catch (error) {
    rmSync(dir, { recursive: true, force: true });
    throw error;
  }
}

/** Runs `workerd serve` on `port` and waits until the Worker answers. */
async function serve(
  port: number,
  run: { dir: string; storageDir: string; logPath: string; config: WorkerConfig; options: WorkerdOptions },
): Promise<WorkerdServer> {
  const { dir, storageDir, logPath, config, options } = run;
  writeFileSync(join(dir, "config.capnp"), capnpConfig(config, port, options.vars ?? {}, storageDir, options.v8Flags ?? []));
  // A fresh log per attempt: an earlier attempt's "Address already in use" must not decide this one.
  const log = openSync(logPath, "w");
  const child = spawnGroup("workerd serve", workerdBinary(), ["serve", join(dir, "config.capnp"), "--experimental", ...(options.args ?? [])], {
    cwd: dir,
    stdio: ["ignore", log, log],
    stateDirs: [dir],
  });
  closeSync(log);
  const output = () => {
    try {
      return readFileSync(logPath, "utf8");
    } catch {
      return "";
    }
  };

  const url = `http://127.0.0.1:${port}`;
  await waitHealthy(url, { what: "workerd", child, output, timeoutMs: options.startTimeoutMs ?? 30_000 });

  return {
    url,
    pid: child.pid ?? -1,
    output,
    stop: async () => {
      await stopGroup(child);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
