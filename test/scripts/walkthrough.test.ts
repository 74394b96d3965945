import { spawn, type ChildProcess } from "node:child_process";
import crypto from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { expect } from "chai";
import pg from "pg";
import { freePort } from "../support/chain";
import { purposeId } from "../../client/purposes";

/**
 * The README's "From nothing to a brand's first customer", run as written: the shell block between
 * `<!-- walkthrough:start -->` and `<!-- walkthrough:end -->` is extracted from README.md and run by bash
 * (stopping at the first failing command), against `npm run node` on a free port and, when DATABASE_URL is
 * set, a fresh PostgreSQL schema (PGlite otherwise, as the block says). Editing a command in the README
 * changes what this test runs.
 */
const ROOT = path.join(__dirname, "../..");

export function walkthroughBlock(readme: string): string {
  const m = /<!-- walkthrough:start -->\s*```sh\n([\s\S]*?)```\s*<!-- walkthrough:end -->/.exec(readme);
  if (!m) throw new Error("README.md has no walk-through block");
  return m[1]!;
}

function waitForRpc(url: string, ms: number): Promise<void> {
  const until = Date.now() + ms;
  return (async () => {
    for (;;) {
      try {
        const r = await fetch(url, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ jsonrpc: "2.0", id: 1, method: "eth_chainId", params: [] }) });
        if (r.ok) return;
      } catch {
        /* not up yet */
      }
      if (Date.now() > until) throw new Error(`no chain at ${url}`);
      await new Promise((r) => setTimeout(r, 500));
    }
  })();
}

function killGroup(p: ChildProcess | undefined): void {
  // The whole group, even when its leader has exited: the relay the block starts in the background outlives the shell.
  if (p?.pid === undefined) return;
  try {
    process.kill(-p.pid, "SIGTERM");
  } catch {
    /* already gone */
  }
}

describe("README walk-through: from nothing to a brand's first customer", function () {
  this.timeout(20 * 60_000);
  let node: ChildProcess | undefined;
  let shell: ChildProcess | undefined;
  let schema: string | undefined;

  after(async () => {
    killGroup(shell);
    killGroup(node);
    if (schema) {
      const c = new pg.Client({ connectionString: process.env.DATABASE_URL });
      await c.connect();
      await c.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
      await c.end();
    }
  });

  it("the block parses out of the README, each line a command of the project's", () => {
    const block = walkthroughBlock(fs.readFileSync(path.join(ROOT, "README.md"), "utf8"));
    const commands = block.split("\n").filter((l) => /^\S/.test(l) && !l.startsWith("#")).join("\n");
    for (const c of ["npm run deploy", "npm run coalition -- admit", "npm run coalition -- deposit", "npm run coalition -- accept-operator", "npm run coalition -- define-purpose", "npm run relay", "devices -- add-brand", "npm run example:customer", "npm run example:device"]) {
      expect(commands, c).to.include(c);
    }
  });

  it("runs as written against npm run node and the relay's database", async () => {
    const rpcPort = await freePort();
    const relayPort = await freePort();
    const rpcUrl = `http://127.0.0.1:${rpcPort}`;
    node = spawn("npm", ["run", "node", "--", "--port", String(rpcPort)], { cwd: ROOT, detached: true, stdio: "ignore", env: { ...process.env, NODE_HOST: "127.0.0.1" } });
    await waitForRpc(rpcUrl, 120_000);

    const env: Record<string, string> = { PATH: process.env.PATH ?? "", HOME: process.env.HOME ?? os.tmpdir(), RPC_URL: rpcUrl, PORT: String(relayPort) };
    if (process.env.DATABASE_URL) {
      schema = `walk_${crypto.randomBytes(5).toString("hex")}`;
      const c = new pg.Client({ connectionString: process.env.DATABASE_URL });
      await c.connect();
      await c.query(`CREATE SCHEMA ${schema}`);
      await c.end();
      const url = new URL(process.env.DATABASE_URL);
      url.searchParams.set("options", `-c search_path=${schema}`);
      env.DATABASE_URL = url.toString();
    }
    const script = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "walkthrough-")), "walkthrough.sh");
    fs.writeFileSync(script, `set -euo pipefail\n${walkthroughBlock(fs.readFileSync(path.join(ROOT, "README.md"), "utf8"))}`);

    const { code, stdout, stderr } = await new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) => {
      shell = spawn("bash", ["-x", script], { cwd: ROOT, env, detached: true });
      let out = "";
      let err = "";
      shell.stdout!.setEncoding("utf8").on("data", (c: string) => (out += c));
      shell.stderr!.setEncoding("utf8").on("data", (c: string) => (err += c));
      shell.on("exit", (c) => resolve({ code: c, stdout: out, stderr: err }));
    });
    const trace = stderr.split("\n").filter((l) => l.startsWith("+")).slice(-3).join("\n");
    expect(code, `the walk-through stopped at:\n${trace}\n${stderr.slice(-3000)}`).to.equal(0);

    // 1-3: deployed, funded, admitted, backed, operator accepted, purpose defined.
    expect(stdout).to.include("credited 0x70997970C51812dc3A010C7d01b50e0d17dc79C8 with 1000000.00 of the MockStablecoin");
    // 5: registered as ready (readiness printed by add-brand went to brand.json; `devices -- brand` prints it again).
    const brandView = /\{\s*"address": "0x70997970c51812dc3a010c7d01b50e0d17dc79c8"[\s\S]*?\n\}\n/.exec(stdout);
    expect(brandView, stdout.slice(-4000)).to.not.equal(null);
    const brand = JSON.parse(brandView![0]);
    expect(brand.chain).to.deep.include({ status: "admitted", ready: true, problems: [], warnings: [], backing: "1000000000" });
    expect(brand.chain.operator).to.deep.equal({ address: "0x90f79bf6eb2c4f870365e785982e1f101e93b906", accepted: true, proposed: false, actsFor: "0x70997970c51812dc3a010c7d01b50e0d17dc79c8" });
    // 6: the customer's grant reached the chain.
    expect(stdout).to.match(/grant "Recognise you in store" to Maison Lune: .*; notice https:\/\/maison-lune\.example\/notices\/in-store-recognition\.json/);
    expect(stdout).to.match(/ {2}confirmed in 0x[0-9a-f]{64}/);
    // 7: the door beacon's presence event was accepted and not dropped: the customer is recognised.
    expect(stdout).to.include('"status": 202');
    expect(stdout).to.not.include("no_consent");
    // 8: the brand's consent counts and money.
    const counts = /\{"at":\d+,"purposes":\[.*?\]\}/.exec(stdout);
    expect(counts, stdout.slice(-2000)).to.not.equal(null);
    expect(JSON.parse(counts![0]).purposes).to.deep.equal([
      { purpose: purposeId("in-store-recognition"), name: "in-store-recognition", granted: 1, revoked: 0, expired: 0 },
    ]);
    const money = /\{"unitValue":.*\}\}/.exec(stdout);
    expect(JSON.parse(money![0]).totals).to.include({ deposited: "1000000000", backing: "1000000000", issued: "0", liability: "0" });
  });
});
