import { expect } from "chai";
import { ResponseBodyTooLargeError } from "viem";
import { AdaptiveRange, classifyRpcError, forEachRange } from "../../server/indexer/rpcRange";

describe("indexer: RPC range and rate complaints", () => {
  it("sorts providers' complaints into range, rate and other", () => {
    const cases: [unknown, string][] = [
      [new Error("query returned more than 10000 results"), "range"],
      [new Error("Log response size exceeded. You can make eth_getLogs requests with up to a 2K block range"), "range"],
      [new Error("block range is too wide"), "range"],
      [new Error("exceed maximum block range: 5000"), "range"],
      [new Error("Requested range exceeds maximum range limit"), "range"],
      [new Error("eth_getLogs is limited to a 10,000 range"), "range"],
      [{ message: "HTTP request failed.", cause: { details: "query exceeds max block range 3" } }, "range"],
      [new ResponseBodyTooLargeError({ maxSize: 10485760, size: 10491532 }), "range"],
      [new Error("project ID request rate exceeded"), "rate"],
      [new Error("Your app has exceeded its compute units per second capacity"), "rate"],
      [{ message: "HTTP request failed.", status: 429 }, "rate"],
      [new Error("Too Many Requests"), "rate"],
      [new Error("fetch failed"), "other"],
      [new Error("execution reverted"), "other"],
    ];
    for (const [err, kind] of cases) expect(classifyRpcError(err), String((err as Error).message)).to.equal(kind);
  });

  it("halves the span on range complaints, grows it back after eight successes, and covers every block once", async () => {
    const range = new AdaptiveRange(16);
    const asked: [number, number][] = [];
    const got: [number, number][] = [];
    await forEachRange({
      fromBlock: 0n,
      toBlock: 99n,
      range,
      fetch: async (from, to) => {
        asked.push([Number(from), Number(to)]);
        if (to - from + 1n > 4n) throw new Error("block range is too wide");
        return [Number(from), Number(to)] as [number, number];
      },
      onChunk: (r) => {
        got.push(r);
      },
    });
    expect(range.shrinks).to.equal(4); // 16 and 8 refused, then 8 again after each run of eight successes (blocks 32 and 64)
    expect(asked.slice(0, 3)).to.deep.equal([[0, 15], [0, 7], [0, 3]]);
    const covered = got.flatMap(([a, b]) => Array.from({ length: b - a + 1 }, (_, i) => a + i));
    expect(covered).to.deep.equal(Array.from({ length: 100 }, (_, i) => i));
    expect(got.every(([a, b]) => b - a + 1 <= 4)).to.equal(true);
    expect(range.size).to.equal(8);
  });
});
