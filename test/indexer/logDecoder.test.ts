import { expect } from "chai";
import fc from "fast-check";
import { encodeAbiParameters, encodeEventTopics, parseEventLogs, toEventSelector, type Abi, type AbiEvent, type AbiParameter, type Hex, type Log } from "viem";
import { coalitionPointsAbi, consentLedgerAbi } from "../../client/abis";
import { createLogDecoder } from "../../server/indexer/logDecoder";

/** A random value of a static ABI type, as viem encodes it. */
function valueOf(p: AbiParameter): fc.Arbitrary<unknown> {
  if (p.type.endsWith("[]")) return fc.array(valueOf({ ...p, type: p.type.slice(0, -2) }), { maxLength: 4 });
  if (p.type === "address") return fc.uint8Array({ minLength: 20, maxLength: 20 }).map((b) => `0x${Buffer.from(b).toString("hex")}`);
  if (p.type === "bool") return fc.boolean();
  if (p.type === "string") return fc.string();
  if (p.type === "bytes") return fc.uint8Array({ maxLength: 80 }).map((b) => `0x${Buffer.from(b).toString("hex")}`);
  const bytes = /^bytes(\d+)$/.exec(p.type);
  if (bytes) return fc.uint8Array({ minLength: Number(bytes[1]), maxLength: Number(bytes[1]) }).map((b) => `0x${Buffer.from(b).toString("hex")}`);
  const int = /^(u?)int(\d*)$/.exec(p.type);
  if (!int) throw new Error(`no arbitrary for ${p.type}`);
  const bits = BigInt(int[2] || 256);
  const big = int[1] === "u" ? fc.bigInt({ min: 0n, max: (1n << bits) - 1n }) : fc.bigInt({ min: -(1n << (bits - 1n)), max: (1n << (bits - 1n)) - 1n });
  return bits <= 48n ? big.map(Number) : big;
}

/** One random log of one of the ABI's events, at a fixed place in a block. */
function logOf(abi: Abi, logIndex: number): fc.Arbitrary<Log> {
  const events = abi.filter((x): x is AbiEvent => x.type === "event");
  return fc
    .constantFrom(...events)
    .chain((event) => fc.tuple(fc.constant(event), fc.tuple(...event.inputs.map(valueOf))))
    .map(([event, values]) => {
      const args = Object.fromEntries(event.inputs.map((p, i) => [p.name!, values[i]]));
      const topics = encodeEventTopics({ abi: [event], eventName: event.name, args } as never) as Hex[];
      const data = event.inputs.filter((p) => !p.indexed);
      return {
        address: "0x00000000000000000000000000000000000000aa",
        topics: topics as [Hex, ...Hex[]],
        data: data.length ? encodeAbiParameters(data, data.map((p) => args[p.name!])) : "0x",
        blockNumber: 7n,
        blockHash: `0x${"11".repeat(32)}`,
        logIndex,
        transactionHash: `0x${"22".repeat(32)}`,
        transactionIndex: 0,
        removed: false,
      } as Log;
    });
}

/** viem's answer with its checksummed addresses lowercased (the decoder leaves them as the node sent them). */
function lowercased(value: unknown): unknown {
  if (typeof value === "string") return /^0x[0-9a-fA-F]{40}$/.test(value) ? value.toLowerCase() : value;
  if (Array.isArray(value)) return value.map(lowercased);
  if (value && typeof value === "object" && typeof value !== "bigint") return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, lowercased(v)]));
  return value;
}

describe("createLogDecoder", () => {
  for (const [name, abi] of [
    ["CoalitionPoints", coalitionPointsAbi],
    ["ConsentLedger", consentLedgerAbi],
  ] as const) {
    it(`decodes every ${name} event as viem's parseEventLogs does (addresses lowercase)`, () => {
      const decode = createLogDecoder(abi as Abi);
      fc.assert(
        fc.property(fc.array(fc.nat(), { maxLength: 6 }).chain((xs) => fc.tuple(...xs.map((_, i) => logOf(abi as Abi, i)))), (logs) => {
          expect(lowercased(decode(logs))).to.deep.equal(lowercased(parseEventLogs({ abi: abi as Abi, logs })));
        }),
        { numRuns: 300 },
      );
    });
  }

  it("leaves out, as parseEventLogs does, a log of no known event or whose topics or data fall short of its event", () => {
    const decode = createLogDecoder(coalitionPointsAbi);
    const issued = coalitionPointsAbi.find((x) => x.type === "event" && x.name === "PointsIssued") as AbiEvent;
    const base = {
      address: "0x00000000000000000000000000000000000000aa",
      topics: encodeEventTopics({
        abi: [issued],
        args: { brand: `0x${"01".repeat(20)}`, customer: `0x${"02".repeat(20)}`, receiptId: `0x${"03".repeat(32)}` },
      } as never) as [Hex, ...Hex[]],
      data: encodeAbiParameters([{ type: "uint256" }], [5n]),
      blockNumber: 1n,
      blockHash: `0x${"11".repeat(32)}`,
      logIndex: 0,
      transactionHash: `0x${"22".repeat(32)}`,
      transactionIndex: 0,
      removed: false,
    } as Log;
    const bad: Log[] = [
      { ...base, topics: [`0x${"ab".repeat(32)}`, ...base.topics.slice(1)] as [Hex, ...Hex[]] },
      { ...base, topics: base.topics.slice(0, 3) as [Hex, ...Hex[]] },
      { ...base, data: "0x" },
      { ...base, data: `0x${"00".repeat(31)}` },
      { ...base, topics: [] as unknown as [Hex, ...Hex[]] },
    ];
    for (const log of bad) {
      expect(parseEventLogs({ abi: coalitionPointsAbi, logs: [log] })).to.have.length(0);
      expect(decode([log])).to.have.length(0);
    }
    expect(decode([base])[0]).to.include({ eventName: "PointsIssued" });
    expect(decode([base])[0]!.args).to.deep.equal({ brand: `0x${"01".repeat(20)}`, customer: `0x${"02".repeat(20)}`, points: 5n, receiptId: `0x${"03".repeat(32)}` });
    expect(toEventSelector(issued)).to.equal(base.topics[0]);
  });
});
