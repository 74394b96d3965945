import { expect } from "chai";
import express from "express";
import type { AddressInfo } from "node:net";
import type { Server } from "node:http";
import { Writable } from "node:stream";
import pino, { type LevelWithSilent } from "pino";
import { accessLog } from "../../server/http/accessLog";
import { locals } from "../../server/http/context";

type Line = Record<string, unknown> & { level: number; msg: string };

/** An express app with the access log on a pino logger at `level` whose lines are kept, over real HTTP. */
async function app(level: LevelWithSilent) {
  const lines: Line[] = [];
  const log = pino({ level }, new Writable({ write: (c, _e, cb) => (lines.push(JSON.parse(String(c)) as Line), cb()) }));
  const a = express();
  a.use(accessLog(log));
  const router = express.Router();
  a.use("/v1", router);
  router.get("/ok/:wallet", (req, res) => {
    locals(res).logFields = { eventId: "e-1", kind: "presence" };
    req.log.info({ step: "inside" }, "route says");
    res.json({ ok: true });
  });
  a.get("/missing", (_req, res) => void res.status(404).json({ error: "no" }));
  a.get("/boom", (_req, res) => void res.status(503).json({ error: "down" }));
  let reached: () => void = () => undefined;
  const hangReached = new Promise<void>((r) => (reached = r));
  a.get("/hang", (_req, res) => {
    reached();
    setTimeout(() => res.end(), 5_000).unref();
  });
  const server: Server = await new Promise((resolve) => {
    const s = a.listen(0, "127.0.0.1", () => resolve(s));
  });
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const settle = () => new Promise((r) => setTimeout(r, 50));
  /** Until `predicate` holds of the lines (at most 5 s). */
  const until = async (predicate: (lines: Line[]) => boolean) => {
    for (let i = 0; i < 100 && !predicate(lines); i++) await new Promise((r) => setTimeout(r, 50));
  };
  return { url, lines, settle, until, hangReached, close: () => new Promise<void>((r) => (server.closeAllConnections(), server.close(() => r()))) };
}

describe("accessLog", () => {
  it("writes one line per request: completed at info with the route's facts, 4xx at warn, 5xx as errored with err", async () => {
    const a = await app("info");
    try {
      const wallet = "0x8ba1f109551bD432803012645Ac136ddd64DBA72";
      const ok = await fetch(`${a.url}/v1/ok/${wallet}?brand=${wallet}`, { headers: { "x-request-id": "trace-1" } });
      expect(ok.headers.get("x-request-id")).to.equal("trace-1");
      await ok.text();
      const missing = await fetch(`${a.url}/missing`);
      const generated = missing.headers.get("x-request-id")!;
      expect(generated).to.match(/^[0-9a-f-]{36}$/);
      await missing.text();
      await (await fetch(`${a.url}/boom`, { headers: { "x-request-id": "bad id with spaces" } })).text();
      await a.until((lines) => lines.length >= 4);
      const pick = (l: Line) => ({ level: l.level, msg: l.msg, req: l.req, res: l.res, eventId: l.eventId, kind: l.kind, step: l.step, err: (l.err as { message?: string } | undefined)?.message });
      expect(a.lines.map(pick)).to.deep.equal([
        { level: 30, msg: "route says", req: { id: "trace-1", method: "GET", path: "/v1/ok/0x…" }, res: undefined, eventId: undefined, kind: undefined, step: "inside", err: undefined },
        { level: 30, msg: "request completed", req: { id: "trace-1", method: "GET", path: "/v1/ok/0x…" }, res: { status: 200 }, eventId: "e-1", kind: "presence", step: undefined, err: undefined },
        { level: 40, msg: "request completed", req: { id: generated, method: "GET", path: "/missing" }, res: { status: 404 }, eventId: undefined, kind: undefined, step: undefined, err: undefined },
        { level: 50, msg: "request errored", req: a.lines[3]!.req, res: { status: 503 }, eventId: undefined, kind: undefined, step: undefined, err: "failed with status code 503" },
      ]);
      // A malformed X-Request-Id is replaced, never logged.
      expect((a.lines[3]!.req as { id: string }).id).to.match(/^[0-9a-f-]{36}$/);
      expect(JSON.stringify(a.lines).toLowerCase()).not.to.include(wallet.slice(2).toLowerCase());
      for (const l of a.lines.slice(1)) expect(l.responseTime).to.be.a("number").within(0, 5_000);
    } finally {
      await a.close();
    }
  });

  it("says a request whose connection closed before its answer was aborted", async () => {
    const a = await app("info");
    try {
      const controller = new AbortController();
      const pending = fetch(`${a.url}/hang`, { signal: controller.signal }).catch(() => undefined);
      await a.hangReached;
      controller.abort();
      await pending;
      await a.until((lines) => lines.length > 0);
      expect(a.lines.map((l) => [l.level, l.msg, l.res])).to.deep.equal([[30, "request aborted", { status: 200 }]]);
      expect(a.lines[0]!.req).to.include({ method: "GET", path: "/hang" });
    } finally {
      await a.close();
    }
  });

  it("writes nothing of a request below the level, and still answers with its id", async () => {
    const a = await app("error");
    try {
      const ok = await fetch(`${a.url}/v1/ok/x`);
      expect(ok.headers.get("x-request-id")).to.match(/^[0-9a-f-]{36}$/);
      await ok.text();
      await (await fetch(`${a.url}/missing`)).text();
      await a.settle();
      expect(a.lines).to.deep.equal([]);
      await (await fetch(`${a.url}/boom`)).text();
      await a.until((lines) => lines.length >= 1);
      expect(a.lines.map((l) => l.msg)).to.deep.equal(["request errored"]);
    } finally {
      await a.close();
    }
  });
});
