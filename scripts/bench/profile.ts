import fs from "node:fs";

/**
 * Where the relay's time goes: V8 CPU profiles (`node --cpu-prof`, one per thread) summarised by self time
 * into a few buckets, by the function and the file each sample was in. A sample counts once, in the first
 * bucket whose rule matches its own frame (not its callers), so the buckets add up to the whole.
 */
export interface ProfileSummary {
  /** Threads profiled (the relay's main thread, and PGlite's worker when PGlite runs there). */
  threads: number;
  /** Milliseconds sampled in all threads, idle excluded. */
  busyMs: number;
  /** Milliseconds idle (each thread's event loop waiting), summed. */
  idleMs: number;
  /** Share of busy time per bucket (0-1), in BUCKETS order. */
  shares: Record<Bucket, number>;
  /** The busiest files (self time, ms), for the curious. */
  top: { where: string; ms: number }[];
}

export const BUCKETS = ["signature checks", "database", "JSON", "HTTP and sockets", "chain RPC (viem)", "start-up (ts-node, module loading)", "logging (pino)", "validation (zod)", "garbage collection", "other"] as const;
export type Bucket = (typeof BUCKETS)[number];

interface CallFrame {
  functionName: string;
  url: string;
}
interface ProfileNode {
  id: number;
  callFrame: CallFrame;
  children?: number[];
}
interface CpuProfile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

const RULES: [Bucket, (f: CallFrame) => boolean][] = [
  ["signature checks", (f) => /@noble\/(curves|ed25519|secp256k1)|tweetnacl|\/crypto\//.test(f.url) || /^(verify|ed25519|sign)$/i.test(f.functionName) || /verify/i.test(f.functionName)],
  // PGlite is the relay's only WebAssembly.
  ["database", (f) => /@electric-sql\/pglite|node_modules\/pg(-[a-z]+)?\/|server\/store\/|^wasm:/.test(f.url)],
  ["JSON", (f) => /^JSON\.|^(parse|stringify)$/.test(f.functionName) || /body-parser|\/args\.ts$/.test(f.url)],
  ["HTTP and sockets", (f) => /node_modules\/(express|router|finalhandler|send|on-finished|raw-body|http-errors|qs)\//.test(f.url) || /^node:(_http|http|net|stream|_stream)/.test(f.url) || f.functionName === "writev" || f.functionName === "writeBuffer"],
  ["chain RPC (viem)", (f) => /node_modules\/(viem|abitype|ox)\//.test(f.url) || /undici/.test(f.url)],
  ["start-up (ts-node, module loading)", (f) => /node_modules\/(typescript|ts-node)\/|node:internal\/modules\//.test(f.url) || f.functionName === "compileFunction"],
  ["logging (pino)", (f) => /node_modules\/(pino|pino-std-serializers|sonic-boom|thread-stream)\/|server\/http\/accessLog\.ts$/.test(f.url)],
  ["validation (zod)", (f) => /node_modules\/zod\//.test(f.url)],
  ["garbage collection", (f) => f.functionName === "(garbage collector)"],
];

export function bucketOf(f: CallFrame): Bucket {
  for (const [b, test] of RULES) if (test(f)) return b;
  return "other";
}

function shortFile(url: string): string {
  const nm = url.lastIndexOf("node_modules/");
  if (nm >= 0) return url.slice(nm + "node_modules/".length).split("/").slice(0, url.includes("/@", nm) ? 2 : 1).join("/");
  const i = url.indexOf("/server/");
  if (i >= 0) return url.slice(i + 1);
  return url.replace(/^file:\/\//, "") || "(native)";
}

/** The self time of every sample, bucketed, summed over `files` (a process's threads, each profiled on its own). */
export function summariseProfile(files: readonly string[]): ProfileSummary {
  const shares = Object.fromEntries(BUCKETS.map((b) => [b, 0])) as Record<Bucket, number>;
  const where = new Map<string, number>();
  let busy = 0;
  let idle = 0;
  for (const file of files) {
    const p = JSON.parse(fs.readFileSync(file, "utf8")) as CpuProfile;
    const byId = new Map(p.nodes.map((n) => [n.id, n]));
    const self = new Map<number, number>();
    for (let i = 0; i < p.samples.length; i++) self.set(p.samples[i]!, (self.get(p.samples[i]!) ?? 0) + (p.timeDeltas[i] ?? 0) / 1000);
    for (const [id, ms] of self) {
      const f = byId.get(id)!.callFrame;
      if (f.functionName === "(idle)" || f.functionName === "(program)") {
        idle += ms;
        continue;
      }
      busy += ms;
      shares[bucketOf(f)] += ms;
      const at = f.url ? shortFile(f.url) : f.functionName;
      where.set(at, (where.get(at) ?? 0) + ms);
    }
  }
  for (const b of BUCKETS) shares[b] = busy > 0 ? shares[b] / busy : 0;
  const top = [...where].sort((a, b) => b[1] - a[1]).slice(0, 8).map(([at, ms]) => ({ where: at, ms }));
  return { threads: files.length, busyMs: busy, idleMs: idle, shares, top };
}

if (require.main === module) {
  const s = summariseProfile(process.argv.slice(2));
  console.log(`${s.threads} thread(s): busy ${s.busyMs.toFixed(0)} ms, idle ${s.idleMs.toFixed(0)} ms`);
  for (const b of BUCKETS) console.log(`${b}: ${(s.shares[b] * 100).toFixed(1)}%`);
  for (const t of s.top) console.log(`  ${t.where}: ${t.ms.toFixed(0)} ms`);
}
