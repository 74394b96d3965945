import crypto from "node:crypto";
import type { Address } from "viem";
import { postDeviceEvent, type Device } from "../demo/relayClient";
import { openStaffScreen } from "../demo/staffStream";
import { sleep } from "../demo/wait";
import { figure, percentile, type Figure } from "./stats";

/** Presence-to-staff-stream latency: from just before the device's request to the event's arrival on the SSE stream. */
export interface LatencyResult {
  samples: number;
  p50: Figure;
  p99: Figure;
}

export async function benchStaffLatency(p: { url: string; apiKey: string; device: Device; customers: readonly Address[]; samples: number; runs: number }): Promise<LatencyResult> {
  const screen = await openStaffScreen(p.url, p.device.storeId, p.apiKey);
  const p50: number[] = [];
  const p99: number[] = [];
  try {
    for (let r = 0; r < p.runs; r++) {
      const ms: number[] = [];
      for (let i = 0; i < p.samples; i++) {
        const customer = p.customers[i % p.customers.length]!.toLowerCase();
        const since = screen.events.length;
        const t0 = performance.now();
        const arrived = screen.next((c) => c.customer === customer, since);
        await postDeviceEvent(p.url, p.device, { eventId: `lat-${crypto.randomUUID()}`, kind: "presence", customer: { wallet: customer as Address } });
        ms.push((await arrived).at - t0);
        await sleep(5);
      }
      p50.push(percentile(ms, 50));
      p99.push(percentile(ms, 99));
    }
  } finally {
    screen.close();
  }
  return { samples: p.samples, p50: figure(p50), p99: figure(p99) };
}
