import type { Page } from "playwright-core";
import { createWalletClient, defineChain, http, numberToHex, type Hex } from "viem";
import { generatePrivateKey, privateKeyToAccount, type PrivateKeyAccount } from "viem/accounts";

/** What the page's provider gets back for one request: a result or an EIP-1193 error, and events to emit. */
interface WalletAnswer {
  result?: unknown;
  error?: { code: number; message: string };
  events?: [event: string, data: unknown][];
}

/** Requests a person could refuse in a real wallet's prompt. */
export type Refusable = "connect" | "sign" | "switchChain" | "send";

export interface TestWalletOptions {
  /** The wallet's key; a fresh random one when omitted. */
  account?: PrivateKeyAccount;
  /** The chains the wallet knows: chain id -> JSON-RPC URL (undefined: known, not reachable). */
  chains: Record<number, string | undefined>;
  /** The chain the wallet is on at first. */
  chainId: number;
  /** Set window.ethereum (default true). */
  injected?: boolean;
  /** Announce itself by EIP-6963 (default true). */
  announce?: boolean;
}

export const TEST_WALLET_NAME = "Test Wallet";
const BINDING = "__confianceTestWallet";

/**
 * An EIP-1193 wallet for browser tests: the provider lives in the page (window.ethereum and/or EIP-6963)
 * and hands every request to this object in the test process, which answers as a wallet does, signing
 * with a viem local account: accounts, chain id and switching (4902 for an unknown chain, then
 * wallet_addEthereumChain), EIP-712 and personal signatures, transactions signed here and sent to the
 * current chain's RPC, and any other method forwarded to that RPC. `refuse(...)` makes it answer like
 * a person who clicks "Reject" (EIP-1193 code 4001).
 */
export class TestWallet {
  readonly account: PrivateKeyAccount;
  chainId: number;
  connected = false;
  /** Every method the page asked for, in order. */
  readonly calls: string[] = [];
  /** The chains the wallet knows (chain id -> RPC URL), including those the page added. */
  readonly chains: Map<number, string | undefined>;
  private readonly refusing = new Set<Refusable>();
  private page: Page | undefined;

  constructor(private readonly options: TestWalletOptions) {
    this.account = options.account ?? privateKeyToAccount(generatePrivateKey());
    this.chainId = options.chainId;
    this.chains = new Map(Object.entries(options.chains).map(([id, url]) => [Number(id), url]));
  }

  get address(): Hex {
    return this.account.address;
  }

  /** From now on, refuse these requests (code 4001); `accept` undoes it. */
  refuse(...what: Refusable[]): this {
    for (const w of what) this.refusing.add(w);
    return this;
  }

  accept(...what: Refusable[]): this {
    for (const w of what) this.refusing.delete(w);
    return this;
  }

  /** Installs the provider in `page` before any of its scripts run. */
  async install(page: Page): Promise<void> {
    this.page = page;
    await page.exposeFunction(BINDING, (method: string, params: unknown[]) => this.handle(method, params));
    await page.addInitScript(pageProvider, { binding: BINDING, injected: this.options.injected !== false, announce: this.options.announce !== false, name: TEST_WALLET_NAME });
  }

  /** As if the person switched networks in the wallet's own screen. */
  async userSwitchesTo(chainId: number): Promise<void> {
    this.chainId = chainId;
    await this.page?.evaluate(([binding, hex]) => (window as unknown as Record<string, { emit(e: string, d: unknown): void }>)[`${binding}Events`]!.emit("chainChanged", hex), [BINDING, numberToHex(chainId)] as const);
  }

  async handle(method: string, params: unknown[] = []): Promise<WalletAnswer> {
    this.calls.push(method);
    try {
      return await this.answer(method, params);
    } catch (err) {
      const e = err as { code?: number; message?: string };
      return { error: { code: typeof e.code === "number" ? e.code : -32603, message: e.message ?? String(err) } };
    }
  }

  private refused(what: Refusable): WalletAnswer | undefined {
    return this.refusing.has(what) ? { error: { code: 4001, message: "User rejected the request." } } : undefined;
  }

  private requireAccount(address: unknown): void {
    if (!this.connected) throw Object.assign(new Error("The requested account has not been authorized by the user."), { code: 4100 });
    if (typeof address !== "string" || address.toLowerCase() !== this.address.toLowerCase()) throw Object.assign(new Error(`unknown account ${String(address)}`), { code: 4100 });
  }

  private async answer(method: string, params: unknown[]): Promise<WalletAnswer> {
    const hex = numberToHex(this.chainId);
    switch (method) {
      case "eth_requestAccounts":
      case "wallet_requestPermissions": {
        const no = this.refused("connect");
        if (no) return no;
        const events: WalletAnswer["events"] = this.connected ? [] : [["connect", { chainId: hex }], ["accountsChanged", [this.address]]];
        this.connected = true;
        return { result: method === "eth_requestAccounts" ? [this.address] : [{ parentCapability: "eth_accounts" }], events };
      }
      case "eth_accounts":
        return { result: this.connected ? [this.address] : [] };
      case "wallet_revokePermissions":
        this.connected = false;
        return { result: null, events: [["accountsChanged", []]] };
      case "eth_chainId":
        return { result: hex };
      case "net_version":
        return { result: String(this.chainId) };
      case "wallet_switchEthereumChain": {
        const no = this.refused("switchChain");
        if (no) return no;
        const id = Number((params[0] as { chainId: string }).chainId);
        if (!this.chains.has(id)) return { error: { code: 4902, message: `Unrecognized chain ID ${numberToHex(id)}. Try adding the chain using wallet_addEthereumChain first.` } };
        return this.switchTo(id);
      }
      case "wallet_addEthereumChain": {
        const no = this.refused("switchChain");
        if (no) return no;
        const p = params[0] as { chainId: string; rpcUrls?: string[] };
        this.chains.set(Number(p.chainId), p.rpcUrls?.[0]);
        return this.switchTo(Number(p.chainId));
      }
      case "eth_signTypedData_v4": {
        this.requireAccount(params[0]);
        const no = this.refused("sign");
        if (no) return no;
        const typed = JSON.parse(params[1] as string);
        return { result: await this.account.signTypedData(typed) };
      }
      case "personal_sign": {
        this.requireAccount(params[1]);
        const no = this.refused("sign");
        if (no) return no;
        return { result: await this.account.signMessage({ message: { raw: params[0] as Hex } }) };
      }
      case "eth_sendTransaction": {
        const tx = params[0] as { from: string; to?: Hex; data?: Hex; value?: Hex; gas?: Hex };
        this.requireAccount(tx.from);
        const no = this.refused("send");
        if (no) return no;
        const url = this.rpcUrl();
        const client = createWalletClient({ account: this.account, chain: defineChain({ id: this.chainId, name: `chain ${this.chainId}`, nativeCurrency: { name: "Ether", symbol: "ETH", decimals: 18 }, rpcUrls: { default: { http: [url] } } }), transport: http(url) });
        const hash = await client.sendTransaction({ to: tx.to, data: tx.data, value: tx.value ? BigInt(tx.value) : undefined, gas: tx.gas ? BigInt(tx.gas) : undefined });
        return { result: hash };
      }
      default:
        return { result: await this.forward(method, params) };
    }
  }

  private switchTo(id: number): WalletAnswer {
    const changed = id !== this.chainId;
    this.chainId = id;
    return { result: null, events: changed ? [["chainChanged", numberToHex(id)]] : [] };
  }

  private rpcUrl(): string {
    const url = this.chains.get(this.chainId);
    if (!url) throw Object.assign(new Error(`the wallet cannot reach chain ${this.chainId}`), { code: 4901 });
    return url;
  }

  private async forward(method: string, params: unknown[]): Promise<unknown> {
    const res = await fetch(this.rpcUrl(), { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ jsonrpc: "2.0", id: 1, method, params }) });
    const body = (await res.json()) as { result?: unknown; error?: { code: number; message: string } };
    if (body.error) throw Object.assign(new Error(body.error.message), { code: body.error.code });
    return body.result;
  }
}

/** Runs in the page, before its scripts: the EIP-1193 provider that hands each request to the test. */
function pageProvider({ binding, injected, announce, name }: { binding: string; injected: boolean; announce: boolean; name: string }): void {
  type Listener = (data: unknown) => void;
  const listeners = new Map<string, Set<Listener>>();
  const emit = (event: string, data: unknown) => listeners.get(event)?.forEach((fn) => fn(data));
  const provider = {
    async request({ method, params }: { method: string; params?: unknown[] }) {
      const answer = await (window as unknown as Record<string, (m: string, p: unknown[]) => Promise<WalletAnswer>>)[binding]!(method, params ?? []);
      for (const [event, data] of answer.events ?? []) emit(event, data);
      if (answer.error) throw Object.assign(new Error(answer.error.message), { code: answer.error.code });
      return answer.result;
    },
    on(event: string, fn: Listener) {
      if (!listeners.has(event)) listeners.set(event, new Set());
      listeners.get(event)!.add(fn);
      return provider;
    },
    removeListener(event: string, fn: Listener) {
      listeners.get(event)?.delete(fn);
      return provider;
    },
  };
  (window as unknown as Record<string, unknown>)[`${binding}Events`] = { emit };
  if (injected) (window as unknown as Record<string, unknown>).ethereum = provider;
  if (announce) {
    const icon = "data:image/svg+xml,%3Csvg xmlns='http://www.w3.org/2000/svg' viewBox='0 0 8 8'%3E%3Crect width='8' height='8' fill='%23888'/%3E%3C/svg%3E";
    const info = Object.freeze({ uuid: "6b1d3a52-0f6e-4b2e-9c55-0d1e5a7c9f10", name, icon, rdns: "org.confiance.testwallet" });
    const detail = Object.freeze({ info, provider });
    const announceIt = () => window.dispatchEvent(new CustomEvent("eip6963:announceProvider", { detail }));
    window.addEventListener("eip6963:requestProvider", announceIt);
    announceIt();
  }
}
