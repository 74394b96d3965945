import { expect } from "chai";
import type { Address } from "viem";
import { enqueueOperation, failQueued, nextQueued, type NewOperation } from "../../server/chain/outbox";
import { openTestDb, testDbKinds, type TestDb } from "../support/db";
import { newCustomer } from "./relay-harness";

/**
 * Issue 12: junk revocations must not take the whole queue. The revocations' priority goes to a bounded
 * number of subjects, and not to a subject whose actions keep failing. Real database, no chain needed.
 */
const SIGNER = "0x00000000000000000000000000000000000000aa" as Address;
const BRAND = "0x00000000000000000000000000000000000000bb" as Address;

function op(kind: "grant" | "revoke", subject: Address): NewOperation {
  return { kind, contract: "ledger", functionName: kind === "grant" ? "grantBySig" : "revokeBySig", args: [subject], subject, controller: BRAND };
}

for (const kind of testDbKinds()) {
  describe(`outbox: bounded priority of revocations (${kind})`, () => {
    let t: TestDb;
    beforeEach(async () => {
      t = await openTestDb(kind);
    });
    afterEach(async () => {
      await t?.drop();
    });

    async function enqueue(o: NewOperation): Promise<string> {
      return (await t.db.transaction((tx) => enqueueOperation(tx, o))).id;
    }

    it("puts at most PRIORITY_SUBJECTS_MAX subjects' revocations ahead of older work", async () => {
      const real = await enqueue(op("grant", newCustomer().address));
      const junk: string[] = [];
      for (let i = 0; i < 5; i++) junk.push(await enqueue(op("revoke", newCustomer().address)));
      const order = (await nextQueued(t.db, SIGNER, true, 10, { prioritySubjects: 2, subjectFailuresMax: 3 })).map((o) => o.id);
      expect(order).to.deep.equal([junk[0], junk[1], real, junk[2], junk[3], junk[4]]);
    });

    it("gives no priority to a subject whose actions failed SUBJECT_FAILURES_MAX times in 24 hours", async () => {
      const real = await enqueue(op("grant", newCustomer().address));
      const noisy = newCustomer().address;
      for (let i = 0; i < 2; i++) await failQueued(t.db, [await enqueue(op("revoke", noisy))], { code: "ConsentNotActive", message: "x" });
      const revoke = await enqueue(op("revoke", noisy));
      const bounds = { prioritySubjects: 8, subjectFailuresMax: 2 };
      expect((await nextQueued(t.db, SIGNER, true, 10, bounds)).map((o) => o.id)).to.deep.equal([real, revoke]);
      expect((await nextQueued(t.db, SIGNER, true, 10, { ...bounds, subjectFailuresMax: 3 })).map((o) => o.id)).to.deep.equal([revoke, real]);
    });
  });
}
