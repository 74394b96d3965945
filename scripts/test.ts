/**
 * `npm test`: every test (contracts, client, relay on PGlite and, with DATABASE_URL, on PostgreSQL, browser
 * suites in Chromium), in two mocha processes at once: most suites wait on a chain, a child process or a
 * timer rather than on the CPU, so two of them fill a 2-core machine. Each process has its own in-process
 * chain; the server suites take free ports and their own PostgreSQL schemas, so the two never meet. The
 * contracts and the web app are built first, once. Each process's output is kept and printed whole when both
 * are done, then a summary; the exit status is non-zero when either failed.
 *
 *   npm test                      everything
 *   npm test -- test/server/x.ts  only the files given (one process, output as it comes)
 */
import { spawn, spawnSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { helpFromDocComment } from "./lib/usage";
import { buildWeb } from "./lib/webBuild";

const ROOT = path.resolve(__dirname, "..");

/**
 * The two groups, of about equal length (each file's time is printed at the end of its group): the relay's
 * and the browser's suites in one, everything else in the other, with two relay suites moved across to even
 * them out (17 and 16 minutes before the move, in CI on 2 cores).
 */
const GROUPS: { name: string; dirs: string[] }[] = [
  { name: "relay and browser", dirs: ["test/server", "test/browser"] },
  { name: "contracts, client, indexer, audit, commands", dirs: ["test"] },
];
const MOVED_TO_SECOND = ["test/server/relay-personal.test.ts", "test/server/relay-data-requests.test.ts"];

function testFiles(dir: string, exclude: readonly string[]): string[] {
  const out: string[] = [];
  for (const entry of fs.readdirSync(path.join(ROOT, dir), { withFileTypes: true })) {
    const rel = path.join(dir, entry.name);
    if (exclude.includes(rel)) continue;
    if (entry.isDirectory()) out.push(...testFiles(rel, exclude));
    else if (entry.name.endsWith(".ts")) out.push(rel);
  }
  return out.sort();
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

  const first = GROUPS[0]!.dirs.flatMap((d) => testFiles(d, MOVED_TO_SECOND));
  const second = [...testFiles("test", GROUPS[0]!.dirs), ...MOVED_TO_SECOND];
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "confiance-test-"));
  const t0 = performance.now();
  const runs = await Promise.all(
    [first, second].map(async (files, i) => {
      const log = path.join(dir, `group-${i + 1}.log`);
      const started = performance.now();
      const code = await hardhatTest(files, log);
      return { name: GROUPS[i]!.name, files: files.length, code, log, seconds: (performance.now() - started) / 1000 };
    }),
  );
  for (const r of runs) {
    process.stdout.write(`\n===== ${r.name}: ${r.files} files =====\n`);
    process.stdout.write(fs.readFileSync(r.log, "utf8"));
  }
  process.stdout.write("\n");
  for (const r of runs) process.stdout.write(`${r.name}: ${r.code === 0 ? "passed" : `FAILED (exit ${r.code})`} in ${r.seconds.toFixed(0)} s\n`);
  process.stdout.write(`all tests: ${((performance.now() - t0) / 1000).toFixed(0)} s\n`);
  process.exit(runs.every((r) => r.code === 0) ? 0 : 1);
}

main().catch((err: Error) => {
  console.error(`npm test failed to run: ${err.message}`);
  process.exit(1);
});
