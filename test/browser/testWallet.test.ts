import { expect } from "chai";
import { parseEther, recoverMessageAddress, toHex, type Hex } from "viem";
import { newCustomer } from "../server/relay-harness";
import { browserSuite, type AppPage } from "./support/browser";

/** An EIP-1193 request from the page, as the app's code makes it: the result, or the error's code. */
function request(app: AppPage, method: string, params: unknown[]): Promise<{ result?: unknown; code?: number }> {
  return app.page.evaluate(
    ([method, params]) =>
      (window as unknown as { ethereum: { request(a: unknown): Promise<unknown> } }).ethereum.request({ method, params }).then(
        (result) => ({ result }),
        (err: { code: number }) => ({ code: err.code }),
      ),
    [method, params] as const,
  );
}

/** The harness's own wallet, used by later suites (the brand console's deposit), checked once here. */
describe("Browser: the test wallet", function () {
  this.timeout(120_000);
  const app = browserSuite();

  it("sends a transaction signed by its account to the chain, and refuses it when told to", async () => {
    const page = await app.open("/");
    const { chain } = app.harness;
    await chain.rpc("hardhat_setBalance", [page.wallet.address, toHex(parseEther("1"))]);
    expect((await request(page, "eth_requestAccounts", [])).result).to.deep.equal([page.wallet.address]);
    const to = newCustomer().address;
    const sent = await request(page, "eth_sendTransaction", [{ from: page.wallet.address, to, value: toHex(12345n) }]);
    const receipt = await chain.client.waitForTransactionReceipt({ hash: sent.result as Hex });
    expect(receipt.status).to.equal("success");
    expect(receipt.from.toLowerCase()).to.equal(page.wallet.address.toLowerCase());
    expect(await chain.client.getBalance({ address: to })).to.equal(12345n);
    page.wallet.refuse("send");
    expect(await request(page, "eth_sendTransaction", [{ from: page.wallet.address, to, value: toHex(1n) }])).to.deep.equal({ code: 4001 });
    expect(await chain.client.getBalance({ address: to })).to.equal(12345n);
  });

  it("signs personal messages with its account, and answers 4100 before it is connected", async () => {
    const page = await app.open("/");
    const message = toHex("hello Confiance");
    expect(await request(page, "personal_sign", [message, page.wallet.address])).to.deep.equal({ code: 4100 });
    await request(page, "eth_requestAccounts", []);
    const signature = (await request(page, "personal_sign", [message, page.wallet.address])).result as Hex;
    expect(await recoverMessageAddress({ message: { raw: message }, signature })).to.equal(page.wallet.address);
  });
});
