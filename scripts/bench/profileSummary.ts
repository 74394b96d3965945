/**
 * Where the relay's time goes: reads a .cpuprofile (scripts/bench/cpuProfile.cjs) and prints the share of
 * CPU samples by category (signature checks, database, JSON, HTTP, logging, validation, idle, other) and the
 * busiest functions by self time. Not part of `npm run bench`:
 *
 *   npx ts-node --transpile-only scripts/bench/profileSummary.ts /tmp/prof/relay-123.cpuprofile
 */
import fs from "node:fs";

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}
interface Profile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

/** First match wins: the category of a function by its file and name. */
const CATEGORIES: [string, (url: string, fn: string) => boolean][] = [
  ["idle", (_u, fn) => fn === "(idle)"],
  ["profiler", (u) => u.endsWith("cpuProfile.cjs")],
  ["garbage collection", (_u, fn) => fn === "(garbage collector)"],
  ["signature checks", (u, fn) => /devices\/signing|canonicalRequest|@noble\/hashes/.test(u) || u.includes("node:internal/crypto/sig")],
  ["database (PGlite)", (u) => u.includes("@electric-sql/pglite") || u.startsWith("wasm://")],
  ["database (pg driver)", (u) => /node_modules\/(pg|pg-protocol|pg-types|pg-pool|postgres-)/.test(u)],
  ["JSON", (_u, fn) => fn === "parse" || fn === "stringify" || fn === "JSON.parse" || fn === "JSON.stringify"],
  ["logging (pino)", (u) => /node_modules\/(pino|pino-http|sonic-boom|fast-redact)/.test(u)],
  ["validation (zod)", (u) => u.includes("node_modules/zod")],
  ["HTTP (express, node http)", (u) => /node_modules\/(express|router|body-parser|raw-body|iconv-lite|content-type|type-is|finalhandler|send|on-finished)|node:_http|node:http|node:net|llhttp/.test(u)],
  ["metrics (prom-client)", (u) => u.includes("prom-client")],
  ["chain reads (viem)", (u) => u.includes("node_modules/viem") || u.includes("node_modules/ox")],
  ["relay code", (u) => u.includes("/server/")],
  ["program (native, runtime)", (_u, fn) => fn === "(program)"],
];

function main(): void {
  const file = process.argv[2];
  if (!file) throw new Error("usage: profileSummary.ts <file.cpuprofile>");
  const p = JSON.parse(fs.readFileSync(file, "utf8")) as Profile;
  const byId = new Map(p.nodes.map((n) => [n.id, n]));
  const parent = new Map<number, number>();
  for (const n of p.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  /** A native leaf (a syscall, the crypto binding, a wasm call) counts for the nearest caller that has a category. */
  const categoryOf = (id: number): string => {
    for (let at: number | undefined = id; at !== undefined; at = parent.get(at)) {
      const { url, functionName } = byId.get(at)!.callFrame;
      const hit = CATEGORIES.find(([, m]) => m(url, functionName))?.[0];
      if (hit) return hit;
    }
    return "other";
  };
  const self = new Map<number, number>();
  p.samples.forEach((id, k) => self.set(id, (self.get(id) ?? 0) + (p.timeDeltas[k] ?? 0)));
  const total = [...self.values()].reduce((a, b) => a + b, 0);
  const cats = new Map<string, number>();
  const fns = new Map<string, number>();
  for (const [id, us] of self) {
    const { url, functionName, lineNumber } = byId.get(id)!.callFrame;
    const cat = categoryOf(id);
    cats.set(cat, (cats.get(cat) ?? 0) + us);
    const name = `${functionName || "(anonymous)"} ${url.replace(/^.*node_modules\//, "").replace(/^file:\/\/.*?\/(server|scripts|client)\//, "$1/")}:${lineNumber + 1}`;
    fns.set(name, (fns.get(name) ?? 0) + us);
  }
  const busy = total - (cats.get("idle") ?? 0);
  console.log(`${(total / 1e6).toFixed(1)} s sampled, ${(busy / 1e6).toFixed(1)} s busy`);
  for (const [cat, us] of [...cats].sort((a, b) => b[1] - a[1])) {
    console.log(`  ${cat.padEnd(28)} ${(us / 1e6).toFixed(2).padStart(7)} s  ${cat === "idle" ? "" : `${((100 * us) / busy).toFixed(1)}% of busy`}`);
  }
  if (process.env.CATEGORY) {
    console.log(`busiest in ${process.env.CATEGORY}:`);
    const inCat = [...self].filter(([id]) => {
      return categoryOf(id) === process.env.CATEGORY;
    });
    const named = new Map<string, number>();
    for (const [id, us] of inCat) {
      const { url, functionName, lineNumber } = byId.get(id)!.callFrame;
      const k = `${functionName || "(anonymous)"} ${url}:${lineNumber + 1}`;
      named.set(k, (named.get(k) ?? 0) + us);
    }
    for (const [name, us] of [...named].sort((a, b) => b[1] - a[1]).slice(0, 25)) console.log(`  ${((100 * us) / busy).toFixed(1).padStart(5)}%  ${name}`);
  }
  console.log("busiest functions (self time):");
  for (const [name, us] of [...fns].filter(([n]) => !n.startsWith("(idle)")).sort((a, b) => b[1] - a[1]).slice(0, 25)) {
    console.log(`  ${((100 * us) / busy).toFixed(1).padStart(5)}%  ${name}`);
  }
}

main();
