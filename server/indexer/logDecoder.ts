import { decodeEventLog, toEventSelector, type Abi, type AbiEvent, type AbiParameter, type Hex, type Log, type ParseEventLogsReturnType } from "viem";

/** How one event's logs are decoded: each input read from its own 32-byte word, or (undefined) by viem. */
interface EventLayout {
  event: AbiEvent;
  /** Per input in ABI order: where it is (topic i, or data word i) and how to read it. */
  words?: { name: string; topic: boolean; index: number; read: (word: string) => unknown }[];
  topics: number;
  dataLength: number;
}

/** A static 32-byte ABI type's reader (viem's values, but addresses lowercase), or undefined for any other type. */
function wordReader(p: AbiParameter): ((word: string) => unknown) | undefined {
  if (p.type === "address") return (w) => `0x${w.slice(24)}`;
  if (p.type === "bool") return (w) => BigInt(`0x${w}`) !== 0n;
  if (p.type === "bytes32") return (w) => `0x${w}`;
  const int = /^(u?)int(\d*)$/.exec(p.type);
  if (!int) return undefined;
  const bits = Number(int[2] || 256);
  const signed = int[1] === "";
  // As viem: integers of 48 bits or fewer are numbers, larger ones bigints.
  return (w) => {
    let v = BigInt(`0x${w}`);
    if (signed && v >= 1n << 255n) v -= 1n << 256n;
    return bits <= 48 ? Number(v) : v;
  };
}

function layoutOf(event: AbiEvent): EventLayout {
  const indexed = event.inputs.filter((p) => p.indexed);
  const data = event.inputs.filter((p) => !p.indexed);
  const readers = event.inputs.map(wordReader);
  const named = event.inputs.every((p) => p.name);
  const layout: EventLayout = { event, topics: indexed.length + 1, dataLength: 2 + 64 * data.length };
  if (named && readers.every((r) => r !== undefined)) {
    layout.words = event.inputs.map((p, i) => ({
      name: p.name!,
      topic: p.indexed === true,
      index: p.indexed ? indexed.indexOf(p) + 1 : data.indexOf(p),
      read: readers[i]!,
    }));
  }
  return layout;
}

/**
 * The logs of one contract decoded as viem's `parseEventLogs({ abi, logs })` decodes them, minus its
 * per-log cost: viem hashes the event's signature again for every log, and checksums every address (one
 * keccak each); here the selectors are hashed once, and an event whose inputs are all 32-byte words
 * (addresses, integers, booleans, bytes32: the points events) is read word by word, its addresses
 * lowercase. Other events go through viem's decoder. As `parseEventLogs` (strict), a log of no known event,
 * or whose topics or data do not fit its event, is left out.
 */
export function createLogDecoder<const abi extends Abi>(abi: abi): (logs: readonly Log[]) => ParseEventLogsReturnType<abi, undefined, true> {
  const bySelector = new Map<string, EventLayout>();
  for (const item of abi) {
    if (item.type === "event" && !item.anonymous) bySelector.set(toEventSelector(item), layoutOf(item));
  }
  return (logs) => {
    const out: unknown[] = [];
    for (const log of logs) {
      const layout = log.topics[0] ? bySelector.get(log.topics[0].toLowerCase()) : undefined;
      if (!layout) continue;
      if (layout.words) {
        // As viem: topics beyond the indexed inputs and data beyond the words are ignored.
        if (log.topics.length < layout.topics || log.data.length < layout.dataLength) continue;
        const args: Record<string, unknown> = {};
        for (const w of layout.words) args[w.name] = w.read(w.topic ? log.topics[w.index]!.slice(2) : log.data.slice(2 + 64 * w.index, 66 + 64 * w.index));
        // As viem: an event without inputs has no args.
        out.push({ ...log, eventName: layout.event.name, args: layout.words.length > 0 ? args : undefined });
        continue;
      }
      try {
        const { eventName, args } = decodeEventLog({ abi: [layout.event], data: log.data, topics: log.topics as [Hex, ...Hex[]], strict: true });
        out.push({ ...log, eventName, args });
      } catch {
        // Does not fit its event: left out, as parseEventLogs does.
      }
    }
    return out as ParseEventLogsReturnType<abi, undefined, true>;
  };
}
