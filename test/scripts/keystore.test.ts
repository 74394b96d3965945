import { spawn } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { expect } from "chai";
import { loadSigners } from "../../server/chain/signers";
import { testAccount, testPrivateKey } from "../support/chain";

const ROOT = path.join(__dirname, "..", "..");
const PASSWORD = "correct horse battery";

function keystore(args: string[], env: Record<string, string>, stdin?: string): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const proc = spawn(process.execPath, ["-r", "ts-node/register/transpile-only", "scripts/keystore.ts", ...args], {
      cwd: ROOT,
      env: { PATH: process.env.PATH ?? "", ...env },
    });
    let stdout = "";
    let stderr = "";
    proc.stdout.setEncoding("utf8").on("data", (c: string) => (stdout += c));
    proc.stderr.setEncoding("utf8").on("data", (c: string) => (stderr += c));
    proc.stdin.end(stdin ?? "");
    proc.on("exit", (code) => resolve({ code, stdout, stderr }));
  });
}

describe("npm run keystore", function () {
  this.timeout(120_000);
  let dir: string;
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "keystore-"));
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  // An empty ENV_FILE, so a developer's own .env never leaks into these runs.
  const env = (extra: Record<string, string> = {}) => ({ ENV_FILE: path.join(dir, "none.env"), ...extra });

  it("creates new keys the relay decrypts with the password, mode 0600, and lists their addresses without it", async () => {
    fs.writeFileSync(path.join(dir, "none.env"), "");
    const file = path.join(dir, "relay.json");
    const r = await keystore(["create", "--count", "2", "--out", file], env({ KEYSTORE_PASSWORD: PASSWORD }));
    expect(r.code, r.stderr).to.equal(0);
    const printed = r.stdout.match(/0x[0-9a-fA-F]{40}/g);
    expect(printed).to.have.length(2);
    expect(fs.statSync(file).mode & 0o777).to.equal(0o600);
    const signers = await loadSigners({ KEYSTORE_FILE: file, KEYSTORE_PASSWORD: PASSWORD });
    expect(signers.addresses).to.deep.equal(printed);
    const listed = await keystore(["list", "--file", file], env());
    expect([listed.code, listed.stdout.trim().split("\n")]).to.deep.equal([0, printed]);
    await loadSigners({ KEYSTORE_FILE: file, KEYSTORE_PASSWORD: "wrong password!" }).then(
      () => expect.fail("decrypted with a wrong password"),
      (err: Error) => expect(err.message).to.match(/^keystore entry 0 cannot be decrypted/),
    );
  });

  it("imports keys from IMPORT_KEYS or standard input, to the same addresses", async () => {
    fs.writeFileSync(path.join(dir, "none.env"), "");
    const fromEnv = path.join(dir, "env.json");
    const a = await keystore(["import", "--out", fromEnv], env({ KEYSTORE_PASSWORD: PASSWORD, IMPORT_KEYS: `${testPrivateKey(2)},${testPrivateKey(3)}` }));
    expect(a.code, a.stderr).to.equal(0);
    expect((await loadSigners({ KEYSTORE_FILE: fromEnv, KEYSTORE_PASSWORD: PASSWORD })).addresses).to.deep.equal([testAccount(2).address, testAccount(3).address]);
    const fromStdin = path.join(dir, "stdin.json");
    const b = await keystore(["import", "--out", fromStdin], env({ KEYSTORE_PASSWORD: PASSWORD }), `${testPrivateKey(6)}\n`);
    expect(b.code, b.stderr).to.equal(0);
    expect((await loadSigners({ KEYSTORE_FILE: fromStdin, KEYSTORE_PASSWORD: PASSWORD })).addresses).to.deep.equal([testAccount(6).address]);
    expect(b.stdout).to.not.include(testPrivateKey(6).slice(2));
  });

  it("refuses a short password, an existing file, a malformed key and a key on the command line (exit 2), writing nothing", async () => {
    fs.writeFileSync(path.join(dir, "none.env"), "");
    const file = path.join(dir, "k.json");
    const short = await keystore(["create", "--out", file], env({ KEYSTORE_PASSWORD: "short" }));
    expect([short.code, short.stderr.trim()]).to.deep.equal([2, "keystore: the password must have at least 12 characters"]);
    expect(fs.existsSync(file)).to.equal(false);
    const bad = await keystore(["import", "--out", file], env({ KEYSTORE_PASSWORD: PASSWORD, IMPORT_KEYS: "0x1234" }));
    expect([bad.code, bad.stderr.trim()]).to.deep.equal([2, "keystore: key 1 is not a 0x-prefixed 32-byte hex private key"]);
    const onLine = await keystore(["import", testPrivateKey(2)], env({ KEYSTORE_PASSWORD: PASSWORD }));
    expect(onLine.code).to.equal(2);
    expect(onLine.stderr).to.include("never taken from the command line").and.not.include(testPrivateKey(2).slice(2));
    fs.writeFileSync(file, "keep me");
    const exists = await keystore(["create", "--out", file], env({ KEYSTORE_PASSWORD: PASSWORD }));
    expect([exists.code, fs.readFileSync(file, "utf8")]).to.deep.equal([2, "keep me"]);
    expect(exists.stderr).to.include("exists: it is never overwritten");
    const help = await keystore(["--help"], env());
    expect([help.code, help.stdout.split("\n")[0]]).to.deep.equal([0, "usage: npm run keystore -- <command> [options]"]);
  });
});
