import crypto from "node:crypto";
import autocannon from "autocannon";
import type { Address } from "viem";
import { signDeviceRequest } from "../../server/devices/signing";
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

async function oneRun(url: string, device: Device, customers: readonly Address[], connections: number, amount: number): Promise<autocannon.Result> {
  const path = eventPath(device.storeId);
  let n = 0;
  const result = await autocannon({
    url,
    connections,
    amount,
    timeout: 30,
    requests: [
      {
        method: "POST",
        path,
        setupRequest: (req) => {
          const customer = customers[n++ % customers.length]!;
          const body = JSON.stringify({ eventId: `bench-${crypto.randomUUID()}`, kind: "presence", customer: { wallet: customer } });
          const signed = signDeviceRequest({ privateKeyPem: device.privateKeyPem, deviceId: device.id, method: "POST", path, body });
          return { ...req, body, headers: { ...signed, "content-type": "application/json" } };
        },
      },
    ],
  });
  if (result.non2xx > 0 || result.errors > 0) {
    throw new LoadError(`${result.non2xx} non-2xx answers and ${result.errors} errors at ${connections} connections (${JSON.stringify(result.statusCodeStats)})`);
  }
  return result;
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
      const res = await oneRun(p.url, p.device, p.customers, c, amount);
      const seconds = (res.finish.getTime() - res.start.getTime()) / 1000;
      perSecond.push(res["2xx"] / seconds);
      p50.push(res.latency.p50);
      p99.push(res.latency.p99);
    }
    out.push({ concurrency: c, requests: amount, accepted: figure(perSecond), latencyP50: figure(p50), latencyP99: figure(p99) });
    process.stderr.write(`  events at ${c} clients: ${perSecond.map((x) => x.toFixed(0)).join(", ")} /s\n`);
  }
  return out;
}
