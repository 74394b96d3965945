import { execFile } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { expect } from "chai";
import { keccak256, toHex, type Address, type Hex } from "viem";
import { generatePrivateKey, privateKeyToAccount } from "viem/accounts";
import { coalitionPointsAbi, consentLedgerAbi } from "../../client/abis";
import { purposeId } from "../../client/purposes";
import { customerExample } from "../../scripts/examples/customer";
import { deviceExample } from "../../scripts/examples/device";
import { testDbKinds } from "../support/db";
import { Harness } from "../server/relay-harness";

const ROOT = path.join(__dirname, "../..");

/** Runs a script as `npm run example:...` does, in a process of its own. */
function run(script: string, env: Record<string, string>, args: string[] = []): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, ["-r", "ts-node/register/transpile-only", script, ...args], { cwd: ROOT, env: { ...process.env, ...env } }, (err, stdout, stderr) =>
      resolve({ code: err ? ((err as { code?: number }).code ?? 99) : 0, stdout, stderr }),
    );
  });
}

describe("client: docs/client.md's examples run as they stand", function () {
  let h: Harness;
  const customers: { key: Hex; address: Address }[] = [];
  before(async () => {
    h = await Harness.start(testDbKinds()[0]!);
    for (const name of ["in-store-recognition", "loyalty"]) {
      const r = await h.http("POST", "/v1/brand/purposes", { auth: h.a.apiKey, body: { name, categories: name === "loyalty" ? ["identity", "purchase-history"] : ["identity", "location", "device-identifiers"] } });
      expect(r.status, JSON.stringify(r.body)).to.equal(200);
    }
    // Two customers holding 50 points each, earned at brand A.
    for (let i = 0; i < 2; i++) {
      const key = generatePrivateKey();
      const address = privateKeyToAccount(key).address;
      const hash = await h.a.wallet.writeContract({ address: h.deployment.points, abi: coalitionPointsAbi, functionName: "issue", args: [h.a.address, address, 50n, keccak256(toHex(`example-${address}`))] });
      await h.chain.client.waitForTransactionReceipt({ hash });
      customers.push({ key, address });
    }
    await h.indexed();
  });
  after(async () => {
    await h?.stop();
  });

  const balance = (a: Address) => h.chain.client.readContract({ address: h.deployment.points, abi: coalitionPointsAbi, functionName: "balanceOf", args: [a] });
  const granted = (a: Address) => h.chain.client.readContract({ address: h.deployment.ledger, abi: consentLedgerAbi, functionName: "isGranted", args: [a, h.a.address, purposeId("in-store-recognition")] });

  it("docs/client.md shows scripts/examples/customer.ts and device.ts whole", () => {
    const doc = fs.readFileSync(path.join(ROOT, "docs/client.md"), "utf8");
    for (const file of ["scripts/examples/customer.ts", "scripts/examples/device.ts"]) {
      expect(doc, file).to.include("```ts\n" + fs.readFileSync(path.join(ROOT, file), "utf8") + "```\n");
    }
  });

  it("the customer example discovers, grants, follows to the chain, revokes and redeems", async () => {
    const lines: string[] = [];
    const { key, address } = customers[0]!;
    const r = await customerExample({ relayUrl: h.url, customerKey: key, log: (l) => lines.push(l) });
    expect([r.grantOp.status, r.revokeOp?.status, r.redeemOp?.status]).to.deep.equal(["confirmed", "confirmed", "confirmed"]);
    expect([r.grantOp.kind, r.revokeOp?.kind, r.redeemOp?.kind]).to.deep.equal(["grant", "revoke", "redeem"]);
    expect(lines).to.include(`grant "Recognise me in store" to Brand a: Identity, Location, Device identifiers; notice https://brand.example/in-store-recognition`);
    expect(lines).to.include(`  confirmed in ${r.grantOp.txHash}`);
    expect(lines.some((l) => l.startsWith("signed Redeem of 10 of 50 points at Brand a: operation "))).to.equal(true);
    expect([await granted(address), await balance(address)]).to.deep.equal([false, 40n]);
  });

  it("runs from the command line, importing the module by its package name", async () => {
    const { key, address } = customers[1]!;
    const r = await run("scripts/examples/customer.ts", { RELAY_URL: h.url, CUSTOMER_KEY: key });
    expect(r.code, r.stderr).to.equal(0);
    expect(r.stdout).to.match(/^chain 31337: ConsentLedger 0x[0-9a-fA-F]{40}, CoalitionPoints 0x[0-9a-fA-F]{40}\n/);
    expect(r.stdout).to.contain("signed Redeem of 10 of 50 points at Brand a");
    expect(await balance(address)).to.equal(40n);
    const missing = await run("scripts/examples/customer.ts", { RELAY_URL: "", CUSTOMER_KEY: "" });
    expect([missing.code, missing.stderr]).to.deep.equal([2, "set RELAY_URL and CUSTOMER_KEY (npm run demo -- --keep prints both)\n"]);
  });

  it("the device example signs a presence event that the relay authenticates", async () => {
    const wallet = privateKeyToAccount(generatePrivateKey()).address;
    const r = await deviceExample({ relayUrl: h.url, deviceId: h.a.device.id, storeId: h.a.device.storeId, privateKeyPem: h.a.device.privateKeyPem, wallet });
    expect(r.status).to.equal(202);
    expect(r.answer).to.include({ accepted: true, kind: "presence", dropped: "no_consent" });
    expect(r.again).to.include({ accepted: true, kind: "presence", dropped: "no_consent" });
  });
});
