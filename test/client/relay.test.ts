import { expect } from "chai";
import { ethers } from "ethers";
import { createWalletClient, custom, encodeAbiParameters, getAddress, http, keccak256, toHex, zeroAddress, type Address } from "viem";
import { hardhat } from "viem/chains";
import { privateKeyToAccount } from "viem/accounts";
import {
  createRelayClient,
  customerTypedData,
  getConsents,
  grant,
  labels,
  purposeId,
  RelayConnectionError,
  RelayError,
  RelayResponseError,
  SignatureRejectedError,
  signCustomerMessage,
  UnsupportedSignerError,
  WaitForOperationTimeoutError,
  type CustomerSigner,
  type Operation,
  type RelayClient,
} from "../../client";
import { coalitionPointsAbi, consentLedgerAbi } from "../../client/abis";
import { testDbKinds } from "../support/db";
import { testAccount, testPrivateKey } from "../support/chain";
import { Harness, NOTICE, newCustomer } from "../server/relay-harness";

/** The signers an app may hold, each for a fresh customer (the JSON-RPC ones are two of the node's unlocked accounts). */
function signerKinds(h: Harness, [viemRpc, ethersRpc]: readonly [number, number]): { kind: string; make: () => { signer: CustomerSigner; address: Address } }[] {
  return [
    { kind: "viem local account", make: () => ((a) => ({ signer: a, address: a.address }))(newCustomer()) },
    {
      kind: "viem wallet client with a local account",
      make: () => ((a) => ({ signer: createWalletClient({ account: a, chain: hardhat, transport: http(h.chain.url) }), address: a.address }))(newCustomer()),
    },
    {
      kind: "viem wallet client over the node's JSON-RPC (eth_signTypedData_v4)",
      make: () => ((address) => ({ signer: createWalletClient({ account: address, chain: hardhat, transport: http(h.chain.url) }), address }))(testAccount(viemRpc).address),
    },
    { kind: "ethers Wallet", make: () => ((w) => ({ signer: w, address: w.address as Address }))(ethers.Wallet.createRandom()) },
    {
      kind: "ethers JsonRpcSigner",
      make: () => ((address) => ({ signer: new ethers.JsonRpcSigner(new ethers.JsonRpcProvider(h.chain.url, undefined, { staticNetwork: true }), address), address }))(testAccount(ethersRpc).address),
    },
  ];
}

for (const kind of testDbKinds()) {
  describe(`client: the relay client against a real relay and chain (${kind})`, function () {
    let h: Harness;
    let relay: RelayClient;
    before(async () => {
      h = await Harness.start(kind);
      relay = createRelayClient({ url: h.url, pollingInterval: 20 });
    });
    after(async () => {
      await h?.stop();
    });

    const ledgerView = <F extends "isGranted" | "delegateUntil">(functionName: F, args: readonly unknown[]) =>
      h.chain.client.readContract({ address: h.deployment.ledger, abi: consentLedgerAbi, functionName, args } as never) as Promise<F extends "isGranted" ? boolean : number>;
    const pointsOf = (a: Address) => h.chain.client.readContract({ address: h.deployment.points, abi: coalitionPointsAbi, functionName: "balanceOf", args: [a] });
    const confirmed = async (operationId: string) => {
      const op = await relay.waitForOperation({ operationId, timeout: 30_000 });
      expect([op.status, op.error], operationId).to.deep.equal(["confirmed", undefined]);
      return op;
    };

    describe("signing every customer message with every kind of signer", () => {
      it("signs one message identically with a viem account, a viem wallet client, an ethers wallet and the node's own key", async () => {
        const key = testPrivateKey(14);
        const message = { subject: testAccount(14).address, controller: h.a.address, purpose: purposeId("loyalty"), categories: 5n, expiresAt: 0, noticeHash: NOTICE, nonce: 7n, deadline: 2n ** 40n };
        const sign = (signer: CustomerSigner) => signCustomerMessage({ signer, contracts: h.deployment, primaryType: "Grant", message });
        const signatures = await Promise.all([
          sign(privateKeyToAccount(key)),
          sign(createWalletClient({ account: privateKeyToAccount(key), chain: hardhat, transport: http(h.chain.url) })),
          sign(createWalletClient({ account: testAccount(14).address, chain: hardhat, transport: http(h.chain.url) })),
          sign(new ethers.Wallet(key)),
        ]);
        expect(new Set(signatures).size, signatures.join("\n")).to.equal(1);
        const typed = customerTypedData({ contracts: h.deployment, primaryType: "Grant", message });
        expect(typed.domain).to.deep.equal({ name: "Confiance ConsentLedger", version: "1", chainId: h.deployment.chainId, verifyingContract: h.deployment.ledger });
        expect(customerTypedData({ contracts: h.deployment, primaryType: "Redeem", message: { customer: zeroAddress, brand: zeroAddress, points: 1n, orderRef: NOTICE, nonce: 0n, deadline: 1n } }).domain).to.deep.equal({
          name: "Confiance CoalitionPoints",
          version: "1",
          chainId: h.deployment.chainId,
          verifyingContract: h.deployment.points,
        });
        expect(customerTypedData({ contracts: h.deployment, primaryType: "EraseData", message: { subject: zeroAddress, brand: zeroAddress, deadline: 1n } }).domain).to.deep.equal({
          name: "Confiance Relay",
          version: "2",
          chainId: h.deployment.chainId,
          salt: keccak256(encodeAbiParameters([{ type: "address" }, { type: "address" }], [h.deployment.ledger, h.deployment.points])),
        });
      });

      const KINDS = ["viem local account", "viem wallet client with a local account", "viem wallet client over the node's JSON-RPC (eth_signTypedData_v4)", "ethers Wallet", "ethers JsonRpcSigner"];
      for (const [index, signerKind] of KINDS.entries()) {
        it(`${signerKind}: grant, revoke, revoke-all and redeem land on chain; card link, unlink and erasure are accepted`, async () => {
          const { signer, address } = signerKinds(h, [12, 13])[index]!.make();
          const deadline = h.deadline();
          await h.syncClock();
          const brand = h.a.address;

          const g = await relay.grant({ signer, controller: brand, purpose: "loyalty", categories: ["identity", "purchase-history"], noticeHash: NOTICE, deadline });
          expect([g.operation.kind, g.operation.status, g.operation.duplicate, g.message.subject, g.message.categories]).to.deep.equal(["grant", "queued", false, address, 5n]);
          await confirmed(g.operation.operationId);
          expect(await ledgerView("isGranted", [address, brand, purposeId("loyalty")])).to.equal(true);

          await confirmed((await relay.revoke({ signer, controller: brand, purpose: purposeId("loyalty"), deadline })).operation.operationId);
          expect(await ledgerView("isGranted", [address, brand, purposeId("loyalty")])).to.equal(false);

          await confirmed((await relay.grant({ signer, controller: brand, purpose: "shopping-list", categories: 32n, noticeHash: NOTICE, deadline })).operation.operationId);
          await confirmed((await relay.revokeAll({ signer, controller: brand, deadline })).operation.operationId);
          expect(await ledgerView("isGranted", [address, brand, purposeId("shopping-list")])).to.equal(false);

          // Points issued by brand A directly, redeemed at brand B by the customer's signature.
          const receipt = await h.a.wallet.writeContract({ address: h.deployment.points, abi: coalitionPointsAbi, functionName: "issue", args: [brand, address, 10n, keccak256(toHex(`r-${address}`))] });
          await h.chain.client.waitForTransactionReceipt({ hash: receipt });
          const r = await relay.redeem({ signer, brand: h.b.address, points: 4n, orderRef: keccak256(toHex("order-1")), deadline });
          expect([r.operation.kind, r.message.customer, r.message.points]).to.deep.equal(["redeem", address, 4n]);
          await confirmed(r.operation.operationId);
          expect(await pointsOf(address)).to.equal(6n);

          expect(await relay.linkCard({ signer, brand, cardToken: `CARD-${address}` })).to.include({ linked: true });
          expect(await relay.unlinkCard({ signer, brand, cardToken: `CARD-${address}` })).to.include({ erased: 1 });
          expect(await relay.eraseData({ signer, brand })).to.include({ visits: 0, scans: 0, cards: 0 });
        });
      }

      /** Submits a SetDelegate signed with the client straight to the ledger (setDelegateBySig, sent by governance). */
      async function setDelegateOnChain(signer: CustomerSigner, subject: Address, delegate: Address, until: number, deadline: bigint) {
        const nonce = await h.chain.client.readContract({ address: h.deployment.ledger, abi: consentLedgerAbi, functionName: "delegateNonces", args: [subject] });
        const signature = await signCustomerMessage({ signer, contracts: h.deployment, primaryType: "SetDelegate", message: { subject, delegate, until, nonce, deadline } });
        const hash = await h.chain.wallet(0).writeContract({ address: h.deployment.ledger, abi: consentLedgerAbi, functionName: "setDelegateBySig", args: [subject, delegate, until, deadline, signature] });
        expect((await h.chain.client.waitForTransactionReceipt({ hash })).status).to.equal("success");
      }

      for (const [index, signerKind] of KINDS.entries()) {
        it(`${signerKind}: SetDelegate is accepted on chain, through the relay and submitted by anyone`, async () => {
          const { signer, address } = signerKinds(h, [15, 16])[index]!.make();
          await h.syncClock();
          const deadline = h.deadline();
          const until = Number(deadline) + 86_400;
          const [first, second] = [newCustomer().address, newCustomer().address];
          // Through the relay as the customer's first ledger action (the relay does not yet keep the ledger's
          // separate SetDelegate nonce lane: see the report); then straight to the chain on that lane.
          const s = await relay.setDelegate({ signer, delegate: first, until });
          expect([s.operation.kind, s.message.subject, s.message.nonce]).to.deep.equal(["setDelegate", address, 0n]);
          await confirmed(s.operation.operationId);
          await setDelegateOnChain(signer, address, second, until, deadline);
          expect([await ledgerView("delegateUntil", [address, first]), await ledgerView("delegateUntil", [address, second])]).to.deep.equal([until, until]);
        });
      }

      it("a delegate signs for the customer with `subject`", async () => {
        const subject = newCustomer();
        const delegate = ethers.Wallet.createRandom();
        await h.syncClock();
        const deadline = h.deadline();
        await setDelegateOnChain(subject, subject.address, delegate.address as Address, Number(deadline) + 3600, deadline);
        const g = await relay.grant({ signer: delegate, subject: subject.address, controller: h.a.address, purpose: "loyalty", categories: ["identity"], noticeHash: NOTICE, deadline });
        expect(g.message.subject).to.equal(subject.address);
        await confirmed(g.operation.operationId);
        expect(await ledgerView("isGranted", [subject.address, h.a.address, purposeId("loyalty")])).to.equal(true);
      });

      it("says in words that the wallet declined, and sends nothing", async () => {
        const address = newCustomer().address;
        const refusing = createWalletClient({
          chain: hardhat,
          transport: custom({
            async request({ method }: { method: string }) {
              if (method === "eth_accounts" || method === "eth_requestAccounts") return [address];
              if (method === "eth_signTypedData_v4") throw Object.assign(new Error("User rejected the request."), { code: 4001 });
              throw new Error(`unexpected ${method}`);
            },
          }),
        });
        const ethersRefusing = { getAddress: async () => address, signTypedData: async () => Promise.reject(Object.assign(new Error("user rejected action"), { code: "ACTION_REJECTED" })) };
        const before = await h.count("relay_customer_actions");
        for (const signer of [refusing, ethersRefusing]) {
          const err = await relay.grant({ signer, controller: h.a.address, purpose: "loyalty", categories: 1n, noticeHash: NOTICE }).then(() => undefined, (e: unknown) => e);
          expect(err).to.be.instanceOf(SignatureRejectedError);
          expect((err as SignatureRejectedError).shortMessage).to.equal("the wallet declined to sign the Grant message");
        }
        expect(await h.count("relay_customer_actions")).to.equal(before);
        for (const signer of [{}, { type: "json-rpc", address }, null]) {
          await grant(relay, { signer: signer as never, controller: h.a.address, purpose: "loyalty", categories: 1n, noticeHash: NOTICE }).then(
            () => expect.fail("accepted"),
            (e: unknown) => expect(e).to.be.instanceOf(UnsupportedSignerError),
          );
        }
      });
    });

    describe("errors", () => {
      it("turns the relay's refusals into RelayError with status, code and message", async () => {
        const customer = newCustomer();
        const stale = keccak256(toHex("another notice"));
        const err = (await relay.grant({ signer: customer, controller: h.a.address, purpose: "loyalty", categories: 1n, noticeHash: stale }).catch((e: unknown) => e)) as RelayError;
        expect(err).to.be.instanceOf(RelayError);
        expect([err.name, err.status, err.code, err.method, err.path, err.retryable]).to.deep.equal(["RelayError", 422, "stale_notice", "POST", "/v1/consents/grant", false]);
        expect(err.shortMessage).to.equal(`noticeHash is not the controller's current notice (${NOTICE})`);
        expect(err.message).to.equal(`${err.shortMessage}\n\nDetails: POST /v1/consents/grant answered 422 stale_notice`);
        const missing = (await relay.request({ method: "GET", path: "/v1/nothing" }).catch((e: unknown) => e)) as RelayError;
        expect([missing.status, missing.code, missing.shortMessage]).to.deep.equal([404, "route_not_found", "no route GET /v1/nothing"]);
        const badId = (await relay.getOperation({ operationId: "00000000-0000-0000-0000-000000000000" }).catch((e: unknown) => e)) as RelayError;
        expect([badId.status, badId.code]).to.deep.equal([404, "operation_not_found"]);
      });

      it("tells a proxy's error page, an answer that is not JSON and no answer at all apart", async () => {
        const proxied = createRelayClient({ url: h.url, fetch: async () => new Response("<html>Bad gateway</html>", { status: 502, headers: { "content-type": "text/html" } }) });
        const e502 = (await proxied.getConfig().catch((e: unknown) => e)) as RelayError;
        expect([e502.constructor, e502.status, e502.code, e502.shortMessage, e502.retryable]).to.deep.equal([RelayError, 502, "http_502", "<html>Bad gateway</html>", true]);
        const html = createRelayClient({ url: h.url, fetch: async () => new Response("<html>", { status: 200 }) });
        expect(await html.getBrands().catch((e: unknown) => e)).to.be.instanceOf(RelayResponseError);
        const down = createRelayClient({ url: "http://127.0.0.1:1/" });
        const e = (await down.getConfig().catch((x: unknown) => x)) as RelayConnectionError;
        expect([e.constructor, e.url, e.retryable, e.cause instanceof Error]).to.deep.equal([RelayConnectionError, "http://127.0.0.1:1", true, true]);
        const aborted = new AbortController();
        aborted.abort(new Error("page closed"));
        expect(((await relay.getBrands({ signal: aborted.signal }).catch((x: unknown) => x)) as Error).message).to.equal("page closed");
      });
    });

    describe("waitForOperation", () => {
      /** Runs `fn` with the chain mining only when told to. */
      async function manualMining<T>(fn: () => Promise<T>): Promise<T> {
        await h.chain.setAutomine(false);
        try {
          return await fn();
        } finally {
          await h.chain.setAutomine(true);
          await h.chain.mine();
        }
      }

      it("follows an operation from submitted, with its transaction, to confirmed in a block", async () => {
        const customer = newCustomer();
        await h.syncClock();
        await manualMining(async () => {
          const { operation } = await relay.grant({ signer: customer, controller: h.a.address, purpose: "loyalty", categories: 1n, noticeHash: NOTICE, deadline: h.deadline() });
          const seen: Operation[] = [];
          const submitted = await relay.waitForOperation({ operationId: operation.operationId, until: "submitted", onStatus: (o) => seen.push(o) });
          expect(submitted.status).to.equal("submitted");
          expect(submitted.txHash).to.match(/^0x[0-9a-f]{64}$/);
          expect(["queued,submitted", "submitted"]).to.include(seen.map((o) => o.status).join(","));

          const late = await relay.waitForOperation({ operationId: operation.operationId, timeout: 150 }).catch((e: unknown) => e);
          expect(late).to.be.instanceOf(WaitForOperationTimeoutError).and.to.include({ operationId: operation.operationId, lastStatus: "submitted" });
          const abort = new AbortController();
          setTimeout(() => abort.abort(new Error("left the page")), 60);
          expect(((await relay.waitForOperation({ operationId: operation.operationId, signal: abort.signal }).catch((e: unknown) => e)) as Error).message).to.equal("left the page");

          const following = relay.waitForOperation({ operationId: operation.operationId, onStatus: (o) => seen.push(o) });
          await h.chain.mine();
          const done = await following;
          const receipt = await h.chain.client.getTransactionReceipt({ hash: submitted.txHash! });
          expect([done.status, done.txHash, done.blockNumber]).to.deep.equal(["confirmed", submitted.txHash, Number(receipt.blockNumber)]);
          expect(seen.slice(-2).map((o) => o.status)).to.deep.equal(["submitted", "confirmed"]);
        });
      });

      it("ends with the failure and the contract's reason when the chain refuses the action", async () => {
        const customer = newCustomer();
        await h.syncClock();
        await manualMining(async () => {
          // Accepted while its deadline is ahead; mined in a block after it.
          const { operation } = await relay.grant({ signer: customer, controller: h.a.address, purpose: "loyalty", categories: 1n, noticeHash: NOTICE, deadline: h.deadline(30) });
          await relay.waitForOperation({ operationId: operation.operationId, until: "submitted" });
          await h.chain.increaseTime(120);
          const failed = await relay.waitForOperation({ operationId: operation.operationId });
          expect([failed.status, failed.error?.code]).to.deep.equal(["failed", "ExpiredSignature"]);
          expect(failed.txHash).to.match(/^0x[0-9a-f]{64}$/);
          expect(failed.error?.message).to.match(/^ExpiredSignature\(/);
        });
      });
    });

    describe("reads", () => {
      it("reads the customer's nonces, consents with names, points and history", async () => {
        const customer = newCustomer();
        await h.consent(customer, h.a.address, ["loyalty"]);
        const n = await relay.getNonces({ address: customer.address });
        expect([n.ledger, n.points]).to.deep.equal([1n, 0n]);
        expect(Number(n.now)).to.be.at.least(Math.floor(Date.now() / 1000) - 1);
        const { subject, consents, pending } = await getConsents(relay, { address: customer.address });
        expect(subject).to.equal(customer.address.toLowerCase());
        expect(pending).to.deep.equal([]);
        expect(consents).to.have.length(1);
        expect(consents[0]).to.deep.include({ controller: h.a.address, purpose: purposeId("loyalty"), purposeName: "loyalty", categories: 5n, categoryNames: ["identity", "purchase-history"], active: true, pendingRevocation: false, noticeHash: NOTICE });
        const { operation } = await relay.revoke({ signer: customer, controller: h.a.address, purpose: "loyalty", deadline: h.deadline() });
        const whilePending = await relay.getConsents({ address: customer.address });
        expect(whilePending.consents[0]).to.include({ active: false, pendingRevocation: true });
        expect(whilePending.pending).to.deep.equal([{ operationId: operation.operationId, kind: "revoke", status: whilePending.pending[0]!.status, controller: h.a.address, purpose: purposeId("loyalty"), purposeName: "loyalty" }]);
        await confirmed(operation.operationId);
        await h.indexed();

        const hash = await h.a.wallet.writeContract({ address: h.deployment.points, abi: coalitionPointsAbi, functionName: "issue", args: [h.a.address, customer.address, 25n, keccak256(toHex(`p-${customer.address}`))] });
        const mined = await h.chain.client.waitForTransactionReceipt({ hash });
        await h.indexed();
        const points = await relay.getPoints({ address: customer.address });
        expect([points.customer, points.balance, points.lifetimeEarned]).to.deep.equal([customer.address.toLowerCase(), 25n, 25n]);
        expect(points.history).to.deep.equal([
          {
            kind: "issued",
            brand: h.a.address,
            points: 25n,
            ref: keccak256(toHex(`p-${customer.address}`)),
            timestamp: points.history[0]!.timestamp,
            blockNumber: Number(mined.blockNumber),
            txHash: hash,
            pending: false,
            dueAt: null,
            reason: null,
            campaign: null,
          },
        ]);
        expect([points.tier, points.tiers, points.expiresAt, points.pending]).to.deep.equal([0, [], null, 0n]);
        expect(await relay.quote({ brand: h.a.address, amount: "10.5", items: [{ productCode: "TEA", amount: "1" }] })).to.deep.equal({
          points: 21n,
          issuances: [{ reason: "purchase", campaign: null, points: 21n }],
          returnWindowSeconds: 0,
        });
        const { entries, nextAfter } = await relay.getHistory({ address: customer.address });
        expect(nextAfter).to.equal(null);
        expect(entries.map((e) => [e.type, e.action, e.purposeName, e.categories, e.categoryNames, e.amount])).to.deep.equal([
          ["consent", "grant", "loyalty", 5n, ["identity", "purchase-history"], null],
          ["consent", "revoke", "loyalty", 0n, [], null],
          ["points", "issued", null, null, null, 25n],
        ]);
        const page = await relay.getHistory({ address: customer.address, limit: 2 });
        expect(page.entries).to.have.length(2);
        expect((await relay.getHistory({ address: customer.address, after: page.nextAfter! })).entries).to.deep.equal(entries.slice(2));
      });
    });

    describe("discovery", () => {
      it("GET /v1/config: the client reads the chain, contracts, domains and backing with their types", async () => {
        const d = h.deployment;
        const [ledger, points] = [getAddress(d.ledger), getAddress(d.points)];
        const r = await h.http("GET", "/v1/config");
        expect(await relay.getConfig()).to.deep.equal({
          chainId: 31337,
          rpcUrl: h.chain.url,
          ledger,
          points,
          deployBlock: d.deployBlock,
          unitValue: 10_000n,
          settlementAsset: { address: getAddress(d.settlement), symbol: "mUSD", decimals: 6 },
          domains: {
            ledger: { name: "Confiance ConsentLedger", version: "1", chainId: 31337, verifyingContract: ledger },
            points: { name: "Confiance CoalitionPoints", version: "1", chainId: 31337, verifyingContract: points },
            relay: { name: "Confiance Relay", version: "2", chainId: 31337, salt: keccak256(encodeAbiParameters([{ type: "address" }, { type: "address" }], [ledger, points])) },
          },
        });
        expect(r.body).to.deep.equal({ ...(await relay.getConfig()), unitValue: "10000" });
      });

      it("GET /v1/brands answers each brand with its purposes: names, categories, texts and current notice", async () => {
        const texts = { en: { title: "Tasting club", description: "Invitations to tastings." }, fr: { title: "Club dégustation", description: "Invitations aux dégustations." } };
        const set = (body: unknown) => h.http("POST", "/v1/brand/purposes", { auth: h.a.apiKey, body });
        const loyalty = await set({ name: "loyalty", categories: ["identity", "purchase-history"] });
        expect([loyalty.status, loyalty.body.categories, loyalty.body.categoryNames]).to.deep.equal([200, "5", ["identity", "purchase-history"]]);
        expect((await set({ name: "tasting-club", categories: "1125899906842656", texts })).status).to.equal(200);
        await h.indexed();

        const known = (name: string) => ({ en: labels.en.purposes[name], fr: labels.fr.purposes[name] });
        const notice = (name: string) => ({ hash: NOTICE, uri: `https://brand.example/${name}`, version: 1 });
        const onChainOnly = (name: string) => ({ id: purposeId(name), name, categories: "0", categoryNames: [], texts: known(name), notice: notice(name), maxValiditySeconds: null, reward: null });
        const expected = {
          brands: [
            {
              address: h.a.address,
              name: "Brand a",
              earningRule: { pointsPerUnit: "2" },
              acceptsRedemptions: true,
              purposes: [
                onChainOnly("in-store-recognition"),
                { id: purposeId("loyalty"), name: "loyalty", categories: "5", categoryNames: ["identity", "purchase-history"], texts: known("loyalty"), notice: notice("loyalty"), maxValiditySeconds: null, reward: null },
                onChainOnly("shopping-list"),
                { id: purposeId("tasting-club"), name: "tasting-club", categories: "1125899906842656", categoryNames: ["preferences", "bit-50"], texts, notice: null, maxValiditySeconds: null, reward: null },
              ],
            },
            {
              address: h.b.address,
              name: "Brand b",
              earningRule: { pointsPerUnit: "2" },
              acceptsRedemptions: true,
              purposes: ["in-store-recognition", "loyalty", "shopping-list"].map(onChainOnly),
            },
          ],
        };
        const r = await h.http("GET", "/v1/brands");
        expect([r.status, r.body]).to.deep.equal([200, expected]);
        const brands = await relay.getBrands();
        expect(brands[0]!.purposes[1]).to.deep.equal({ ...expected.brands[0]!.purposes[1], categories: 5n });

        // As acceptsRedemptions(brand) on chain: a brand may refuse them; a suspended brand takes none.
        const b = h.b.wallet;
        const accepting = async (accepted: boolean) => {
          await h.chain.client.waitForTransactionReceipt({ hash: await b.writeContract({ address: h.deployment.points, abi: coalitionPointsAbi, functionName: "setAcceptsRedemptions", args: [accepted] }) });
          await h.indexed();
          return (await relay.getBrands()).map((x) => x.acceptsRedemptions);
        };
        expect(await accepting(false)).to.deep.equal([true, false]);
        expect(await accepting(true)).to.deep.equal([true, true]);
        const gov = h.chain.wallet(0);
        await h.chain.client.waitForTransactionReceipt({ hash: await gov.writeContract({ address: h.deployment.points, abi: coalitionPointsAbi, functionName: "suspendBrand", args: [h.b.address] }) });
        await h.indexed();
        expect((await relay.getBrands()).map((b) => b.acceptsRedemptions)).to.deep.equal([true, false]);
        await h.chain.client.waitForTransactionReceipt({ hash: await gov.writeContract({ address: h.deployment.points, abi: coalitionPointsAbi, functionName: "admitBrand", args: [h.b.address] }) });
        await h.indexed();
      });

      it("lets a brand describe, replace and remove its purposes, refusing bad input with its own code", async () => {
        const auth = h.b.apiKey;
        const set = (body: unknown) => h.http("POST", "/v1/brand/purposes", { auth, body });
        const custom = `0x${"ab".repeat(32)}`;
        expect((await set({ name: "club", id: custom, categories: ["contact"] })).body).to.deep.include({ id: custom, name: "club", categories: "2", categoryNames: ["contact"], texts: {} });
        expect((await set({ name: "club", id: custom, categories: "1" })).body).to.deep.include({ categories: "1", categoryNames: ["identity"] });
        const cases: [unknown, number, string][] = [
          [{ name: "Club", categories: ["contact"] }, 400, "invalid_purpose_name"],
          [{ name: "club", categories: [] }, 400, "invalid_categories"],
          [{ name: "club", categories: ["contacts"] }, 400, "invalid_categories"],
          [{ name: "club", categories: "18446744073709551616" }, 400, "invalid_categories"],
          [{ name: "club", id: `0x${"00".repeat(32)}`, categories: "1" }, 400, "invalid_bytes32"],
          [{ name: "club", categories: "1", texts: { english: { title: "x", description: "y" } } }, 400, "invalid_texts"],
          [{ name: "club", categories: "1", texts: { en: { title: "", description: "y" } } }, 400, "invalid_texts"],
          [{ name: "club", categories: "1", extra: true }, 400, "invalid_request"],
          [{ name: "club", categories: "1" }, 409, "purpose_name_taken"],
        ];
        for (const [body, status, code] of cases) {
          const r = await set(body);
          expect([r.status, r.body.error?.code], JSON.stringify(body)).to.deep.equal([status, code]);
        }
        expect((await h.http("GET", "/v1/brand/purposes", { auth })).body.purposes.map((p: { name: string }) => p.name)).to.deep.equal(["club"]);
        expect((await h.http("DELETE", "/v1/brand/purposes/club", { auth })).body).to.deep.equal({ removed: true });
        const gone = await h.http("DELETE", "/v1/brand/purposes/club", { auth });
        expect([gone.status, gone.body.error.code]).to.deep.equal([404, "purpose_not_found"]);
        const brandC = await h.onboard(7, 2, { purposes: ["loyalty", "club"] });
        const registered = await h.http("POST", "/v1/admin/brands", {
          auth: "admin-token-for-tests-0123456789",
          body: { address: brandC, name: "Brand c", pointsPerUnit: "1", operator: testAccount(2).address, purposes: [{ name: "loyalty", categories: ["identity"] }, { name: "club", categories: "2" }] },
        });
        expect(registered.status, JSON.stringify(registered.body)).to.equal(201);
        expect((await h.http("GET", "/v1/brand/purposes", { auth: registered.body.apiKey })).body.purposes.map((p: { name: string; categories: string }) => [p.name, p.categories])).to.deep.equal([
          ["club", "2"],
          ["loyalty", "1"],
        ]);
      });
    });
  });
}

