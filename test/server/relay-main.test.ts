import { spawn, type ChildProcess } from "node:child_process";
import http from "node:http";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { expect } from "chai";
import { deployConfiance } from "../../scripts/lib/deploy";
import { writeDeployment } from "../../server/chain/deployment";
import { compileRelay } from "../../scripts/lib/compileRelay";
import { main as deploy } from "../../scripts/deploy";
import { parseEnv } from "node:util";
import { freePort, testAccount, testPrivateKey } from "../support/chain";
import { openTestDb, testDbKinds } from "../support/db";
import { localChain } from "./relay-harness";

const ROOT = path.join(__dirname, "..", "..");

interface Child {
  proc: ChildProcess;
  stdout: string[];
  stderr: string;
  exit: Promise<number | null>;
}

function startMain(env: Record<string, string>, { entry = ["-r", "ts-node/register/transpile-only", "server/main.ts"], cwd = ROOT }: { entry?: string[]; cwd?: string } = {}): Child {
  const proc = spawn(process.execPath, entry, {
    cwd,
    env: { PATH: process.env.PATH ?? "", ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  const child: Child = { proc, stdout: [], stderr: "", exit: new Promise((resolve) => proc.on("exit", (code) => resolve(code))) };
  let partial = "";
  proc.stdout!.setEncoding("utf8").on("data", (chunk: string) => {
    partial += chunk;
    const lines = partial.split("\n");
    partial = lines.pop()!;
    child.stdout.push(...lines);
  });
  proc.stderr!.setEncoding("utf8").on("data", (chunk: string) => (child.stderr += chunk));
  return child;
}

/** Resolves with the first stdout log line whose msg is `msg` (or null when the process exits first). */
async function logLine(child: Child, msg: string): Promise<Record<string, unknown> | null> {
  for (;;) {
    const found = child.stdout.map((l) => JSON.parse(l) as Record<string, unknown>).find((l) => l.msg === msg);
    if (found) return found;
    if (child.proc.exitCode !== null) return null;
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** A local chain with Confiance deployed, and a fresh folder holding the deployment file a relay is given. */
async function deployedChain(prefix: string) {
  const chain = await localChain();
  const deployment = await deployConfiance({ wallet: chain.wallet(0), client: chain.client });
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  const deploymentFile = path.join(dir, "deployment.json");
  writeDeployment(deploymentFile, deployment);
  return { chain, deployment, dir, deploymentFile };
}

describe("npm run relay (server/main.ts)", function () {
  for (const kind of testDbKinds()) {
  it(`starts from the environment (${kind}), serves, and stops cleanly on SIGTERM without logging secrets`, async () => {
    const { chain, dir, deploymentFile } = await deployedChain("relay-main-");
    const port = await freePort();
    const secrets = { SIGNER_KEYS: testPrivateKey(2), RELAY_ADMIN_TOKEN: "main-admin-token-0123456789abcdef", CARD_TOKEN_PEPPER: "main-pepper-0123456789" };
    const t = kind === "postgres" ? await openTestDb("postgres") : undefined;
    const storage: Record<string, string> = t ? { DATABASE_URL: t.databaseUrl! } : { DATA_DIR: path.join(dir, "db") };
    const child = startMain({ ...secrets, ...storage, RPC_URL: chain.url, DEPLOYMENT_FILE: deploymentFile, PORT: String(port), LOG_LEVEL: "info" });
    try {
      const listening = await logLine(child, "relay listening");
      expect(listening, child.stderr).to.not.equal(null);
      expect(listening!.url).to.equal(`http://127.0.0.1:${port}`);
      expect(listening!.database).to.equal(kind);
      const health = await fetch(`http://127.0.0.1:${port}/healthz`);
      expect(health.status).to.equal(200);
      const brands = await fetch(`http://127.0.0.1:${port}/v1/admin/brands`, { headers: { authorization: `Bearer ${secrets.RELAY_ADMIN_TOKEN}` } });
      expect(await brands.json()).to.deep.equal({ brands: [] });
      child.proc.kill("SIGTERM");
      expect(await child.exit).to.equal(0);
      expect(await logLine(child, "stopped")).to.not.equal(null);
      const all = child.stdout.join("\n") + child.stderr;
      for (const secret of Object.values(secrets)) expect(all).to.not.include(secret);
      expect(all).to.include("[redacted]");
      expect(fs.existsSync(path.join(dir, "db"))).to.equal(kind === "pglite");
    } finally {
      if (child.proc.exitCode === null) child.proc.kill("SIGKILL");
      fs.rmSync(dir, { recursive: true, force: true });
      await t?.drop();
    }
  });
  }

  (process.env.DATABASE_URL ? it : it.skip)("RELAY_WORKERS=2 on PostgreSQL: two processes serve one port, /metrics adds them up, a dead worker is replaced, SIGTERM stops all", async function () {
    this.timeout(240_000);
    const { chain, dir, deploymentFile } = await deployedChain("relay-workers-");
    const port = await freePort();
    const t = await openTestDb("postgres");
    const child = startMain({ SIGNER_KEYS: testPrivateKey(2), DATABASE_URL: t.databaseUrl!, RPC_URL: chain.url, DEPLOYMENT_FILE: deploymentFile, PORT: String(port), LOG_LEVEL: "info", RELAY_WORKERS: "2" });
    const lines = () => child.stdout.map((l) => JSON.parse(l) as Record<string, unknown>);
    /** GET on a connection of its own (connections are what the primary hands out to the workers in turn). */
    const get = (p: string) =>
      new Promise<{ status: number; body: string }>((resolve, reject) => {
        http.get({ host: "127.0.0.1", port, path: p, agent: false }, (res) => {
          let body = "";
          res.setEncoding("utf8").on("data", (c: string) => (body += c)).on("end", () => resolve({ status: res.statusCode!, body }));
        }).on("error", reject);
      });
    const healthzCount = (text: string) =>
      text.split("\n").filter((l) => l.startsWith("relay_http_requests_total{") && l.includes('route="/healthz"')).reduce((n, l) => n + Number(l.slice(l.lastIndexOf(" ") + 1)), 0);
    try {
      const listening = await logLine(child, "relay listening");
      expect(listening, child.stderr).to.not.equal(null);
      // The primary's line comes once both workers listen. Each worker compiles the relay with ts-node: on a loaded
      // 2-core machine (CI runs three groups of files at once) starting both took longer than 30 s, so wait up to 90.
      const bothListen = () => {
        const seen = lines().filter((l) => l.msg === "relay listening");
        return seen.some((l) => l.workers === 2) && new Set(seen.map((l) => l.worker).filter((w) => w !== undefined)).size === 2;
      };
      const deadline = Date.now() + 90_000;
      while (!bothListen() && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
      const ready = lines().filter((l) => l.msg === "relay listening");
      expect(ready.filter((l) => l.worker !== undefined).map((l) => l.worker).sort()).to.deep.equal([0, 1]);
      expect(new Set(ready.filter((l) => l.worker !== undefined).map((l) => l.pid)).size, "two processes").to.equal(2);
      expect(ready.find((l) => l.workers === 2)!.url).to.equal(`http://127.0.0.1:${port}`);

      const before = healthzCount((await get("/metrics")).body);
      for (let i = 0; i < 10; i++) expect((await get("/healthz")).status).to.equal(200);
      // Every worker's count, whichever worker answers /metrics: a sum of both, not one process's share.
      for (let i = 0; i < 4; i++) expect(healthzCount((await get("/metrics")).body)).to.equal(before + 10);
      const balance = await chain.client.getBalance({ address: testAccount(2).address });
      const shown = (await get("/metrics")).body.split("\n").find((l) => l.startsWith("relay_signer_balance_wei{"));
      expect(Number(shown!.slice(shown!.lastIndexOf(" ") + 1)), "a shared value is shown once, not summed").to.equal(Number(balance));

      // A worker killed outright is replaced; the port keeps serving meanwhile.
      const victim = ready.find((l) => l.worker === 0)!.pid as number;
      process.kill(victim, "SIGKILL");
      expect((await logLine(child, "relay worker died: starting another"))!.pid).to.equal(victim);
      const back = Date.now() + 90_000;
      while (lines().filter((l) => l.msg === "relay listening" && l.worker === 0).length < 2 && Date.now() < back) {
        expect((await get("/healthz")).status).to.equal(200);
        await new Promise((r) => setTimeout(r, 100));
      }
      expect(lines().filter((l) => l.msg === "relay listening" && l.worker === 0).length).to.equal(2);

      child.proc.kill("SIGTERM");
      expect(await child.exit).to.equal(0);
      expect(lines().filter((l) => l.msg === "stopped").length, "both workers and the primary").to.equal(3);
    } finally {
      if (child.proc.exitCode === null) child.proc.kill("SIGKILL");
      fs.rmSync(dir, { recursive: true, force: true });
      await t.drop();
    }
  });

  it("refuses RELAY_WORKERS > 1 on PGlite with exit code 2: one process's database", async () => {
    const child = startMain({ RELAY_WORKERS: "2", RPC_URL: "http://127.0.0.1:1" });
    expect(await child.exit).to.equal(2);
    expect(child.stderr).to.include("RELAY_WORKERS: more than one process needs PostgreSQL (DATABASE_URL)");
  });

  it("runs compiled (npm run build's relay step) with node alone, from .env.example after npm run deploy: deployment found by default, start-up time logged", async function () {
    this.timeout(240_000);
    const out = path.join(ROOT, "dist", `test-${process.pid}`);
    compileRelay(out);
    const chain = await localChain();
    const cwd = fs.mkdtempSync(path.join(os.tmpdir(), "relay-compiled-"));
    const example = fs.readFileSync(path.join(ROOT, ".env.example"), "utf8");
    fs.writeFileSync(path.join(cwd, ".env"), example);
    const port = await freePort();
    // The environment wins over .env: only the chain's URL and the port differ from the example.
    const overrides = { RPC_URL: chain.url, PORT: String(port), LOG_LEVEL: "info" };
    const file = await deploy({ ...parseEnv(example), ...overrides, DEPLOYMENTS_DIR: path.join(cwd, "deployments") });
    expect(file).to.equal(path.join(cwd, "deployments", "localhost.json"));
    const deployment = JSON.parse(fs.readFileSync(file, "utf8")) as { ledger: string; governance: string };
    expect(deployment.governance).to.equal(testAccount(0).address);
    const child = startMain(overrides, { entry: [path.join(out, "server", "main.js")], cwd });
    try {
      const listening = await logLine(child, "relay listening");
      expect(listening, child.stderr).to.not.equal(null);
      expect(listening!.ledger).to.equal(deployment.ledger);
      expect(listening!.startupMs).to.be.a("number").above(0);
      const health = (await (await fetch(`http://127.0.0.1:${port}/healthz`)).json()) as { status: string; signers: { balances: { address: string }[] } };
      expect(health.status).to.equal("ok");
      expect(health.signers.balances.map((b) => b.address)).to.deep.equal([testAccount(2).address, testAccount(3).address]);
      const admin = await fetch(`http://127.0.0.1:${port}/v1/admin/brands`, { headers: { authorization: "Bearer replace-with-a-long-random-admin-token" } });
      expect(admin.status).to.equal(200);
      expect(fs.existsSync(path.join(cwd, "data", "relay"))).to.equal(true);
      child.proc.kill("SIGTERM");
      expect(await child.exit).to.equal(0);
    } finally {
      if (child.proc.exitCode === null) child.proc.kill("SIGKILL");
      fs.rmSync(cwd, { recursive: true, force: true });
      fs.rmSync(out, { recursive: true, force: true });
    }
  });

  it("without a deployment file or addresses, names the command that writes one", async () => {
    const chain = await localChain();
    const cwd = fs.mkdtempSync(path.join(os.tmpdir(), "relay-nodeploy-"));
    fs.writeFileSync(path.join(cwd, "none.env"), "");
    try {
      const child = startMain({ RPC_URL: chain.url, SIGNER_KEYS: testPrivateKey(2), DATA_DIR: path.join(cwd, "db"), DEPLOYMENTS_DIR: cwd, ENV_FILE: path.join(cwd, "none.env") });
      const code = await child.exit;
      expect(code).to.equal(1);
      expect(child.stderr).to.include("no deployment for chain 31337: run `npm run deploy`");
    } finally {
      fs.rmSync(cwd, { recursive: true, force: true });
    }
  });

  it("--help lists every configuration variable with its default", async () => {
    const child = startMain({}, { entry: ["-r", "ts-node/register/transpile-only", "server/main.ts", "--help"] });
    expect(await child.exit).to.equal(0);
    const text = child.stdout.join("\n");
    expect(text).to.match(/^usage: npm run relay/);
    expect(text).to.include('  PORT                               default 8080');
    expect(text).to.include("SIGNER_LOW_BALANCE_ETH");
  });

  it("refuses an invalid configuration with exit code 2, naming the variable", async () => {
    const child = startMain({ PORT: "not-a-port", RPC_URL: "http://127.0.0.1:1" });
    expect(await child.exit).to.equal(2);
    expect(child.stderr).to.include("invalid configuration");
    expect(child.stderr).to.include("PORT");
  });
});
