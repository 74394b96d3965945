import { expect } from "chai";
import { keccak256, toHex, UserRejectedRequestError, type Hex } from "viem";
import { consentLedgerAbi } from "../../client/abis";
import type { PrivateKeyAccount } from "viem/accounts";
import { ledgerDomain, ledgerTypes } from "../../client/typedData";
import { purposeId } from "../../client/purposes";
import { actionFailure, isWalletRefusal, runSignedAction, WALLET_REFUSED, type ActionState } from "../../web/common/actions/signedAction";
import { RelayConnectionError, RelayError } from "../../client/errors/relay";
import type { RelayOperation } from "../../web/common/actions/signedAction";
import { Harness, NOTICE, newCustomer } from "../server/relay-harness";

describe("web: a signed action's life", function () {
  describe("the failure an error stands for", () => {
    it("is wallet_refused for an EIP-1193 4001, raw or wrapped by viem", () => {
      expect(isWalletRefusal({ code: 4001, message: "User rejected the request." })).to.equal(true);
      expect(isWalletRefusal(new UserRejectedRequestError(new Error("no")))).to.equal(true);
      expect(isWalletRefusal(new Error("outer", { cause: new Error("middle", { cause: { code: 4001 } }) }))).to.equal(true);
      expect(actionFailure({ code: 4001 }).code).to.equal(WALLET_REFUSED);
    });
    it("is not a refusal for other wallet errors", () => {
      expect(isWalletRefusal({ code: 4100 })).to.equal(false);
      expect(isWalletRefusal(new Error("4001"))).to.equal(false);
      expect(actionFailure({ code: -32603, message: "Internal error" })).to.deep.equal({ code: "unexpected", message: "Internal error" });
    });
    it("carries the relay's code and message, and says when the relay is unreachable", () => {
      expect(actionFailure(new RelayError({ status: 422, code: "stale_notice", message: "noticeHash is not current", method: "POST", path: "/v1/consents/grant" }))).to.deep.equal({ code: "stale_notice", message: "noticeHash is not current" });
      expect(actionFailure(new RelayConnectionError({ url: "http://127.0.0.1:1", cause: new TypeError("Failed to fetch") })).code).to.equal("relay_unreachable");
    });
  });

  describe("against a real relay and chain", function () {
    let h: Harness;
    before(async () => {
      h = await Harness.start("pglite");
    });
    after(async () => {
      await h?.stop();
    });

    /** The steps of a grant of `purpose` to brand A, as the app builds them, posted to the harness's relay. */
    function grantSteps(customer: PrivateKeyAccount, sign?: () => Promise<Hex>) {
      let posted = 0;
      return {
        get posted() {
          return posted;
        },
        steps: {
          sign: async () => {
            const { ledger } = await h.nonces(customer.address);
            const message = { subject: customer.address, controller: h.a.address, purpose: purposeId("loyalty"), categories: 5n, expiresAt: 0, noticeHash: NOTICE, nonce: ledger, deadline: h.deadline() };
            const signature = sign
              ? await sign()
              : await customer.signTypedData({ domain: ledgerDomain(h.deployment.chainId, h.deployment.ledger), types: ledgerTypes, primaryType: "Grant", message });
            return { ...message, purpose: "loyalty", categories: "5", nonce: message.nonce.toString(), deadline: message.deadline.toString(), signature };
          },
          submit: async (body: unknown) => {
            posted++;
            const r = await h.http("POST", "/v1/consents/grant", { body });
            if (r.status !== 202) throw new RelayError({ status: r.status, code: r.body.error.code, message: r.body.error.message, method: "POST", path: "/v1" });
            return r.body.operationId as string;
          },
        },
      };
    }

    const getOperation = async (id: string) => (await h.http("GET", `/v1/operations/${id}`)).body as RelayOperation;

    it("goes signing -> signed -> queued -> (submitted) -> confirmed, with the transaction of the grant", async () => {
      const customer = newCustomer();
      const states: ActionState[] = [];
      const last = await runSignedAction({ steps: grantSteps(customer).steps, getOperation, onState: (s) => states.push(s), pollMs: 20 });
      const stages = states.map((s) => s.stage);
      expect(stages.slice(0, 3)).to.deep.equal(["signing", "signed", "queued"]);
      expect(stages.at(-1)).to.equal("confirmed");
      expect(stages.slice(3, -1).every((s) => s === "submitted")).to.equal(true);
      expect(last).to.equal(states.at(-1));
      if (last.stage !== "confirmed") throw new Error("not confirmed");
      const receipt = await h.chain.client.getTransactionReceipt({ hash: last.txHash! });
      expect(receipt.status).to.equal("success");
      expect(Number(receipt.blockNumber)).to.equal(last.blockNumber);
    });

    it("ends as wallet_refused, posting nothing, when the wallet refuses", async () => {
      const states: ActionState[] = [];
      const run = grantSteps(newCustomer(), () => Promise.reject(new UserRejectedRequestError(new Error("User rejected the request."))));
      const last = await runSignedAction({ steps: run.steps, getOperation, onState: (s) => states.push(s), pollMs: 20 });
      expect(states.map((s) => s.stage)).to.deep.equal(["signing", "failed"]);
      expect(last).to.deep.equal({ stage: "failed", failure: { code: WALLET_REFUSED, message: "the wallet's owner declined to sign" } });
      expect(run.posted).to.equal(0);
    });

    it("ends with the relay's code when the relay refuses the signature", async () => {
      const other = newCustomer();
      const customer = newCustomer();
      // Signed by someone else than the subject.
      const run = grantSteps(customer, async () => {
        const { ledger } = await h.nonces(customer.address);
        return other.signTypedData({
          domain: ledgerDomain(h.deployment.chainId, h.deployment.ledger),
          types: ledgerTypes,
          primaryType: "Grant",
          message: { subject: customer.address, controller: h.a.address, purpose: purposeId("loyalty"), categories: 5n, expiresAt: 0, noticeHash: NOTICE, nonce: ledger, deadline: h.deadline() },
        });
      });
      const states: ActionState[] = [];
      const last = await runSignedAction({ steps: run.steps, getOperation, onState: (s) => states.push(s), pollMs: 20 });
      expect(states.map((s) => s.stage)).to.deep.equal(["signing", "signed", "failed"]);
      if (last.stage !== "failed") throw new Error("not failed");
      expect(last.failure.code).to.equal("invalid_customer_signature");
    });

    it("ends with the chain's reason when the relay accepted the action but the chain refused it", async () => {
      const customer = newCustomer();
      // A grant the relay accepts; before it is mined the brand changes the purpose's notice: StaleNotice.
      const steps = {
        sign: async () => {
          const { ledger } = await h.nonces(customer.address);
          const message = { subject: customer.address, controller: h.a.address, purpose: purposeId("loyalty"), categories: 5n, expiresAt: 0, noticeHash: NOTICE, nonce: ledger, deadline: h.deadline() };
          const signature = await customer.signTypedData({ domain: ledgerDomain(h.deployment.chainId, h.deployment.ledger), types: ledgerTypes, primaryType: "Grant", message });
          return { ...message, purpose: "loyalty", categories: "5", nonce: message.nonce.toString(), deadline: message.deadline.toString(), signature };
        },
        submit: async (body: unknown) => {
          await h.chain.setAutomine(false);
          try {
            const r = await h.http("POST", "/v1/consents/grant", { body });
            if (r.status !== 202) throw new RelayError({ status: r.status, code: r.body.error.code, message: r.body.error.message, method: "POST", path: "/v1/consents/grant" });
            for (let i = 0; i < 1000 && (await getOperation(r.body.operationId)).status !== "submitted"; i++) await new Promise((resolve) => setTimeout(resolve, 10));
            await h.a.wallet.writeContract({
              address: h.deployment.ledger,
              abi: consentLedgerAbi,
              functionName: "definePurpose",
              args: [purposeId("loyalty"), keccak256(toHex("notice v2")), "https://brand.example/loyalty-v2"],
              gas: 300_000n,
              maxFeePerGas: 200_000_000_000n,
              maxPriorityFeePerGas: 100_000_000_000n,
            });
            await h.chain.mine();
            return r.body.operationId as string;
          } finally {
            await h.chain.setAutomine(true);
          }
        },
      };
      const states: ActionState[] = [];
      const last = await runSignedAction({ steps, getOperation, onState: (s) => states.push(s), pollMs: 20 });
      expect(states.map((s) => s.stage).slice(0, 3)).to.deep.equal(["signing", "signed", "queued"]);
      if (last.stage !== "failed") throw new Error(`not failed: ${JSON.stringify(last)}`);
      const queued = states[2] as { operationId: string };
      expect(last.operationId).to.equal(queued.operationId);
      const op = await getOperation(queued.operationId);
      expect(last.failure).to.deep.equal(op.error);
      expect(last.failure.code).to.contain("StaleNotice");
      // Put the notice back for the other tests.
      await h.chain.client.waitForTransactionReceipt({
        hash: await h.a.wallet.writeContract({ address: h.deployment.ledger, abi: consentLedgerAbi, functionName: "definePurpose", args: [purposeId("loyalty"), NOTICE, "https://brand.example/loyalty"] }),
      });
    });

    it("stops reporting once aborted", async () => {
      const controller = new AbortController();
      const states: ActionState[] = [];
      await runSignedAction({
        steps: grantSteps(newCustomer()).steps,
        getOperation,
        onState: (s) => {
          states.push(s);
          if (s.stage === "queued") controller.abort();
        },
        signal: controller.signal,
        pollMs: 20,
      });
      expect(states.map((s) => s.stage)).to.deep.equal(["signing", "signed", "queued"]);
    });
  });
});
