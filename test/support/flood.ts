/**
 * A bounded flood from one client address, for the abuse test: run as a child process with
 * `node -r ts-node/register/transpile-only test/support/flood.ts` and a JSON argument
 * { url, localAddress, seconds, connections, storeId, deviceId, streamPath, apiKey }. For `seconds` it keeps
 * `connections` requests in flight, cycling through junk customer actions (bad signatures, fresh wallets),
 * device events with bad signatures, and staff-stream opens; then prints { sent, byStatus } and exits.
 * It only ever talks to `url` (loopback).
 */
import http from "node:http";
import crypto from "node:crypto";

interface Args {
  url: string;
  localAddress: string;
  seconds: number;
  connections: number;
  storeId: string;
  deviceId: string;
  streamPath: string;
  apiKey: string;
}

// Runs only as a child process: mocha (hardhat test) loads every file under test/, this one included.
const isMain = require.main === module;
const args = (isMain ? JSON.parse(process.argv[2]!) : { connections: 1, seconds: 0 }) as Args;
const agent = new http.Agent({ keepAlive: true, maxSockets: args.connections });
const byStatus: Record<string, number> = {};
let sent = 0;
const end = Date.now() + args.seconds * 1000;

function hex(bytes: number): string {
  return `0x${crypto.randomBytes(bytes).toString("hex")}`;
}

function junk(i: number): { method: string; path: string; headers: Record<string, string>; body?: string } {
  switch (i % 3) {
    case 0: {
      const body = JSON.stringify({
        subject: hex(20),
        controller: hex(20),
        purpose: "loyalty",
        categories: "1",
        expiresAt: 0,
        noticeHash: hex(32),
        nonce: "0",
        deadline: String(Math.floor(Date.now() / 1000) + 600),
        signature: hex(65),
      });
      return { method: "POST", path: "/v1/consents/grant", headers: { "content-type": "application/json" }, body };
    }
    case 1: {
      const body = JSON.stringify({ eventId: `junk-${i}`, kind: "presence", customer: { wallet: hex(20) } });
      return {
        method: "POST",
        path: `/v1/stores/${args.storeId}/events`,
        headers: {
          "content-type": "application/json",
          "x-device-id": args.deviceId,
          "x-timestamp": String(Math.floor(Date.now() / 1000)),
          "x-nonce": crypto.randomBytes(16).toString("hex"),
          "x-signature": crypto.randomBytes(64).toString("base64url"),
        },
        body,
      };
    }
    default:
      return { method: "GET", path: args.streamPath, headers: { authorization: `Bearer ${args.apiKey}` } };
  }
}

function one(i: number): Promise<void> {
  const r = junk(i);
  return new Promise((resolve) => {
    const req = http.request(`${args.url}${r.path}`, { method: r.method, headers: r.headers, agent, localAddress: args.localAddress }, (res) => {
      byStatus[res.statusCode ?? 0] = (byStatus[res.statusCode ?? 0] ?? 0) + 1;
      if (res.statusCode === 200 && r.method === "GET") {
        // A stream that was let through: hold it a moment, then drop it.
        setTimeout(() => req.destroy(), 200);
        res.resume();
        res.on("close", () => resolve());
        return;
      }
      res.resume();
      res.on("end", () => resolve());
    });
    req.on("error", () => {
      byStatus.error = (byStatus.error ?? 0) + 1;
      resolve();
    });
    req.end(r.body);
  });
}

async function loop(offset: number): Promise<void> {
  for (let i = offset; Date.now() < end; i += args.connections) {
    sent += 1;
    await one(i);
  }
}

if (isMain) {
  process.stdout.write("go\n");
  void Promise.all(Array.from({ length: args.connections }, (_, k) => loop(k))).then(() => {
    process.stdout.write(`${JSON.stringify({ sent, byStatus })}\n`);
    agent.destroy();
    process.exit(0);
  });
} else {
  agent.destroy();
}
