import { execFile } from "node:child_process";
import path from "node:path";
import { promisify } from "node:util";
import { expect } from "chai";

const ROOT = path.join(__dirname, "..", "..");
const run = promisify(execFile);

/**
 * The commands that Hardhat used to run (`hardhat run` answers --help with Hardhat's own help), each with its
 * own usage on --help, exit code 0. The other commands' --help is tested with each command.
 */
const COMMANDS = ["gas", "bench:audit"];

describe("--help of the measuring commands", function () {
  this.timeout(180_000);
  it("prints the command's own usage (not Hardhat's) and exits 0", async () => {
    const pending = [...COMMANDS];
    const out = new Map<string, string>();
    // Four at a time: each is a node process of its own.
    await Promise.all(
      [0, 1, 2, 3].map(async () => {
        for (let c = pending.shift(); c !== undefined; c = pending.shift()) {
          const { stdout } = await run("npm", ["run", "-s", c, "--", "--help"], { cwd: ROOT, env: { ...process.env, CI: "true" } });
          out.set(c, stdout);
        }
      }),
    );
    for (const c of COMMANDS) {
      const text = out.get(c)!;
      expect(text, c).to.not.match(/Hardhat version/);
      expect(text.trim().length, c).to.be.greaterThan(40);
    }
    expect(out.get("gas")).to.match(/^`npm run gas`/);
    expect(out.get("bench:audit")).to.include("npm run bench:audit");
  });
});
