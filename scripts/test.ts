/**
 * `npm test`: every test (contracts, client, relay on PGlite and, with DATABASE_URL, on PostgreSQL, browser
 * suites in Chromium), in TEST_GROUPS mocha processes at once (default 3): most suites wait on a chain, a
 * child process or a timer rather than on the CPU, so three of them fill a 2-core machine. Files go to the
 * groups longest first, each to the group with the least time so far, by the seconds each took in the last
 * measured run (test/support/fileSeconds.json; a file not listed counts 10 s). Each process has its own
 * in-process chain; the server suites take free ports and their own PostgreSQL schemas, so they never meet.
 * The contracts and the web app are built first, once. Each process's output is kept and printed whole when
 * all are done, then a summary with each failed group's failures and the file times of this run (file-seconds.json
 * beside the logs: copy it to test/support/fileSeconds.json to rebalance); the summary is also written to
 * test-summary.log, which .ci/run prints last. The exit status is non-zero when any group failed.
 *
 *   npm test                      everything
 *   TEST_GROUPS=2 npm test        everything, in two processes
 *   npm test -- test/server/x.ts  only the files given (one process, output as it comes)
 */
import { spawn, spawnSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { helpFromDocComment } from "./lib/usage";
import { buildWeb } from "./lib/webBuild";

const ROOT = path.resolve(__dirname, "..");
const TIMES_FILE = path.join(ROOT, "test/support/fileSeconds.json");
/** The summary and each failed group's failures, written again for .ci/run to print last. */
const SUMMARY_FILE = path.join(ROOT, "test-summary.log");
/** The time of a file that the table does not list yet. */
const UNKNOWN_SECONDS = 10;

function testFiles(dir: string): string[] {
  const out: string[] = [];
  for (const entry of fs.readdirSync(path.join(ROOT, dir), { withFileTypes: true })) {
    const rel = path.join(dir, entry.name);
    if (entry.isDirectory()) out.push(...testFiles(rel));
    else if (entry.name.endsWith(".ts")) out.push(rel);
  }
  return out.sort();
}

/** Longest first, each file to the group with the least time so far (the groups' expected seconds too). */
export function balance(files: readonly string[], seconds: Readonly<Record<string, number>>, count: number): { files: string[]; seconds: number }[] {
  const groups = Array.from({ length: count }, () => ({ files: [] as string[], seconds: 0 }));
  const weight = (f: string) => seconds[f] ?? UNKNOWN_SECONDS;
  for (const file of [...files].sort((a, b) => weight(b) - weight(a) || a.localeCompare(b))) {
    const least = groups.reduce((min, g) => (g.seconds < min.seconds ? g : min));
    least.files.push(file);
    least.seconds += weight(file);
  }
  for (const g of groups) g.files.sort();
  return groups;
}

/** The "seconds per test file" table that test/support/fileTimesReporter.js prints at the end of a log. */
function fileSeconds(log: string): Record<string, number> {
  const out: Record<string, number> = {};
  const table = log.split("seconds per test file:")[1] ?? "";
  for (const m of table.matchAll(/^ +([0-9.]+) {2}(test\/\S+)$/gm)) out[m[2]!] = Number(m[1]);
  return out;
}

function hardhatTest(files: string[], log?: string): Promise<number> {
  return new Promise((resolve) => {
    const out = log ? fs.openSync(log, "w") : "inherit";
    const child = spawn(process.execPath, [require.resolve("hardhat/internal/cli/cli"), "test", "--no-compile", ...files], {
      cwd: ROOT,
      stdio: ["ignore", out, out],
      env: { ...process.env, MOCHA_FILE_TIMES: "1" },
    });
    child.on("exit", (code, signal) => resolve(code ?? (signal ? 1 : 0)));
  });
}

async function main(): Promise<void> {
  helpFromDocComment(__filename);
  const given = process.argv.slice(2);
  const compiled = spawnSync(process.execPath, [require.resolve("hardhat/internal/cli/cli"), "compile", "--quiet"], { cwd: ROOT, stdio: "inherit" });
  if (compiled.status !== 0) process.exit(compiled.status ?? 1);
  await buildWeb({ ifStale: true, quiet: true });
  if (given.length > 0) process.exit(await hardhatTest(given));

  const count = Number(process.env.TEST_GROUPS ?? 3);
  if (!Number.isInteger(count) || count < 1) throw new Error(`TEST_GROUPS must be a whole number of processes, 1 or more (got ${process.env.TEST_GROUPS})`);
  const table = JSON.parse(fs.readFileSync(TIMES_FILE, "utf8")) as Record<string, number>;
  const groups = balance(testFiles("test"), table, count);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "confiance-test-"));
  const t0 = performance.now();
  const runs = await Promise.all(
    groups.map(async (g, i) => {
      const log = path.join(dir, `group-${i + 1}.log`);
      const started = performance.now();
      const code = await hardhatTest(g.files, log);
      return { name: `group ${i + 1} of ${count}`, files: g.files.length, expected: g.seconds, code, log, seconds: (performance.now() - started) / 1000 };
    }),
  );
  const logs = runs.map((r) => fs.readFileSync(r.log, "utf8"));
  const measured: Record<string, number> = {};
  runs.forEach((r, i) => {
    process.stdout.write(`\n===== ${r.name}: ${r.files} files =====\n`);
    process.stdout.write(logs[i]!);
    Object.assign(measured, fileSeconds(logs[i]!));
  });
  const times = path.join(dir, "file-seconds.json");
  const sorted = Object.entries(measured).sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]));
  fs.writeFileSync(times, `${JSON.stringify(Object.fromEntries(sorted), null, 2)}\n`);
  const summary: string[] = [];
  for (const r of runs) {
    const outcome = r.code === 0 ? "passed" : `FAILED (exit ${r.code})`;
    summary.push(`${r.name}: ${outcome} in ${r.seconds.toFixed(0)} s (${r.files} files; ${r.expected.toFixed(0)} s in the table)`);
  }
  summary.push(`all tests: ${((performance.now() - t0) / 1000).toFixed(0)} s; this run's file times: ${times}`);
  // Each failed group's failures (mocha's "N failing" section), again at the end where a CI log's tail shows them.
  for (const [i, r] of runs.entries()) {
    if (r.code === 0) continue;
    const text = logs[i]!;
    const at = text.search(/^ {2}\d+ failing$/m);
    summary.push(`----- ${r.name}: ${at >= 0 ? text.slice(at).trimEnd() : "no mocha failures listed: the last lines of its log"}`);
    if (at < 0) summary.push(text.trimEnd().split("\n").slice(-40).join("\n"));
  }
  const text = `${summary.join("\n")}\n`;
  process.stdout.write(`\n${text}`);
  fs.writeFileSync(SUMMARY_FILE, text);
  process.exit(runs.every((r) => r.code === 0) ? 0 : 1);
}

if (require.main === module) {
  main().catch((err: Error) => {
    console.error(`npm test failed to run: ${err.message}`);
    process.exit(1);
  });
}
