import { useState } from "react";
import type { Address } from "viem";
import { useConfig, useConnection, useReadContract } from "wagmi";
import { writeContract } from "wagmi/actions";
import { useChainStatus } from "../common/wallet/useChainStatus";
import { useBrandText } from "./messages";
import { isBusy, sendAndMine, stageOfError, StageStatus, type Stage } from "./walletStage";

/** The two CoalitionPoints functions this card calls (the whole ABI would weigh on the room's bundle). */
const coalitionPointsAbi = [
  { type: "function", name: "acceptsRedemptions", stateMutability: "view", inputs: [{ name: "brand", type: "address" }], outputs: [{ type: "bool" }] },
  { type: "function", name: "setAcceptsRedemptions", stateMutability: "nonpayable", inputs: [{ name: "accepted", type: "bool" }], outputs: [] },
] as const;

/**
 * The card's body: the form once a wallet is connected on the relay's chain (the backing card above offers the
 * connection, once for the page), a hint until then.
 */
export function RedemptionsCard({ brand }: { brand: Address }) {
  const { t } = useBrandText();
  const chain = useChainStatus();
  const connection = useConnection();
  if (chain.status !== "ready" || connection.status !== "connected" || connection.chainId !== chain.config.chainId) return <p className="muted">{t("redemptions.connect")}</p>;
  return <RedemptionsForm brand={brand} wallet={connection.address} points={chain.config.points} />;
}

/**
 * Whether the brand's shops take points as payment (CoalitionPoints' `acceptsRedemptions`, read from the chain),
 * and the switch, sent by the connected wallet, which must be the brand's (`setAcceptsRedemptions`: only the
 * brand itself may call it, so the relay cannot do it for the brand). Customers see the change once indexed.
 */
export function RedemptionsForm({ brand, wallet, points }: { brand: Address; wallet: Address; points: Address }) {
  const { t } = useBrandText();
  const config = useConfig();
  const accepts = useReadContract({ address: points, abi: coalitionPointsAbi, functionName: "acceptsRedemptions", args: [brand] });
  const [stage, setStage] = useState<Stage>({ kind: "idle" });
  const isBrand = wallet.toLowerCase() === brand.toLowerCase();

  async function set(accepted: boolean) {
    try {
      await sendAndMine(config, setStage, () => writeContract(config, { address: points, abi: coalitionPointsAbi, functionName: "setAcceptsRedemptions", args: [accepted] }));
      await accepts.refetch();
    } catch (err) {
      setStage(stageOfError(err));
    }
  }

  if (accepts.error) return <p role="alert">{t("failed", { message: accepts.error.message.split("\n")[0]! })}</p>;
  if (accepts.data === undefined) return <p>{t("loading")}</p>;
  return (
    <>
      <p data-testid="redemptions">{accepts.data ? t("redemptions.accepted") : t("redemptions.refused")}</p>
      {isBrand ? (
        <>
          <button type="button" disabled={isBusy(stage)} onClick={() => void set(!accepts.data)}>
            {accepts.data ? t("redemptions.stop") : t("redemptions.start")}
          </button>
          <StageStatus stage={stage} testId="redemptions-status" />
        </>
      ) : (
        <p role="alert">{t("backing.wrongWallet", { wallet, brand })}</p>
      )}
    </>
  );
}
