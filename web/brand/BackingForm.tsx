import { useState } from "react";
import { erc20Abi, type Address } from "viem";
import { useConfig } from "wagmi";
import { readContract, waitForTransactionReceipt, writeContract } from "wagmi/actions";
import { parseAmount } from "./brandApi";
import { useBrandText } from "./messages";
import { isBusy, sendAndMine, stageOfError, StageStatus, type Stage } from "./walletStage";

/** The two CoalitionPoints functions this form calls (the whole ABI would weigh on the room's bundle). */
const coalitionPointsAbi = [
  { type: "function", name: "deposit", stateMutability: "nonpayable", inputs: [{ name: "amount", type: "uint256" }], outputs: [] },
  { type: "function", name: "withdraw", stateMutability: "nonpayable", inputs: [{ name: "amount", type: "uint256" }, { name: "to", type: "address" }], outputs: [] },
] as const;

/**
 * Deposit (approve the settlement asset as needed, then deposit) or withdraw backing with the connected
 * wallet, which must be the brand's; each stage said in words. `decimals` are the settlement asset's, as
 * read from the chain (SettlementDecimals): the typed amount is in the asset's units.
 */
export function BackingForm({ brand, wallet, points, settlement, decimals, onDone }: { brand: Address; wallet: Address; points: Address; settlement: Address; decimals: number; onDone: () => void }) {
  const { t } = useBrandText();
  const config = useConfig();
  const [amount, setAmount] = useState("");
  const [stage, setStage] = useState<Stage>({ kind: "idle" });
  const busy = isBusy(stage);
  const isBrand = wallet.toLowerCase() === brand.toLowerCase();

  async function run(action: "deposit" | "withdraw") {
    const value = parseAmount(amount, decimals);
    if (value === undefined) return setStage({ kind: "failed", message: t("backing.invalid", { decimals }) });
    try {
      if (action === "deposit") {
        const allowance = await readContract(config, { address: settlement, abi: erc20Abi, functionName: "allowance", args: [wallet, points] });
        if (allowance < value) {
          setStage({ kind: "approving" });
          const approve = await writeContract(config, { address: settlement, abi: erc20Abi, functionName: "approve", args: [points, value] });
          setStage({ kind: "mining" });
          await waitForTransactionReceipt(config, { hash: approve });
        }
      }
      await sendAndMine(config, setStage, () =>
        action === "deposit"
          ? writeContract(config, { address: points, abi: coalitionPointsAbi, functionName: "deposit", args: [value] })
          : writeContract(config, { address: points, abi: coalitionPointsAbi, functionName: "withdraw", args: [value, wallet] }),
      );
      onDone();
    } catch (err) {
      setStage(stageOfError(err));
    }
  }

  if (!isBrand) return <p role="alert">{t("backing.wrongWallet", { wallet, brand })}</p>;
  return (
    <form onSubmit={(e) => e.preventDefault()}>
      <label htmlFor="backing-amount">{t("backing.amount")}</label>
      <input id="backing-amount" inputMode="decimal" autoComplete="off" value={amount} onChange={(e) => setAmount(e.target.value)} />
      <div className="buttons">
        <button type="button" className="primary" disabled={busy} onClick={() => void run("deposit")}>
          {t("backing.deposit")}
        </button>
        <button type="button" disabled={busy} onClick={() => void run("withdraw")}>
          {t("backing.withdraw")}
        </button>
      </div>
      <StageStatus stage={stage} testId="backing-status" />
    </form>
  );
}
