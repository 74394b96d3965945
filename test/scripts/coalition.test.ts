import { execFile } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { expect } from "chai";
import { encryptKeystoreJsonSync } from "ethers";
import { createPublicClient, erc20Abi, getAddress, http, keccak256, stringToBytes, type Address, type Hex, type PublicClient } from "viem";
import { hardhat } from "viem/chains";
import { coalitionPointsAbi, consentLedgerAbi, mockStablecoinAbi } from "../../client/abis";
import { canonicalJson, fetchNotice, noticeHash, parseNotice, type Notice } from "../../client/notices";
import { purposeId } from "../../client/purposes";
import { writeDeployment, type Deployment } from "../../server/chain/deployment";
import { deployConfiance } from "../../scripts/lib/deploy";
import { COMMANDS, run as runCoalition } from "../../scripts/coalition";
import { LocalChain, testAccount, testPrivateKey } from "../support/chain";
import { Harness } from "../server/relay-harness";

const ROOT = path.join(__dirname, "../..");
const GOV = 0;
const BRAND = 10;
const OPERATOR = 11;
const OTHER = 12;
const TREASURY = 13;
const RELAY_DEFAULT = 14;
const PASSWORD = "correct horse battery staple";
const USD = 1_000_000n;
const EXAMPLE_NOTICE = path.join(ROOT, "scripts/demo/notices/cafe-lune/shopping-list.json");

const addr = (i: number): Address => testAccount(i).address;

type Run = { code: number; stdout: string; stderr: string };

/** Runs `npm run coalition` as a child process, with only the environment given (plus PATH). */
function coalition(args: string[], env: Record<string, string | undefined>): Promise<Run> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      ["-r", "ts-node/register/transpile-only", "scripts/coalition.ts", ...args],
      {
        cwd: ROOT,
        env: Object.fromEntries(Object.entries({ PATH: process.env.PATH ?? "", TS_NODE_TRANSPILE_ONLY: "true", ...env }).filter(([, v]) => v !== undefined)) as Record<string, string>,
      },
      (err, stdout, stderr) => resolve({ code: err ? ((err as { code?: number }).code ?? 99) : 0, stdout, stderr }),
    );
  });
}

/** The same command line run in this process through the command's `run` (for the many cases that need no child). */
async function inProcess(args: string[], env: Record<string, string>): Promise<Run> {
  let stdout = "";
  let stderr = "";
  const code = await runCoalition(args, env, { stdout: (t) => (stdout += t), stderr: (t) => (stderr += t) });
  return { code, stdout, stderr };
}

/** A Web3 Secret Storage v3 keystore of `indices`' keys (an array when several), with light scrypt for speed. */
function keystore(dir: string, name: string, indices: number[]): string {
  const entries = indices.map((i) =>
    JSON.parse(encryptKeystoreJsonSync({ address: addr(i), privateKey: testPrivateKey(i) }, PASSWORD, { scrypt: { N: 1024 } })),
  );
  const file = path.join(dir, name);
  fs.writeFileSync(file, JSON.stringify(entries.length === 1 ? entries[0] : entries));
  return file;
}

interface BrandView {
  address: Address;
  block: bigint;
  status: string;
  redemptions?: string;
  backing: string;
  wallet: string;
  allowance?: string;
  operators?: string;
  proposed?: string;
  purposes?: string[];
}

/** What `status BRAND` prints (docs/coalition.md). */
function brandState(b: BrandView): string {
  return [
    `Brand ${b.address} at block ${b.block}`,
    `  status              ${b.status}`,
    `  redemptions         ${b.redemptions ?? "accepted"}`,
    `  backing             ${b.backing}`,
    `  wallet              ${b.wallet} (CoalitionPoints may take ${b.allowance ?? "0 mUSD"})`,
    `  operators           ${b.operators ?? "none"}`,
    `  proposed operators  ${b.proposed ?? "none"}`,
    `  purposes            ${(b.purposes ?? []).length}`,
    ...(b.purposes ?? []).map((p) => `    ${p}`),
    "",
  ].join("\n");
}

describe("npm run coalition (child process against a local chain)", function () {
  this.timeout(600_000);
  let chain: LocalChain;
  /** Reads for the checks, retried: between children that take seconds, the endpoint may drop an idle keep-alive connection. */
  let reader: PublicClient;
  let dep: Deployment;
  let dir: string;
  let depFile: string;
  let brandKeystore: string;
  let relayKeystore: string;

  before(async () => {
    chain = await LocalChain.start();
    reader = createPublicClient({ chain: hardhat, transport: http(chain.url, { retryCount: 3 }) }) as PublicClient;
    const d = await deployConfiance({ wallet: chain.wallet(GOV), client: reader });
    dep = { ...d, ledger: getAddress(d.ledger), points: getAddress(d.points), settlement: getAddress(d.settlement), governance: getAddress(d.governance) };
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "coalition-"));
    depFile = path.join(dir, "deployment.json");
    writeDeployment(depFile, dep);
    await reader.waitForTransactionReceipt({
      hash: await chain.wallet(GOV).writeContract({ address: dep.settlement, abi: mockStablecoinAbi, functionName: "mint", args: [addr(BRAND), 5_000n * USD] }),
    });
    brandKeystore = keystore(dir, "brand.json", [BRAND]);
    relayKeystore = keystore(dir, "relay.json", [RELAY_DEFAULT, OPERATOR]);
  });
  after(async () => {
    await chain.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  /** The command line against our deployment, with `key` (an account index) as COALITION_KEY. */
  const run = (args: string[], key?: number, env: Record<string, string | undefined> = {}) =>
    coalition(args, { RPC_URL: chain.url, DEPLOYMENT_FILE: depFile, COALITION_KEY: key === undefined ? undefined : testPrivateKey(key), ...env });
  const asBrand = (args: string[]) => run([...args, "--keystore", brandKeystore], undefined, { KEYSTORE_PASSWORD: PASSWORD });
  const latest = () => reader.getBlockNumber({ cacheTime: 0 });

  /** Checks the transaction lines at the head of `out` against its receipt; returns the rest and the block. */
  async function tx(out: string, label: string, from: number, to: Address): Promise<{ rest: string; block: bigint; hash: Hex }> {
    const escaped = label.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
    const m = new RegExp(`^${escaped} from ${addr(from)}\\n  transaction (0x[0-9a-f]{64})\\n  block (\\d+), gas used ([\\d,]+), succeeded\\n`).exec(out);
    expect(m, `expected ${label} at the head of:\n${out}`).to.not.equal(null);
    const hash = m![1] as Hex;
    const receipt = await reader.getTransactionReceipt({ hash });
    expect(receipt.status).to.equal("success");
    expect(receipt.blockNumber).to.equal(BigInt(m![2]!));
    expect(receipt.gasUsed.toLocaleString("en-US")).to.equal(m![3]);
    expect(getAddress(receipt.from)).to.equal(addr(from));
    expect(getAddress(receipt.to!)).to.equal(to);
    return { rest: out.slice(m![0].length), block: receipt.blockNumber, hash };
  }

  /** Refusals, four at a time: each exits 1 with the decoded error and its explanation on stderr and nothing on stdout; no block is mined. */
  async function refused(...cases: { run: () => Promise<Run>; decoded: string; explanation: string; contract?: string }[]): Promise<void> {
    const before = await latest();
    const results: Run[] = [];
    for (let i = 0; i < cases.length; i += 4) results.push(...(await Promise.all(cases.slice(i, i + 4).map((c) => c.run()))));
    for (const [i, c] of cases.entries()) {
      expect(results[i]).to.deep.equal({
        code: 1,
        stdout: "",
        stderr: `refused by ${c.contract ?? "CoalitionPoints"}: ${c.decoded}\n  ${c.explanation}\n  The refused call changed nothing.\n`,
      });
    }
    expect(await latest()).to.equal(before);
  }

  describe("help", () => {
    it("lists every command by role, with the keys and the exit status", async () => {
      const r = await coalition(["--help"], {});
      expect(r.code).to.equal(0);
      for (const role of ["Governance", "A brand", "An operator", "Anyone"]) expect(r.stdout).to.include(`\n${role} (`);
      for (const c of COMMANDS) expect(r.stdout).to.match(new RegExp(`\\n  ${c.name} .*${c.summary.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}\\n`));
      expect(r.stdout).to.include("Exit status: 0 done; 1 a contract refused");
      expect(r.stdout).to.include("A key or password on the command line is refused.");
      const bare = await coalition([], {});
      expect(bare).to.deep.include({ code: 2, stdout: "", stderr: r.stdout });
    });

    it("explains each command with --help (and `help COMMAND`; in process, and one as a child process)", async () => {
      expect(COMMANDS.map((c) => c.name)).to.deep.equal([
        "admit",
        "suspend",
        "treasury",
        "expiry",
        "transfers",
        "pause",
        "unpause",
        "tiers",
        "deposit",
        "withdraw",
        "propose-operator",
        "remove-operator",
        "accept-redemptions",
        "define-purpose",
        "accept-operator",
        "renounce-operator",
        "status",
      ]);
      for (const c of COMMANDS) {
        const r = await inProcess([c.name, "--help"], {});
        expect(r.code, c.name).to.equal(0);
        expect(r.stdout, c.name).to.match(new RegExp(`^usage: npm run coalition -- ${c.name}`));
        expect(r.stdout, c.name).to.include(`${c.summary}.\n`);
        for (const o of Object.keys(c.options ?? {})) expect(r.stdout, c.name).to.include(`  --${o} `);
        expect(r.stdout.includes("Keys: COALITION_KEY"), c.name).to.equal(c.needsKey);
        expect(await inProcess(["help", c.name], {}), c.name).to.deep.equal(r);
      }
      const child = await coalition(["define-purpose", "--help"], {});
      expect(child).to.deep.equal(await inProcess(["define-purpose", "--help"], {}));
      expect(child.stdout).to.include("--notice FILE");
    });
  });

  describe("keys", () => {
    it("refuses a private key on the command line, in any form, without repeating it", async () => {
      const key = testPrivateKey(GOV);
      const before = await latest();
      const cases = [
        ["admit", key],
        ["admit", addr(BRAND), "--private-key", key],
        ["deposit", "100", `--key=${key.slice(2)}`],
        ["status", "--password", "hunter2"],
      ];
      const results = await Promise.all(cases.map((args) => run(args)));
      for (const [i, args] of cases.entries()) {
        const r = results[i]!;
        expect(r.code, args.join(" ")).to.equal(2);
        expect(r.stdout).to.equal("");
        expect(r.stderr).to.equal(
          "refused: a secret on the command line (it would stay in the shell's history and be visible to every process). " +
            "Set COALITION_KEY in the environment, or use a keystore file (--keystore FILE or KEYSTORE_FILE) with KEYSTORE_PASSWORD.\n",
        );
        expect(r.stderr).to.not.include(key.slice(2));
      }
      expect(await latest()).to.equal(before);
    });

    it("says how to give a key when a command needs one, and refuses a malformed one, two at once, a wrong password", async () => {
      const [none, malformed, both, wrong, several] = await Promise.all([
        run(["admit", addr(BRAND)]),
        run(["admit", addr(BRAND)], undefined, { COALITION_KEY: "0x1234" }),
        run(["admit", addr(BRAND), "--keystore", brandKeystore], GOV, { KEYSTORE_PASSWORD: PASSWORD }),
        run(["deposit", "1", "--keystore", brandKeystore], undefined, { KEYSTORE_PASSWORD: "wrong" }),
        run(["accept-operator", addr(BRAND), "--keystore", relayKeystore], undefined, { KEYSTORE_PASSWORD: PASSWORD }),
      ]);
      expect(none).to.deep.equal({
        code: 2,
        stdout: "",
        stderr: "this command signs a transaction: set COALITION_KEY, or give a keystore (--keystore FILE or KEYSTORE_FILE) and KEYSTORE_PASSWORD\n",
      });
      expect(malformed).to.deep.equal({ code: 2, stdout: "", stderr: "COALITION_KEY must be a 0x-prefixed 32-byte hex private key\n" });
      expect(both).to.deep.equal({ code: 2, stdout: "", stderr: "both COALITION_KEY and a keystore are given: use one of them\n" });
      expect(wrong.code).to.equal(2);
      expect(wrong.stderr).to.match(/^keystore entry 0 cannot be decrypted: /);
      expect(several).to.deep.equal({
        code: 2,
        stdout: "",
        stderr: `the keystore holds 2 keys (${addr(RELAY_DEFAULT)}, ${addr(OPERATOR)}): pick one with --from ADDRESS\n`,
      });
    });
  });

  describe("a brand's onboarding, command by command", () => {
    it("governance admits the brand (key from COALITION_KEY): the transaction, its gas, the brand's state", async () => {
      const r = await run(["admit", addr(BRAND)], GOV);
      expect(r.code, r.stderr).to.equal(0);
      const { rest, block } = await tx(r.stdout, `admitBrand(${addr(BRAND)})`, GOV, dep.points);
      expect(rest).to.equal("\n" + brandState({ address: addr(BRAND), block, status: "admitted", backing: "0 mUSD", wallet: "5000 mUSD" }));
      expect(r.stderr).to.equal("");
    });

    it("the brand deposits from its keystore: approves exactly what is missing, deposits, shows its backing", async () => {
      const r = await asBrand(["deposit", "1250.5"]);
      expect(r.code, r.stderr).to.equal(0);
      const approve = await tx(r.stdout, `mUSD.approve(${dep.points}, 1250500000) [1250.5 mUSD]`, BRAND, dep.settlement);
      const deposit = await tx(approve.rest, "deposit(1250500000) [1250.5 mUSD]", BRAND, dep.points);
      expect(deposit.rest).to.equal("\n" + brandState({ address: addr(BRAND), block: deposit.block, status: "admitted", backing: "1250.5 mUSD", wallet: "3749.5 mUSD" }));

      // enough allowance already: no approval
      await reader.waitForTransactionReceipt({
        hash: await chain.wallet(BRAND).writeContract({ address: dep.settlement, abi: erc20Abi, functionName: "approve", args: [dep.points, 500n * USD] }),
      });
      const again = await asBrand(["deposit", "49.5"]);
      const only = await tx(again.stdout, "deposit(49500000) [49.5 mUSD]", BRAND, dep.points);
      expect(only.rest).to.equal(
        "\n" + brandState({ address: addr(BRAND), block: only.block, status: "admitted", backing: "1300 mUSD", wallet: "3700 mUSD", allowance: "450.5 mUSD" }),
      );
    });

    it("withdraws to another address", async () => {
      const r = await asBrand(["withdraw", "300", "--to", addr(TREASURY)]);
      const { rest, block } = await tx(r.stdout, `withdraw(300000000, ${addr(TREASURY)}) [300 mUSD]`, BRAND, dep.points);
      expect(rest).to.equal("\n" + brandState({ address: addr(BRAND), block, status: "admitted", backing: "1000 mUSD", wallet: "3700 mUSD", allowance: "450.5 mUSD" }));
      expect(await reader.readContract({ address: dep.settlement, abi: erc20Abi, functionName: "balanceOf", args: [addr(TREASURY)] })).to.equal(300n * USD);
    });

    it("proposes the relay's operator key, which accepts from the relay's keystore (--from)", async () => {
      const proposed = await asBrand(["propose-operator", addr(OPERATOR)]);
      const p = await tx(proposed.stdout, `setOperator(${addr(OPERATOR)}, true)`, BRAND, dep.points);
      const base = { address: addr(BRAND), status: "admitted", backing: "1000 mUSD", wallet: "3700 mUSD", allowance: "450.5 mUSD" };
      expect(p.rest).to.equal("\n" + brandState({ ...base, block: p.block, proposed: addr(OPERATOR) }));
      const accepted = await run(["accept-operator", addr(BRAND), "--keystore", relayKeystore, "--from", addr(OPERATOR)], undefined, { KEYSTORE_PASSWORD: PASSWORD });
      const a = await tx(accepted.stdout, `acceptOperator(${addr(BRAND)})`, OPERATOR, dep.points);
      expect(a.rest).to.equal("\n" + brandState({ ...base, block: a.block, operators: addr(OPERATOR) }));
      expect(await reader.readContract({ address: dep.points, abi: coalitionPointsAbi, functionName: "isOperator", args: [addr(BRAND), addr(OPERATOR)] })).to.equal(true);
    });

    it("turns redemptions off and on", async () => {
      const base = { address: addr(BRAND), status: "admitted", backing: "1000 mUSD", wallet: "3700 mUSD", allowance: "450.5 mUSD", operators: addr(OPERATOR) };
      const off = await asBrand(["accept-redemptions", "off"]);
      const t = await tx(off.stdout, "setAcceptsRedemptions(false)", BRAND, dep.points);
      expect(t.rest).to.equal("\n" + brandState({ ...base, block: t.block, redemptions: "not accepted" }));
      const on = await asBrand(["accept-redemptions", "on"]);
      const t2 = await tx(on.stdout, "setAcceptsRedemptions(true)", BRAND, dep.points);
      expect(t2.rest).to.equal("\n" + brandState({ ...base, block: t2.block }));
    });

    it("defines a purpose from a notice file: the hash of its canonical JSON on chain, with the URI", async () => {
      const notice = parseNotice(JSON.parse(fs.readFileSync(EXAMPLE_NOTICE, "utf8")));
      notice.controller.address = addr(BRAND);
      const file = path.join(dir, "shopping-list.json");
      fs.writeFileSync(file, JSON.stringify(notice, null, 2));
      const hash = noticeHash(notice);
      const uri = "https://brand.example/notices/shopping-list-v1.json";
      const r = await asBrand(["define-purpose", "--notice", file, "--uri", uri]);
      expect(r.code, r.stderr).to.equal(0);
      const head = `notice ${file}: purpose shopping-list (${purposeId("shopping-list")}), version 1, noticeHash ${hash}\n`;
      expect(r.stdout.startsWith(head)).to.equal(true);
      const t = await tx(r.stdout.slice(head.length), `definePurpose(shopping-list, ${hash}, ${uri})`, BRAND, dep.ledger);
      expect(t.rest).to.equal(
        "\n" +
          brandState({
            address: addr(BRAND),
            block: t.block,
            status: "admitted",
            backing: "1000 mUSD",
            wallet: "3700 mUSD",
            allowance: "450.5 mUSD",
            operators: addr(OPERATOR),
            purposes: [`shopping-list: notice ${hash} at ${uri} (1 version published)`],
          }),
      );
      expect(hash).to.equal(keccak256(stringToBytes(canonicalJson(JSON.parse(fs.readFileSync(file, "utf8"))))));
      expect(await reader.readContract({ address: dep.ledger, abi: consentLedgerAbi, functionName: "purposeOf", args: [addr(BRAND), purposeId("shopping-list")] })).to.deep.equal([
        hash,
        uri,
      ]);
    });

    it("refuses an invalid notice file, naming every problem, and another brand's notice; nothing is sent", async () => {
      const before = await latest();
      const bad = JSON.parse(fs.readFileSync(EXAMPLE_NOTICE, "utf8"));
      bad.controller.address = addr(BRAND);
      bad.legalBasis = "because";
      bad.categories = ["sizes"];
      delete bad.withdrawal;
      const file = path.join(dir, "bad.json");
      fs.writeFileSync(file, JSON.stringify(bad));
      expect(await asBrand(["define-purpose", "--notice", file, "--uri", "https://x.example/n"])).to.deep.equal({
        code: 2,
        stdout: "",
        stderr: [
          `the notice file ${file} does not follow the notice schema (docs/notice.schema.json):`,
          '  - legalBasis: Invalid option: expected one of "consent"|"contract"|"legal-obligation"|"vital-interests"|"public-task"|"legitimate-interests"',
          "  - categories[0]: expected a category name (identity, contact, purchase-history, location, device-identifiers, preferences, payment, demographics, loyalty-account) or a controller-specific { \"bit\": 48-63, \"description\": {...} }",
          "  - withdrawal: missing (expected an object)",
          "",
        ].join("\n"),
      });
      const others = path.join(dir, "others.json");
      fs.writeFileSync(others, fs.readFileSync(EXAMPLE_NOTICE));
      expect((await asBrand(["define-purpose", "--notice", others, "--uri", "https://x.example/n"])).stderr).to.equal(
        `the notice names controller 0x976EA74026E726554dB657fA54763abd0C3a0aa9, but the key given is ${addr(BRAND)}: a brand publishes its own notices\n`,
      );
      fs.writeFileSync(path.join(dir, "broken.json"), "{ not json");
      const broken = await asBrand(["define-purpose", "--notice", path.join(dir, "broken.json"), "--uri", "https://x.example/n"]);
      expect(broken.code).to.equal(2);
      expect(broken.stderr).to.match(new RegExp(`^the notice file ${path.join(dir, "broken.json")} is not JSON: `));
      expect((await asBrand(["define-purpose", "--notice", path.join(dir, "shopping-list.json")])).stderr).to.equal(
        "give --uri URI (where customers read the notice), or --relay URL to store it there\n",
      );
      expect(await latest()).to.equal(before);
    });
  });

  describe("governance's settings, with the coalition's state", () => {
    /** What `status` prints for the coalition, from the lines that change. */
    const coalitionState = (s: { block: bigint; treasury?: Address; paused?: string; transfers?: string; pending?: string; tiers?: string; brands: string[] }) =>
      [
        `Coalition: CoalitionPoints ${dep.points} on chain 31337, block ${s.block}`,
        `  consent ledger      ${dep.ledger}`,
        `  settlement asset    ${dep.settlement} (mUSD, 6 decimals)`,
        "  unit value          10000 units = 0.01 mUSD per point",
        `  governance          ${addr(GOV)}`,
        `  treasury            ${s.treasury ?? addr(GOV)}`,
        `  paused              ${s.paused ?? "no"}`,
        `  transfers           ${s.transfers ?? "disabled"}`,
        "  expiry              never",
        `  pending expiry      ${s.pending ?? "none"}`,
        `  tiers               ${s.tiers ?? "none"}`,
        "  points              0 in circulation, reserve 0 mUSD",
        `  brands              ${s.brands.length}`,
        ...s.brands.map((b) => `    ${b}`),
        "",
      ].join("\n");
    const brandLine = `${addr(BRAND)} admitted, backing 1000 mUSD, redemptions accepted`;

    it("treasury, expiry (pending for 30 days), transfers, tiers", async () => {
      const t = await tx((await run(["treasury", addr(TREASURY)], GOV)).stdout, `setTreasury(${addr(TREASURY)})`, GOV, dep.points);
      expect(t.rest).to.equal("\n" + coalitionState({ block: t.block, treasury: addr(TREASURY), brands: [brandLine] }));

      const e = await tx((await run(["expiry", "30d"], GOV)).stdout, "setExpiryPeriod(2592000)", GOV, dep.points);
      const at = Number((await reader.getBlock({ blockNumber: e.block })).timestamp) + 2_592_000;
      const pending = `2592000 s (30 days) from ${new Date(at * 1000).toISOString().replace(".000Z", "Z")}`;
      expect(e.rest).to.equal("\n" + coalitionState({ block: e.block, treasury: addr(TREASURY), pending, brands: [brandLine] }));

      const tr = await tx((await run(["transfers", "on"], GOV)).stdout, "setTransfersEnabled(true)", GOV, dep.points);
      expect(tr.rest).to.equal("\n" + coalitionState({ block: tr.block, treasury: addr(TREASURY), pending, transfers: "enabled", brands: [brandLine] }));

      const ti = await tx((await run(["tiers", "100", "500", "2000"], GOV)).stdout, "setTiers([100, 500, 2000])", GOV, dep.points);
      const state = { treasury: addr(TREASURY), pending, transfers: "enabled", tiers: "100, 500, 2000 lifetime points", brands: [brandLine] };
      expect(ti.rest).to.equal("\n" + coalitionState({ block: ti.block, ...state }));

      const none = await tx((await run(["tiers", "none"], GOV)).stdout, "setTiers([])", GOV, dep.points);
      expect(none.rest).to.equal("\n" + coalitionState({ block: none.block, ...state, tiers: "none" }));
      await run(["tiers", "100", "500", "2000"], GOV);

      // `status` says the same, and so it does from addresses given as flags instead of a deployment file
      const status = await run(["status"]);
      expect(status).to.deep.equal({ code: 0, stdout: coalitionState({ block: await latest(), ...state }), stderr: "" });
      const flags = await run(["status", "--points", dep.points, "--ledger", dep.ledger, "--from-block", String(dep.deployBlock)], undefined, { DEPLOYMENT_FILE: undefined });
      expect(flags).to.deep.equal(status);
    });

    it("pause stops deposits (decoded EnforcedPause); unpause lifts it", async () => {
      const p = await tx((await run(["pause"], GOV)).stdout, "pause()", GOV, dep.points);
      expect(p.rest).to.include("\n  paused              yes\n");
      await refused({ run: () => asBrand(["deposit", "1"]), decoded: "EnforcedPause()", explanation: "CoalitionPoints is paused: governance must `unpause` it first." });
      const u = await tx((await run(["unpause"], GOV)).stdout, "unpause()", GOV, dep.points);
      expect(u.rest).to.include("\n  paused              no\n");
    });

    it("suspends a brand: no longer accepting redemptions, its backing still there", async () => {
      const s = await tx((await run(["suspend", addr(BRAND)], GOV)).stdout, `suspendBrand(${addr(BRAND)})`, GOV, dep.points);
      expect(s.rest).to.equal(
        "\n" +
          brandState({
            address: addr(BRAND),
            block: s.block,
            status: "suspended",
            redemptions: "not accepted",
            backing: "1000 mUSD",
            wallet: "3700 mUSD",
            allowance: "450.5 mUSD",
            operators: addr(OPERATOR),
            purposes: [`shopping-list: notice ${noticeHash(parseNotice(JSON.parse(fs.readFileSync(path.join(dir, "shopping-list.json"), "utf8"))))} at https://brand.example/notices/shopping-list-v1.json (1 version published)`],
          }),
      );
      expect((await run(["status", addr(BRAND)])).stdout).to.equal(s.rest.slice(1));
      await tx((await run(["admit", addr(BRAND)], GOV)).stdout, `admitBrand(${addr(BRAND)})`, GOV, dep.points);
    });
  });

  describe("failures in words", () => {
    it("decodes the contracts' refusals and exits 1", async () => {
      await refused(
        { run: () => run(["expiry", "1d"], GOV), decoded: "ExpiryPeriodTooShort(86400, 2592000)", explanation: "an expiry period is 0 (never) or at least 2592000 s (30 days); 86400 s (1 day) was given." },
        { run: () => run(["tiers", "5", "1"], GOV), decoded: "InvalidTierThreshold(1, 1)", explanation: "tier threshold #2 (1) must be above 0 and above the one before it." },
        {
          run: () => run(["admit", addr(OTHER)], BRAND),
          decoded: `AccessControlUnauthorizedAccount(${addr(BRAND)}, 0x0000000000000000000000000000000000000000000000000000000000000000)`,
          explanation: `${addr(BRAND)} is not governance: only the key holding CoalitionPoints' admin role may do this.`,
        },
        { run: () => run(["admit", addr(BRAND)], GOV), decoded: `BrandAlreadyAdmitted(${addr(BRAND)})`, explanation: `${addr(BRAND)} is already an admitted brand.` },
        {
          run: () => run(["propose-operator", addr(OPERATOR)], OTHER),
          decoded: `NotBrand(${addr(OTHER)})`,
          explanation: `${addr(OTHER)} is not a brand: only a brand's own key (admitted or suspended) may do this, never an operator's.`,
        },
        {
          run: () => run(["accept-operator", addr(OTHER)], OPERATOR),
          decoded: `OperatorNotProposed(${addr(OTHER)}, ${addr(OPERATOR)})`,
          explanation: `brand ${addr(OTHER)} has not proposed ${addr(OPERATOR)} as its operator: the brand runs \`propose-operator\` first.`,
        },
        {
          run: () => asBrand(["withdraw", "5000"]),
          decoded: `InsufficientBrandBalance(${addr(BRAND)}, 1000000000, 5000000000)`,
          explanation: `brand ${addr(BRAND)} holds 1000 mUSD of backing; 5000 mUSD is needed.`,
        },
        {
          run: () => asBrand(["deposit", "4000"]),
          decoded: `balanceOf(${addr(BRAND)}) is 3700000000, below 4000000000`,
          explanation: "the brand's wallet holds 3700 mUSD of the settlement asset; the deposit needs 4000 mUSD.",
          contract: "mUSD",
        },
      );
    });

    it("refuses bad arguments with exit 2 before sending anything (in process)", async () => {
      const cases: [string[], string][] = [
        [["admit", "0x1234"], "BRAND must be an address, not 0x1234"],
        [["admit"], "usage: npm run coalition -- admit BRAND (see --help)"],
        [["transfers", "maybe"], "the argument must be on or off, not maybe"],
        [["expiry", "soon"], 'PERIOD must be "never", a number of seconds or of days ("90d"), not soon'],
        [["deposit", "1.2345678"], "the amount must be a number of mUSD with at most 6 decimals, such as 1000 or 12.5, not 1.2345678"],
        [["tiers", "1.5"], "a tier threshold must be a whole number of points, not 1.5"],
        [["launch"], "unknown command launch: `npm run coalition -- --help` lists them"],
        [["status", "--colour"], "Unknown option '--colour'. To specify a positional argument starting with a '-', place it at the end of the command after '--', as in '-- \"--colour\" (see `npm run coalition -- status --help`)"],
      ];
      const before = await latest();
      for (const [args, message] of cases) {
        expect(await inProcess(args, { RPC_URL: chain.url, DEPLOYMENT_FILE: depFile, COALITION_KEY: testPrivateKey(GOV) }), args.join(" ")).to.deep.equal({ code: 2, stdout: "", stderr: message + "\n" });
      }
      expect(await latest()).to.equal(before);
    });

    it("names the endpoint, the chain or the address when the chain side is wrong, and exits 3", async () => {
      const otherChain = path.join(dir, "mainnet.json");
      writeDeployment(otherChain, { ...dep, chainId: 1 });
      const [down, wrongChain, noContract] = await Promise.all([
        run(["status"], undefined, { RPC_URL: "http://127.0.0.1:1" }),
        run(["status"], undefined, { DEPLOYMENT_FILE: otherChain }),
        run(["status", "--points", addr(OTHER)], undefined, { DEPLOYMENT_FILE: undefined }),
      ]);
      expect(down).to.deep.equal({ code: 3, stdout: "", stderr: "cannot reach the chain at http://127.0.0.1:1: HTTP request failed.\n" });
      expect(wrongChain).to.deep.equal({ code: 3, stdout: "", stderr: `the deployment file ${otherChain} is for chain 1, but ${chain.url} is chain 31337\n` });
      expect(noContract).to.deep.equal({
        code: 3,
        stdout: "",
        stderr: `no contract at ${addr(OTHER)} on chain 31337 (${chain.url}): wrong deployment file or endpoint?\n`,
      });
    });
  });

  describe("define-purpose --relay: the document stored at the relay, its URL on chain", () => {
    let h: Harness;
    let relayDep: string;
    let file: string;
    let notice: Notice;
    before(async () => {
      h = await Harness.start("pglite", { submitter: false, indexer: false });
      relayDep = path.join(dir, "relay-deployment.json");
      writeDeployment(relayDep, h.deployment);
      notice = parseNotice(JSON.parse(fs.readFileSync(EXAMPLE_NOTICE, "utf8")));
      notice.controller.address = getAddress(h.a.address);
      notice.version = 2;
      file = path.join(dir, "brand-a-shopping-list.json");
      fs.writeFileSync(file, JSON.stringify(notice, null, 2));
    });
    after(async () => {
      await h?.stop();
    });
    const define = (env: Record<string, string | undefined>, relay = h.url) =>
      coalition(["define-purpose", "--notice", file, "--relay", relay], { RPC_URL: chain.url, DEPLOYMENT_FILE: relayDep, COALITION_KEY: testPrivateKey(1), ...env });

    it("uploads with the brand's API key, publishes the relay's URL of it, and is idempotent", async () => {
      const hash = noticeHash(notice);
      const url = `${h.url}/v1/notices/${hash}`;
      for (const [n, said] of [
        [1, "stored it"],
        [2, "already held it"],
      ] as const) {
        const r = await define({ BRAND_API_KEY: h.a.apiKey });
        expect(r.code, r.stderr).to.equal(0);
        const head = `notice ${file}: purpose shopping-list (${purposeId("shopping-list")}), version 2, noticeHash ${hash}\n  relay ${said}: ${url}\n`;
        expect(r.stdout.startsWith(head), r.stdout).to.equal(true);
        const t = await tx(r.stdout.slice(head.length), `definePurpose(shopping-list, ${hash}, ${url})`, 1, getAddress(h.deployment.ledger));
        expect(t.rest).to.include(`\n    shopping-list: notice ${hash} at ${url} (${n + 1} versions published)\n`);
      }
      expect((await fetchNotice({ relayUrl: h.url, noticeHash: hash })).notice).to.deep.equal(notice);
      expect(await h.count("notice_documents")).to.equal(1);
    });

    it("the relay refusing or unreachable: exit 4 and nothing on chain; no API key: exit 2", async () => {
      const before = await latest();
      expect(await define({ BRAND_API_KEY: "not-a-key" })).to.deep.include({
        code: 4,
        stderr: `the relay at ${h.url} refused the notice: 401 invalid_api_key: the brand API key is not valid\n`,
      });
      expect(await define({ BRAND_API_KEY: h.b.apiKey })).to.deep.include({
        code: 4,
        stderr: `the relay at ${h.url} refused the notice: 403 notice_controller_mismatch: the notice names controller ${getAddress(h.a.address)}; this API key is brand ${h.b.address}\n`,
      });
      const down = await define({ BRAND_API_KEY: h.a.apiKey }, "http://127.0.0.1:1");
      expect(down.code).to.equal(4);
      expect(down.stderr).to.match(/^cannot reach the relay at http:\/\/127\.0\.0\.1:1: /);
      expect(await define({})).to.deep.equal({ code: 2, stdout: "", stderr: "--relay needs the brand's API key in BRAND_API_KEY\n" });
      expect(await latest()).to.equal(before);
    });
  });
});
