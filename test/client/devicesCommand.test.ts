import { execFile } from "node:child_process";
import path from "node:path";
import { expect } from "chai";
import { purposeId } from "../../client";
import { testDbKinds } from "../support/db";
import { Harness } from "../server/relay-harness";

function devices(args: string[], env: Record<string, string>): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, ["-r", "ts-node/register/transpile-only", "scripts/devices.ts", ...args], { cwd: path.join(__dirname, "../.."), env: { ...process.env, ...env } }, (err, stdout, stderr) =>
      resolve({ code: err ? ((err as { code?: number }).code ?? 99) : 0, stdout, stderr }),
    );
  });
}

describe("npm run devices: purposes, on the client module", () => {
  let h: Harness;
  before(async () => {
    h = await Harness.start(testDbKinds()[0]!);
  });
  after(async () => {
    await h?.stop();
  });

  it("describes a brand's purpose in English and French, lists and removes it, and reports the relay's refusals by code", async () => {
    const env = { RELAY_URL: h.url, BRAND_API_KEY: h.a.apiKey };
    const set = await devices(
      ["set-purpose", "--name", "tasting-club", "--categories", "identity, preferences", "--title-en", "Tasting club", "--description-en", "Invitations.", "--title-fr", "Club dégustation", "--description-fr", "Invitations."],
      env,
    );
    expect(set.code, set.stderr).to.equal(0);
    expect(JSON.parse(set.stdout)).to.deep.include({
      id: purposeId("tasting-club"),
      name: "tasting-club",
      categories: "33",
      categoryNames: ["identity", "preferences"],
      texts: { en: { title: "Tasting club", description: "Invitations." }, fr: { title: "Club dégustation", description: "Invitations." } },
    });
    const [listed, bad, half] = await Promise.all([
      devices(["purposes"], env),
      devices(["set-purpose", "--name", "club", "--categories", "identity,nope"], env),
      devices(["set-purpose", "--name", "club", "--categories", "identity", "--title-fr", "Club"], env),
    ]);
    expect(JSON.parse(listed.stdout).purposes.map((p: { name: string }) => p.name)).to.deep.equal(["tasting-club"]);
    expect(bad.code).to.equal(1);
    expect(bad.stderr).to.match(/^devices: 400 invalid_categories: categories: expected data-category names/);
    expect([half.code, half.stderr]).to.deep.equal([2, "devices: give both --title-fr and --description-fr\n"]);
    const removed = await devices(["remove-purpose", "--name", "tasting-club"], env);
    expect(JSON.parse(removed.stdout)).to.deep.equal({ removed: true });
  });

  it("takes secrets from the environment only: --api-key and --admin-token are refused, a missing one is named", async () => {
    const flag = await devices(["stores", "--api-key", "a-secret-on-the-command-line"], { RELAY_URL: h.url, BRAND_API_KEY: "" });
    expect(flag.code).to.equal(2);
    expect(flag.stderr).to.equal(
      "--api-key is not accepted: a secret on the command line is seen by other users and kept in shell history; set BRAND_API_KEY in the environment or .env\n",
    );
    expect(flag.stdout).to.equal("");
    const admin = await devices(["brands", "--admin-token", "x"], { RELAY_URL: h.url });
    expect([admin.code, admin.stderr.split(";")[0]]).to.deep.equal([2, "--admin-token is not accepted: a secret on the command line is seen by other users and kept in shell history"]);
    const missing = await devices(["brands"], { RELAY_URL: h.url, RELAY_ADMIN_TOKEN: "" });
    expect([missing.code, missing.stderr]).to.deep.equal([2, "devices: set RELAY_ADMIN_TOKEN in the environment or .env\n"]);
    const fromEnv = await devices(["stores"], { RELAY_URL: h.url, BRAND_API_KEY: h.a.apiKey });
    expect(fromEnv.code, fromEnv.stderr).to.equal(0);
    expect(JSON.parse(fromEnv.stdout)).to.have.property("stores");
  });
});
