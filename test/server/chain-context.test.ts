import { expect } from "chai";
import { getAddress, zeroAddress } from "viem";
import { loadConfig } from "../../server/config";
import { ChainMismatchError, connectChain } from "../../server/chain/context";
import { deployConfiance } from "../../scripts/lib/deploy";
import { LocalChain, testAccount } from "../support/chain";

describe("connectChain", () => {
  let chain: LocalChain;
  before(async () => {
    chain = await LocalChain.start();
  });
  after(async () => {
    await chain?.stop();
  });

  it("takes the addresses from the environment and reads the settlement asset and unit value from the chain", async () => {
    const d = await deployConfiance({ wallet: chain.wallet(0), client: chain.client, unitValue: 12_345n });
    const ctx = await connectChain(
      loadConfig({ RPC_URL: chain.url, LEDGER_ADDRESS: d.ledger, POINTS_ADDRESS: d.points.toLowerCase(), DEPLOY_BLOCK: "7", CHAIN_ID: "31337" }),
    );
    expect(ctx.chainId).to.equal(31337);
    expect(ctx.deployment).to.deep.equal({
      chainId: 31337,
      ledger: d.ledger,
      points: getAddress(d.points),
      settlement: d.settlement,
      deployBlock: 7,
      unitValue: "12345",
      governance: zeroAddress,
    });
  });

  it("refuses another chain id, and addresses without the contracts", async () => {
    const d = await deployConfiance({ wallet: chain.wallet(0), client: chain.client });
    const base = { RPC_URL: chain.url, LEDGER_ADDRESS: d.ledger, POINTS_ADDRESS: d.points };
    await expectMismatch(loadConfig({ ...base, CHAIN_ID: "1" }), /CHAIN_ID is 1/);
    await expectMismatch(loadConfig({ ...base, POINTS_ADDRESS: testAccount(9).address }), /cannot read CoalitionPoints/);
    await expectMismatch(loadConfig({ ...base, LEDGER_ADDRESS: testAccount(9).address }), /no ledger contract/);
  });
});

async function expectMismatch(config: ReturnType<typeof loadConfig>, pattern: RegExp): Promise<void> {
  try {
    await connectChain(config);
  } catch (err) {
    expect(err).to.be.instanceOf(ChainMismatchError);
    expect((err as Error).message).to.match(pattern);
    return;
  }
  expect.fail("expected a ChainMismatchError");
}
