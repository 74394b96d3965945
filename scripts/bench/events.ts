import crypto from "node:crypto";
import autocannon from "autocannon";
import type { Address } from "viem";
import { signDeviceRequest } from "../../client";
import { eventPath, type Device } from "../demo/relayClient";
import { figure, type Figure } from "./stats";

export class LoadError extends Error {
  override name = "LoadError";
}

/** Device events accepted per second: signed presence events of consenting customers, each with a unique event id. */
export interface EventsResult {
  concurrency: number;
  requests: number;
  accepted: Figure;
  latencyP50: Figure;
  latencyP99: Figure;
}

/** The relay's own count of accepted presence events (Prometheus counter), to check every 2xx was an acceptance. */
export async function acceptedPresences(url: string): Promise<number> {
  const text = await (await fetch(`${url}/metrics`)).text();
  const line = text.split("\n").find((l) => l.startsWith("relay_device_events_total{") && l.includes('kind="presence"') && l.includes('outcome="accepted"'));
  return line ? Number(line.slice(line.lastIndexOf(" ") + 1)) : 0;
}

/**
 * One bounded autocannon run. The requests are signed before the run starts (each with its own event id,
 * nonce and timestamp, well inside the relay's clock tolerance), so the load generator, which shares the
 * machine's cores with the relay, spends the run sending rather than signing. autocannon only notices the
 * end at its sampling tick, so its own duration overstates short runs: the rate is taken from the first
 * request sent to the last response instead.
 */
async function oneRun(url: string, device: Device, customers: readonly Address[], connections: number, amount: number): Promise<{ result: autocannon.Result; seconds: number }> {
  const path = eventPath(device.storeId);
  const signed = Array.from({ length: amount }, (_, i) => {
    const body = JSON.stringify({ eventId: `bench-${crypto.randomUUID()}`, kind: "presence", customer: { wallet: customers[i % customers.length]! } });
    return { body, headers: { ...signDeviceRequest({ sign: device.sign, deviceId: device.id, method: "POST", path, body }), "content-type": "application/json" } };
  });
  let n = 0;
  let first = 0;
  let last = 0;
  const result = await autocannon({
    url,
    connections,
    amount,
    timeout: 30,
    sampleInt: 100,
    requests: [
      {
        method: "POST",
        path,
        onResponse: () => {
          last = performance.now();
        },
        setupRequest: (req) => {
          if (n === 0) first = performance.now();
          const next = signed[n++ % amount]!;
          return { ...req, body: next.body, headers: next.headers };
        },
      },
    ],
  });
  if (result.non2xx > 0 || result.errors > 0) {
    throw new LoadError(`${result.non2xx} non-2xx answers and ${result.errors} errors at ${connections} connections (${JSON.stringify(result.statusCodeStats)})`);
  }
  return { result, seconds: (last - first) / 1000 };
}

export async function benchEvents(p: { url: string; device: Device; customers: readonly Address[]; concurrency: readonly number[]; requests: Record<number, number>; runs: number }): Promise<EventsResult[]> {
  await oneRun(p.url, p.device, p.customers, 8, 100); // warm-up, not counted
  const out: EventsResult[] = [];
  for (const c of p.concurrency) {
    const perSecond: number[] = [];
    const p50: number[] = [];
    const p99: number[] = [];
    const amount = p.requests[c] ?? 500;
    for (let r = 0; r < p.runs; r++) {
      const before = await acceptedPresences(p.url);
      const { result: res, seconds } = await oneRun(p.url, p.device, p.customers, c, amount);
      const accepted = (await acceptedPresences(p.url)) - before;
      if (accepted !== res["2xx"]) throw new LoadError(`${res["2xx"]} answers 2xx but the relay counted ${accepted} accepted presences (dropped or duplicated?)`);
      perSecond.push(res["2xx"] / seconds);
      p50.push(res.latency.p50);
      p99.push(res.latency.p99);
    }
    out.push({ concurrency: c, requests: amount, accepted: figure(perSecond), latencyP50: figure(p50), latencyP99: figure(p99) });
    process.stderr.write(`  events at ${c} clients: ${perSecond.map((x) => x.toFixed(0)).join(", ")} /s\n`);
  }
  return out;
}
