import { spawn } from "node:child_process";
import crypto from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import zlib from "node:zlib";

/**
 * Building the web app (web/, Vite) to static files in web/dist, which the relay serves. A build writes
 * a stamp: a hash of every source it was built from (web/ and client/ files, the lock file). A build is
 * current while the stamp matches the sources, so `npm run demo` and `npm run relay` rebuild only when
 * something changed.
 */
const ROOT = path.resolve(__dirname, "../..");
export const WEB_ROOT = path.join(ROOT, "web");
export const WEB_DIST = path.join(WEB_ROOT, "dist");
const STAMP = path.join(WEB_DIST, ".build-stamp");
const SOURCES = [WEB_ROOT, path.join(ROOT, "client"), path.join(ROOT, "package-lock.json")];
const SKIP = new Set([WEB_DIST, path.join(WEB_ROOT, "node_modules")]);

function filesOf(entry: string): string[] {
  if (SKIP.has(entry) || !fs.existsSync(entry)) return [];
  if (!fs.statSync(entry).isDirectory()) return [entry];
  return fs
    .readdirSync(entry)
    .sort()
    .flatMap((name) => filesOf(path.join(entry, name)));
}

/** sha256 over the relative path and the content of every source file, in a fixed order. */
export function webSourceHash(): string {
  const hash = crypto.createHash("sha256");
  for (const file of SOURCES.flatMap(filesOf)) {
    hash.update(path.relative(ROOT, file)).update("\0").update(fs.readFileSync(file)).update("\0");
  }
  return hash.digest("hex");
}

/** Whether web/dist holds a build of the current sources. */
export function webBuildIsCurrent(): boolean {
  try {
    return fs.existsSync(path.join(WEB_DIST, "index.html")) && fs.readFileSync(STAMP, "utf8").trim() === webSourceHash();
  } catch {
    return false;
  }
}

export interface WebBuildResult {
  /** False when the build was current and nothing ran. */
  built: boolean;
  /** Wall time of the Vite build, ms (0 when nothing ran). */
  ms: number;
}

/**
 * Builds web/ into web/dist with Vite (in a child process: Vite is an ES module, the scripts are
 * CommonJS) and writes the stamp. With `ifStale`, does nothing when the build is current.
 */
export async function buildWeb({ ifStale = false, quiet = false }: { ifStale?: boolean; quiet?: boolean } = {}): Promise<WebBuildResult> {
  if (ifStale && webBuildIsCurrent()) return { built: false, ms: 0 };
  const hash = webSourceHash();
  const t0 = performance.now();
  const vite = path.join(path.dirname(require.resolve("vite/package.json")), "bin", "vite.js");
  const args = [vite, "build", WEB_ROOT, ...(quiet ? ["--logLevel", "warn"] : [])];
  let stderr = "";
  await new Promise<void>((resolve, reject) => {
    const child = spawn(process.execPath, args, { cwd: ROOT, stdio: ["ignore", quiet ? "ignore" : "inherit", quiet ? "pipe" : "inherit"] });
    child.stderr?.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
    child.on("error", reject);
    child.on("exit", (code) => (code === 0 ? resolve() : reject(new Error(`vite build exited with ${code}${stderr ? `:\n${stderr}` : ""}`))));
  });
  const ms = performance.now() - t0;
  fs.writeFileSync(STAMP, `${hash}\n`);
  return { built: true, ms };
}

export interface WebBundleSize {
  /** gzip bytes (level 9) of the JavaScript index.html loads for `/` (entry and preloaded chunks). */
  jsGzip: number;
  /** gzip bytes of its style sheets. */
  cssGzip: number;
  /** The files counted. */
  files: string[];
}

/**
 * What a browser downloads for the first page, compressed: the scripts and style sheets index.html
 * names (the rooms loaded later, on navigation, are not counted).
 */
export function webBundleSize(dist = WEB_DIST): WebBundleSize {
  const html = fs.readFileSync(path.join(dist, "index.html"), "utf8");
  const files = [...html.matchAll(/(?:src|href)="\/(assets\/[^"]+\.(?:js|css))"/g)].map((m) => m[1]!);
  const gz = (f: string) => zlib.gzipSync(fs.readFileSync(path.join(dist, f)), { level: 9 }).length;
  const sum = (ext: string) => files.filter((f) => f.endsWith(ext)).reduce((n, f) => n + gz(f), 0);
  return { jsGzip: sum(".js"), cssGzip: sum(".css"), files };
}
