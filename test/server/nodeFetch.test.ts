import { expect } from "chai";
import http from "node:http";
import type { AddressInfo } from "node:net";
import { createPublicClient, http as httpTransport, type PublicClient } from "viem";
import { coalitionPointsAbi } from "../../client/abis";
import { deployConfiance } from "../../scripts/lib/deploy";
import { nodeFetch } from "../../server/http/nodeFetch";
import { freePort, LocalChain, testAccount } from "../support/chain";

/** A viem client on `url` with nodeFetch, and one with the platform's fetch (what the relay used before). */
function clients(url: string, timeout = 10_000): { ours: PublicClient; platform: PublicClient } {
  const make = (fetchFn?: ReturnType<typeof nodeFetch>) => createPublicClient({ transport: httpTransport(url, { retryCount: 0, timeout, fetchFn }) }) as PublicClient;
  return { ours: make(nodeFetch()), platform: make() };
}

/** What a failed call threw, for comparison: its class, its HTTP status and its short message. */
async function failure(call: Promise<unknown>): Promise<{ name: string; status?: number; shortMessage?: string }> {
  try {
    await call;
  } catch (err) {
    const e = err as { name: string; status?: number; shortMessage?: string };
    return { name: e.name, status: e.status, shortMessage: e.shortMessage };
  }
  throw new Error("the call did not fail");
}

/** An HTTP endpoint answering every request with `answer`, counting the TCP connections it was sent on and when each closed. */
async function endpoint(answer: (res: http.ServerResponse) => void, keepAliveTimeout?: number) {
  const stats = { connections: 0, requests: 0, closedAt: [] as number[] };
  const server = http.createServer((req, res) => {
    stats.requests++;
    req.resume();
    req.on("end", () => answer(res));
  });
  if (keepAliveTimeout !== undefined) server.keepAliveTimeout = keepAliveTimeout;
  server.on("connection", (socket) => {
    stats.connections++;
    socket.on("close", () => stats.closedAt.push(performance.now()));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    stats,
    close: () => new Promise<void>((resolve) => (server.closeAllConnections(), server.close(() => resolve()))),
  };
}

describe("nodeFetch (the relay's JSON-RPC transport, the benchmarks' tills)", () => {
  let chain: LocalChain;
  before(async () => {
    chain = await LocalChain.start();
  });
  after(async () => {
    await chain?.stop();
  });

  it("answers a real node's reads, logs and reverts exactly as the platform's fetch does", async () => {
    const d = await deployConfiance({ wallet: chain.wallet(0), client: chain.client });
    const { ours, platform } = clients(chain.url);
    const head = await platform.getBlockNumber();
    expect(await ours.getChainId()).to.equal(31337);
    expect(await ours.getBlockNumber({ cacheTime: 0 })).to.equal(head);
    expect(await ours.getBlock({ blockNumber: head })).to.deep.equal(await platform.getBlock({ blockNumber: head }));
    const logs = { fromBlock: 0n, toBlock: head } as const;
    const ourLogs = await ours.getLogs(logs);
    expect(ourLogs.length).to.be.greaterThan(0);
    expect(ourLogs).to.deep.equal(await platform.getLogs(logs));
    const read = (c: PublicClient) => c.readContract({ address: d.points, abi: coalitionPointsAbi, functionName: "unitValue" });
    expect(await read(ours)).to.equal(await read(platform));
    // A call the contract refuses: the same error, decoded the same way.
    const refused = (c: PublicClient) =>
      c.simulateContract({ account: testAccount(5).address, address: d.points, abi: coalitionPointsAbi, functionName: "deposit", args: [1n] });
    const mine = await failure(refused(ours));
    expect(mine.name).to.equal("ContractFunctionExecutionError");
    expect(mine).to.deep.equal(await failure(refused(platform)));
  });

  it("keeps its connection alive across requests, and opens several for requests at once", async () => {
    const e = await endpoint((res) => res.writeHead(200, { "content-type": "application/json" }).end('{"jsonrpc":"2.0","id":1,"result":"0x7a69"}'));
    try {
      const { ours } = clients(e.url);
      for (let i = 0; i < 20; i++) expect(await ours.getChainId()).to.equal(31337);
      expect(e.stats).to.include({ connections: 1, requests: 20 });
      await Promise.all([...Array(4)].map(() => ours.request({ method: "eth_chainId" })));
      expect(e.stats.requests).to.equal(24);
      expect(e.stats.connections).to.be.within(2, 4);
    } finally {
      await e.close();
    }
  });

  it("closes an idle connection a second before the server says it would (Keep-Alive: timeout=), not on the server's timing", async () => {
    const e = await endpoint((res) => res.writeHead(200, { "content-type": "application/json" }).end('{"jsonrpc":"2.0","id":1,"result":"0x7a69"}'), 3_000);
    try {
      const { ours } = clients(e.url);
      expect(await ours.getChainId()).to.equal(31337);
      const answered = performance.now();
      await new Promise((r) => setTimeout(r, 2_600));
      // The server announced 3 s: the client closed it after 2 s, before the server would have.
      expect(e.stats.closedAt).to.have.length(1);
      expect(e.stats.closedAt[0]! - answered).to.be.within(1_800, 2_900);
      expect(await ours.getChainId()).to.equal(31337);
      expect(e.stats.connections).to.equal(2);
    } finally {
      await e.close();
    }
  });

  it("fails as the platform's fetch does: a JSON-RPC error, HTTP 429 and 500, an endpoint that does not answer, an answer too large, one that is down", async () => {
    const cases: { what: string; answer: (res: http.ServerResponse) => void; name: string; status?: number }[] = [
      {
        what: "JSON-RPC error",
        answer: (res) => res.writeHead(200, { "content-type": "application/json" }).end('{"jsonrpc":"2.0","id":1,"error":{"code":-32000,"message":"header not found"}}'),
        name: "InvalidInputRpcError",
      },
      {
        what: "rate limited",
        answer: (res) => res.writeHead(429, { "content-type": "application/json" }).end('{"jsonrpc":"2.0","id":1,"error":{"code":-32005,"message":"rate limit exceeded"}}'),
        name: "LimitExceededRpcError",
      },
      { what: "server error", answer: (res) => res.writeHead(500, { "content-type": "text/plain" }).end("upstream exploded"), name: "HttpRequestError", status: 500 },
      { what: "no answer", answer: () => undefined, name: "TimeoutError" },
    ];
    for (const c of cases) {
      const e = await endpoint(c.answer);
      try {
        const { ours, platform } = clients(e.url, 300);
        const mine = await failure(ours.getBlockNumber({ cacheTime: 0 }));
        expect(mine.name, c.what).to.equal(c.name);
        if (c.status) expect(mine.status, c.what).to.equal(c.status);
        expect(mine, c.what).to.deep.equal(await failure(platform.getBlockNumber({ cacheTime: 0 })));
      } finally {
        await e.close();
      }
    }
    // An answer beyond viem's limit (10 MiB) is refused as it arrives, with viem's error.
    const huge = await endpoint((res) => {
      res.writeHead(200, { "content-type": "application/json" });
      const chunk = Buffer.alloc(1024 * 1024, 0x20);
      for (let i = 0; i < 11; i++) res.write(chunk);
      res.end('{"jsonrpc":"2.0","id":1,"result":"0x1"}');
    });
    try {
      const { ours, platform } = clients(huge.url);
      const tooLarge = await failure(ours.getBlockNumber({ cacheTime: 0 }));
      expect(tooLarge.name).to.equal("ResponseBodyTooLargeError");
      expect(tooLarge).to.deep.equal({ ...(await failure(platform.getBlockNumber({ cacheTime: 0 }))) });
    } finally {
      await huge.close();
    }
    const down = `http://127.0.0.1:${await freePort()}`;
    const { ours, platform } = clients(down, 1_000);
    const mine = await failure(ours.getBlockNumber({ cacheTime: 0 }));
    expect(mine.name).to.equal("HttpRequestError");
    expect(mine).to.deep.equal(await failure(platform.getBlockNumber({ cacheTime: 0 })));
  });
});
