import { expect } from "chai";
import pino from "pino";
import { Registry } from "prom-client";
import { concat, createPublicClient, http as httpTransport, keccak256, toFunctionSelector, toHex, type Address, type Hex } from "viem";
import type { PrivateKeyAccount } from "viem/accounts";
import { signCustomerMessage } from "../../client";
import { purposeId } from "../../client/purposes";
import { createRelay, type Relay } from "../../server/relay";
import { chainHead, setChainTimeCache } from "../../server/chain/clock";
import { countingProxy } from "../support/rpcProxy";
import { createTierReader } from "../../server/devices/tierReader";
import { coalitionPointsAbi } from "../../client/abis";
import { testDbKinds } from "../support/db";
import { Harness, newCustomer, NOTICE } from "./relay-harness";

const PURPOSE_OF = toFunctionSelector("purposeOf(address,bytes32)");
const IS_VALID_SIGNATURE = "0x1626ba7e";
/** Init code of a "contract wallet" whose isValidSignature accepts anything (returns the ERC-1271 magic value). */
const YES_WALLET: Hex = "0x6010600c60003960106000f3631626ba7e60e01b60005260206000f3";
const SLOW_MS = 3_000;
const TIMEOUT_MS = 300;

/**
 * Issue 12, "cache chain time and purpose notices per block" and the ERC-1271 time cap: a second relay
 * instance (same database) reaches the real local chain through a counting, optionally slow, JSON-RPC
 * proxy, so what it asks the chain is counted, not mocked.
 */
for (const kind of testDbKinds()) {
  describe(`relay chain reads: per-block caches and the ERC-1271 time cap (${kind})`, function () {
    let h: Harness;
    let proxy: Awaited<ReturnType<typeof countingProxy>>;
    let relay: Relay;
    let url: string;
    let client: ReturnType<typeof createPublicClient>;
    let slow = false;

    before(async () => {
      h = await Harness.start(kind);
      proxy = await countingProxy(h.chain.url, {
        delayMs: (m) => (slow && m.method === "eth_call" && String((m.params?.[0] as { data?: string })?.data).startsWith(IS_VALID_SIGNATURE) ? SLOW_MS : 0),
      });
      client = createPublicClient({ transport: httpTransport(proxy.url) });
      relay = await createRelay(
        {
          config: { ...h.config, CHAIN_CACHE_MS: 60_000, ERC1271_TIMEOUT_MS: TIMEOUT_MS },
          db: h.t.db,
          chain: { client: client as never, chainId: h.deployment.chainId, deployment: h.deployment, rpcUrl: proxy.url },
          logger: pino({ level: "silent" }),
          registry: new Registry(),
        },
        { submitter: false, indexer: false },
      );
      url = await relay.listen(0, "127.0.0.1");
    });
    after(async () => {
      setChainTimeCache(h?.config.CHAIN_CACHE_MS ?? 1000);
      await relay?.stop();
      await proxy?.close();
      await h?.stop();
    });

    async function grantBody(subject: Address, signer: PrivateKeyAccount | undefined, purpose = "loyalty") {
      const message = { subject, controller: h.a.address, purpose: purposeId(purpose), categories: 5n, expiresAt: 0, noticeHash: NOTICE, nonce: 0n, deadline: h.deadline() };
      const signature = signer
        ? await signCustomerMessage({ signer, contracts: h.deployment, primaryType: "Grant", message })
        : concat([keccak256(toHex(`junk r ${Math.random()}`)), keccak256(toHex("junk s")).replace(/^0x./, "0x1") as Hex, "0x1b"]);
      return { ...message, purpose, categories: "5", nonce: "0", deadline: message.deadline.toString(), signature };
    }

    async function post(path: string, body: unknown): Promise<{ status: number; body: any; ms: number }> {
      const started = Date.now();
      const res = await fetch(`${url}${path}`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body) });
      return { status: res.status, body: await res.json(), ms: Date.now() - started };
    }

    it("reads a purpose's notice once per block: more grants in the same block ask the chain nothing more", async () => {
      await chainHead(client as never, { fresh: true });
      const blocks = proxy.calls("eth_getBlockByNumber");
      const before = proxy.callsTo(PURPOSE_OF);
      // A junk signature (refused) and three grants of one purpose in one block: one read of its notice.
      const first = await post("/v1/consents/grant", await grantBody(newCustomer().address, undefined));
      expect([first.status, first.body.error.code]).to.deep.equal([401, "invalid_customer_signature"]);

      const customers = [newCustomer(), newCustomer(), newCustomer()];
      const answers = [];
      for (const c of customers) answers.push(await post("/v1/consents/grant", await grantBody(c.address, c)));
      expect(answers.map((a) => a.status)).to.deep.equal([202, 202, 202]);
      expect(proxy.callsTo(PURPOSE_OF) - before).to.equal(1);
      // Concurrent grants of another purpose share one read.
      const more = [newCustomer(), newCustomer(), newCustomer()];
      const concurrent = await Promise.all(more.map(async (c) => post("/v1/consents/grant", await grantBody(c.address, c, "shopping-list"))));
      expect(concurrent.map((a) => a.status)).to.deep.equal([202, 202, 202]);
      expect(proxy.callsTo(PURPOSE_OF) - before).to.equal(2);
      // Chain time came from the same cached block: no block read for any of them.
      expect(proxy.calls("eth_getBlockByNumber")).to.equal(blocks);

      // A new block: the notice is read again, once.
      await h.chain.client.request({ method: "evm_mine" as never, params: [] as never });
      await chainHead(client as never, { fresh: true });
      const next = newCustomer();
      expect((await post("/v1/consents/grant", await grantBody(next.address, next))).status).to.equal(202);
      const again = newCustomer();
      expect((await post("/v1/consents/grant", await grantBody(again.address, again))).status).to.equal(202);
      expect(proxy.callsTo(PURPOSE_OF) - before).to.equal(3);
    });

    it("reads a customer's tier for the staff screen once per TTL, however many recognitions ask at once", async () => {
      const TIERS = toFunctionSelector("tiers()");
      const TIER_OF = toFunctionSelector("tierOf(address)");
      const gov = h.chain.wallet(0);
      const setTiers = async (t: bigint[]) => h.chain.client.waitForTransactionReceipt({ hash: await gov.writeContract({ address: h.deployment.points, abi: coalitionPointsAbi, functionName: "setTiers", args: [t] }) });
      // A clock moved by hand: how long the reads below take (a slow machine) cannot expire what they keep.
      let clock = 1_000_000;
      const tierOf = createTierReader(client as never, h.deployment.points, 400, () => clock);
      const [ann, bea] = [newCustomer().address, newCustomer().address];
      const before = { tiers: proxy.callsTo(TIERS), tierOf: proxy.callsTo(TIER_OF) };
      const counts = () => ({ tiers: proxy.callsTo(TIERS) - before.tiers, tierOf: proxy.callsTo(TIER_OF) - before.tierOf });
      try {
        // No tiers defined: null, and no tierOf call at all.
        expect(await Promise.all([tierOf(ann), tierOf(bea)])).to.deep.equal([null, null]);
        expect(counts()).to.deep.equal({ tiers: 1, tierOf: 0 });
        await setTiers([1n, 1000n]);
        clock += 401;
        // Ten recognitions of two customers at once: the thresholds once, each customer's tier once.
        expect(await Promise.all([...Array(5)].flatMap(() => [tierOf(ann), tierOf(bea)]))).to.deep.equal(Array(10).fill(0));
        expect(await tierOf(ann)).to.equal(0);
        expect(counts()).to.deep.equal({ tiers: 2, tierOf: 2 });
        // Still within the TTL: nothing is read; past it the chain is asked again.
        clock += 400;
        expect(await tierOf(ann)).to.equal(0);
        expect(counts()).to.deep.equal({ tiers: 2, tierOf: 2 });
        clock += 1;
        expect(await tierOf(ann)).to.equal(0);
        expect(counts()).to.deep.equal({ tiers: 3, tierOf: 3 });
      } finally {
        await setTiers([]);
      }
    });

    it("refuses a malleable (high s) signature before any RPC call", async () => {
      const c = newCustomer();
      const body = await grantBody(c.address, c);
      const sig = body.signature as Hex;
      const n = 0xfffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141n;
      const s = BigInt(`0x${sig.slice(66, 130)}`);
      const high = concat([sig.slice(0, 66) as Hex, toHex(n - s, { size: 32 }), sig[131] === "b" ? "0x1c" : "0x1b"]);
      await chainHead(client as never, { fresh: true });
      const before = proxy.total();
      const r = await post("/v1/consents/grant", { ...body, signature: high });
      expect([r.status, r.body.error.code]).to.deep.equal([400, "malleable_signature"]);
      expect(proxy.total() - before).to.equal(0);
    });

    it("refuses a contract wallet whose isValidSignature does not answer within ERC1271_TIMEOUT_MS", async () => {
      const hash = await h.chain.wallet(0).sendTransaction({ data: YES_WALLET });
      const wallet = (await h.chain.client.waitForTransactionReceipt({ hash })).contractAddress!;
      // Answered in time, this wallet accepts any signature: the grant is queued.
      const quick = await post("/v1/consents/grant", await grantBody(wallet, undefined));
      expect(quick.status, JSON.stringify(quick.body)).to.equal(202);
      // The provider now takes 3 s over each isValidSignature: refused at the time cap, nothing queued.
      slow = true;
      try {
        const before = await h.count("operations");
        const calls = proxy.callsTo(IS_VALID_SIGNATURE);
        const hold = await post("/v1/consents/grant", { ...(await grantBody(wallet, undefined, "shopping-list")) });
        expect([hold.status, hold.body.error.code]).to.deep.equal([401, "invalid_customer_signature"]);
        expect(proxy.callsTo(IS_VALID_SIGNATURE) - calls).to.equal(1);
        expect(hold.ms).to.be.at.least(TIMEOUT_MS - 20);
        expect(hold.ms).to.be.below(SLOW_MS);
        expect(await h.count("operations")).to.equal(before);
      } finally {
        slow = false;
      }
    });
  });
}
