import { spawn } from "node:child_process";
import path from "node:path";
import { expect } from "chai";
import { testAccount } from "../support/chain";
import { testDbKinds } from "../support/db";
import { Harness, newCustomer } from "./relay-harness";

const ROOT = path.join(__dirname, "..", "..");

/** Runs test/support/flood.ts in its own process (so its work does not share the relay's event loop). */
function flood(args: Record<string, unknown>): { started: Promise<void>; done: Promise<{ sent: number; byStatus: Record<string, number> }> } {
  let started!: () => void;
  const startedP = new Promise<void>((r) => (started = r));
  const done = new Promise<{ sent: number; byStatus: Record<string, number> }>((resolve, reject) => {
    const proc = spawn(process.execPath, ["-r", "ts-node/register/transpile-only", "test/support/flood.ts", JSON.stringify(args)], { cwd: ROOT, stdio: ["ignore", "pipe", "inherit"] });
    let out = "";
    proc.stdout.setEncoding("utf8").on("data", (c: string) => {
      out += c;
      if (out.startsWith("go\n")) started();
    });
    proc.on("exit", (code) => (code === 0 ? resolve(JSON.parse(out.slice(3))) : reject(new Error(`flood exited ${code}`))));
  });
  return { started: startedP, done };
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

for (const kind of testDbKinds()) {
  describe(`relay under a flood from one client (${kind})`, function () {
    this.timeout(120_000);
    let h: Harness;
    before(async () => {
      h = await Harness.start(kind, {
        // Per second, so the few seconds of the flood see several windows.
        env: { RATE_LIMIT_WINDOW_MS: "1000", RATE_LIMIT_PER_CLIENT: "10", RATE_LIMIT_PER_DEVICE: "10", RATE_LIMIT_PER_API_KEY: "1000000", RATE_LIMIT_DELAY_MS: "250", STREAMS_PER_BRAND: "2", STREAMS_TOTAL: "20" },
      });
    });
    after(async () => {
      await h?.stop();
    });

    it("keeps real requests within twice their quiet latency, and pays no gas for the junk", async () => {
      const regular = newCustomer();
      await h.consent(regular, h.a.address, ["in-store-recognition"]);
      let n = 0;
      const real = async (): Promise<number[]> => {
        const times: number[] = [];
        // A busy till: a few events a second, under the per-client limit.
        for (let i = 0; i < 20; i++) {
          await new Promise((r) => setTimeout(r, 200));
          const t0 = performance.now();
          const seen = await h.deviceEvent(h.a.device, { eventId: `real-${n++}`, kind: "presence", customer: { wallet: regular.address } });
          expect(seen.status).to.equal(202);
          times.push(performance.now() - t0);
        }
        return times;
      };
      await new Promise((r) => setTimeout(r, 1100)); // a fresh window after the set-up's polling
      await real(); // warm-up
      const quiet = median(await real());

      const signers = [2, 3, 6].map((i) => testAccount(i).address);
      const chainState = () => Promise.all(signers.map(async (a) => [await h.chain.client.getBalance({ address: a }), await h.chain.client.getTransactionCount({ address: a })] as const));
      const before = { chain: await chainState(), operations: await h.count("operations"), actions: await h.count("relay_customer_actions") };

      const flooding = flood({
        url: h.url,
        localAddress: "127.0.0.5",
        seconds: 7,
        connections: 8,
        storeId: h.b.storeId,
        deviceId: h.b.device.id,
        streamPath: `/v1/brand/stores/${h.b.storeId}/stream`,
        apiKey: h.b.apiKey,
      });
      await flooding.started;
      await new Promise((r) => setTimeout(r, 300));
      const during = median(await real());
      const result = await flooding.done;
      // eslint-disable-next-line no-console
      console.log(`      quiet median ${quiet.toFixed(1)} ms, under flood ${during.toFixed(1)} ms; flood ${JSON.stringify(result)}`);
      // How much the flood gets sent depends on the machine; that it was refused early does not.
      expect(result.sent).to.be.greaterThan(100);
      expect(result.byStatus["429"]).to.be.greaterThan(0);
      expect(during).to.be.at.most(2 * quiet);

      await new Promise((r) => setTimeout(r, 500));
      expect(await chainState()).to.deep.equal(before.chain);
      expect(await h.count("operations")).to.equal(before.operations);
      expect(await h.count("relay_customer_actions")).to.equal(before.actions);
    });
  });
}
