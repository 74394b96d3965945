import http from "node:http";
import type { RecognisedCustomer } from "../../server/devices/bus";

/**
 * A staff screen: reads the store's server-sent-events stream over HTTP and keeps every `customer`
 * event with the time it arrived (performance.now(), for latency measurements).
 */
export interface StaffScreen {
  events: { at: number; data: RecognisedCustomer }[];
  /** Resolves with the first event after `since` (index) that satisfies `match`, or rejects after `timeoutMs`. */
  next(match: (c: RecognisedCustomer) => boolean, since: number, timeoutMs?: number): Promise<{ at: number; data: RecognisedCustomer }>;
  close(): void;
}

export class StaffStreamError extends Error {
  override name = "StaffStreamError";
}

export function openStaffScreen(base: string, storeId: string, apiKey: string): Promise<StaffScreen> {
  return new Promise((resolve, reject) => {
    const events: StaffScreen["events"] = [];
    const waiters = new Set<() => void>();
    const req = http.get(`${base}/v1/brand/stores/${encodeURIComponent(storeId)}/stream`, { headers: { Authorization: `Bearer ${apiKey}`, Accept: "text/event-stream" } }, (res) => {
      if (res.statusCode !== 200) {
        reject(new StaffStreamError(`staff stream answered ${res.statusCode}`));
        res.resume();
        return;
      }
      res.setEncoding("utf8");
      let buffer = "";
      res.on("data", (chunk: string) => {
        buffer += chunk;
        let cut: number;
        while ((cut = buffer.indexOf("\n\n")) >= 0) {
          const block = buffer.slice(0, cut);
          buffer = buffer.slice(cut + 2);
          const lines = block.split("\n");
          const event = lines.find((l) => l.startsWith("event: "))?.slice(7);
          const data = lines.filter((l) => l.startsWith("data: ")).map((l) => l.slice(6)).join("\n");
          if (event === "customer" && data) {
            events.push({ at: performance.now(), data: JSON.parse(data) as RecognisedCustomer });
            for (const w of [...waiters]) w();
          }
        }
      });
      resolve({
        events,
        next(match, since, timeoutMs = 10_000) {
          return new Promise((ok, fail) => {
            const check = () => {
              const hit = events.slice(since).find((e) => match(e.data));
              if (!hit) return false;
              waiters.delete(check);
              clearTimeout(timer);
              ok(hit);
              return true;
            };
            const timer = setTimeout(() => {
              waiters.delete(check);
              fail(new StaffStreamError(`no matching staff stream event within ${timeoutMs} ms`));
            }, timeoutMs);
            waiters.add(check);
            check();
          });
        },
        close() {
          req.destroy();
        },
      });
    });
    req.on("error", (err) => reject(err));
  });
}
