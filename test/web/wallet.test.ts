import { expect } from "chai";
import { endOfDay } from "../../web/wallet/endOfDay";
import { signatureDeadline } from "../../web/common/wallet/signatureDeadline";
import { visibleConnectors } from "../../web/common/wallet/visibleConnectors";
import { chainOf } from "../../web/common/wallet/createWagmiConfig";

describe("web: wallet helpers", () => {
  describe("the wallets offered", () => {
    const generic = { id: "injected", name: "Injected" };
    const metamask = { id: "io.metamask", name: "MetaMask" };
    const rabby = { id: "io.rabby", name: "Rabby Wallet" };

    it("are the wallets announced by EIP-6963, without the generic one they duplicate", () => {
      expect(visibleConnectors([generic, metamask, rabby], true)).to.deep.equal([metamask, rabby]);
    });
    it("is the browser wallet alone when nothing is announced but window.ethereum exists", () => {
      expect(visibleConnectors([generic], true)).to.deep.equal([generic]);
    });
    it("are none without any wallet", () => {
      expect(visibleConnectors([generic], false)).to.deep.equal([]);
    });
    it("name each wallet once when it announced itself twice", () => {
      expect(visibleConnectors([generic, metamask, { id: "io.metamask.flask", name: "MetaMask" }], true)).to.deep.equal([metamask]);
    });
  });

  describe("a signature's deadline", () => {
    const now = Date.UTC(2026, 0, 1) ;
    it("counts from the device's clock when the chain is behind it", () => {
      expect(signatureDeadline(BigInt(now / 1000 - 500), 3600, now)).to.equal(BigInt(now / 1000 + 3600));
    });
    it("counts from the chain's clock when the chain is ahead (the contracts check block time)", () => {
      expect(signatureDeadline(BigInt(now / 1000 + 86_400), 3600, now)).to.equal(BigInt(now / 1000 + 86_400 + 3600));
    });
  });

  describe("a delegate's end date", () => {
    const now = new Date(2026, 5, 15, 12, 0, 0).getTime();
    it("is the last second of the chosen day, in the reader's time zone", () => {
      expect(endOfDay("2026-06-20", now)).to.equal(Math.floor(new Date(2026, 5, 20, 23, 59, 59).getTime() / 1000));
      expect(endOfDay("2026-06-15", now)).to.equal(Math.floor(new Date(2026, 5, 15, 23, 59, 59).getTime() / 1000));
    });
    it("is refused in the past or when it is not a date", () => {
      expect(endOfDay("2026-06-14", now)).to.equal(undefined);
      expect(endOfDay("", now)).to.equal(undefined);
      expect(endOfDay("20/06/2026", now)).to.equal(undefined);
    });
  });

  it("the relay's chain is the one wallets are asked to add, with the relay's RPC URL", () => {
    const chain = chainOf({ chainId: 31337, rpcUrl: "http://127.0.0.1:8545" });
    expect(chain.id).to.equal(31337);
    expect(chain.rpcUrls.default.http).to.deep.equal(["http://127.0.0.1:8545"]);
    expect(chain.nativeCurrency).to.deep.equal({ name: "Ether", symbol: "ETH", decimals: 18 });
    expect(chainOf({ chainId: 10, rpcUrl: null }).rpcUrls.default.http).to.deep.equal([]);
  });
});
