import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { expect } from "chai";
import { encryptKeystoreJson } from "ethers";
import { privateKeyToAccount } from "viem/accounts";
import { loadSigners, signersFromKeys, SignerConfigError } from "../../server/chain/signers";
import { testPrivateKey } from "../support/chain";

describe("relay signer keys", () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "confiance-keys-"));
  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  const [k1, k2] = [testPrivateKey(2), testPrivateKey(3)];
  const [a1, a2] = [privateKeyToAccount(k1).address, privateKeyToAccount(k2).address];

  async function keystore(key: `0x${string}`, password: string): Promise<unknown> {
    const json = await encryptKeystoreJson({ address: privateKeyToAccount(key).address, privateKey: key }, password, { scrypt: { N: 1 << 10 } });
    return JSON.parse(json);
  }

  async function rejection(p: Promise<unknown>): Promise<Error> {
    try {
      await p;
    } catch (err) {
      return err as Error;
    }
    throw new Error("expected a rejection");
  }

  it("loads SIGNER_KEYS in order, the first being the default, and finds the key of a signer address", async () => {
    const s = await loadSigners({ SIGNER_KEYS: [k1, k2] });
    expect(s.addresses).to.deep.equal([a1, a2]);
    expect(s.defaultAccount.address).to.equal(a1);
    expect(s.forSigner(undefined)?.address).to.equal(a1);
    expect(s.forSigner(a2.toLowerCase())?.address).to.equal(a2);
    expect(s.forSigner("0x" + "00".repeat(20))).to.equal(undefined);
  });

  it("decrypts a keystore file holding one key or an array of keys", async () => {
    const one = path.join(dir, "one.json");
    fs.writeFileSync(one, JSON.stringify(await keystore(k1, "pw-1")));
    expect((await loadSigners({ KEYSTORE_FILE: one, KEYSTORE_PASSWORD: "pw-1" })).addresses).to.deep.equal([a1]);
    const many = path.join(dir, "many.json");
    fs.writeFileSync(many, JSON.stringify([await keystore(k2, "pw-2"), await keystore(k1, "pw-2")]));
    expect((await loadSigners({ KEYSTORE_FILE: many, KEYSTORE_PASSWORD: "pw-2" })).addresses).to.deep.equal([a2, a1]);
  });

  it("refuses a wrong password, a missing password, no key at all and a key given twice, without showing keys", async () => {
    const one = path.join(dir, "wrong.json");
    fs.writeFileSync(one, JSON.stringify(await keystore(k1, "right")));
    const wrong = await rejection(loadSigners({ KEYSTORE_FILE: one, KEYSTORE_PASSWORD: "wrong" }));
    expect(wrong).to.be.instanceOf(SignerConfigError);
    expect(wrong.message).to.match(/^keystore entry 0 cannot be decrypted/);
    const missing = await rejection(loadSigners({ KEYSTORE_FILE: one }));
    expect(missing.message).to.equal("KEYSTORE_FILE is set but KEYSTORE_PASSWORD is not");
    const none = await rejection(loadSigners({}));
    expect(none.message).to.equal("no signer key configured: set SIGNER_KEYS or KEYSTORE_FILE");
    expect(() => signersFromKeys([k1, k1])).to.throw(SignerConfigError, `signer ${a1} is configured twice`);
    for (const err of [wrong, missing, none]) expect(err.message).to.not.include(k1.slice(2));
  });
});
