import type { Address } from "viem";
import { formatAmount, formatPeriod } from "./format";
import type { Settlement } from "./context";

/**
 * The contracts' custom errors in words, with what to do about them (docs/points.md and docs/consent.md list
 * every error). `args` are the decoded arguments, in the order the error declares them.
 */
export function explain(errorName: string, args: readonly unknown[], settlement: Settlement): string {
  const a = args as readonly (Address & bigint & number)[];
  const money = (units: unknown) => formatAmount(BigInt(units as bigint), settlement);
  switch (errorName) {
    case "AccessControlUnauthorizedAccount":
      return `${a[0]} is not governance: only the key holding CoalitionPoints' admin role may do this.`;
    case "BrandNotAdmitted":
      return `${a[0]} is not an admitted brand (governance admits brands with \`admit\`; a suspended brand cannot deposit or accept redemptions).`;
    case "BrandAlreadyAdmitted":
      return `${a[0]} is already an admitted brand.`;
    case "BrandIsOperator":
      return `${a[0]} is an operator of brand ${a[1]}: an operator key cannot also be a brand (it can \`renounce-operator\` first).`;
    case "NotBrand":
      return `${a[0]} is not a brand: only a brand's own key (admitted or suspended) may do this, never an operator's.`;
    case "OperatorOfAnotherBrand":
      return `${a[0]} already acts for brand ${a[1]}: an operator key serves one brand only.`;
    case "OperatorAlreadySet":
      return `${a[1]} already acts for brand ${a[0]}.`;
    case "OperatorNotProposed":
      return `brand ${a[0]} has not proposed ${a[1]} as its operator: the brand runs \`propose-operator\` first.`;
    case "OperatorNotSet":
      return `${a[1]} is neither an operator of brand ${a[0]} nor proposed by it.`;
    case "OperatorIsBrand":
      return `${a[0]} is a brand: a brand cannot act as an operator.`;
    case "ZeroAddress":
      return "the zero address is not allowed here.";
    case "ZeroAmount":
      return "the amount must be above 0.";
    case "InsufficientBrandBalance":
      return `brand ${a[0]} holds ${money(a[1])} of backing; ${money(a[2])} is needed.`;
    case "ERC20InsufficientBalance":
      return `${a[0]} holds ${money(a[1])} of the settlement asset; ${money(a[2])} is needed.`;
    case "ERC20InsufficientAllowance":
      return `CoalitionPoints may take ${money(a[1])} of the settlement asset; ${money(a[2])} is needed.`;
    case "UnsupportedSettlementTransfer":
      return `the settlement asset delivered ${money(a[1])} instead of ${money(a[0])}: fee-on-transfer assets are not supported.`;
    case "ExpiryPeriodTooShort":
      return `an expiry period is 0 (never) or at least ${formatPeriod(Number(a[1]))}; ${formatPeriod(Number(a[0]))} was given.`;
    case "TooManyTiers":
      return `at most ${a[1]} tier thresholds; ${a[0]} were given.`;
    case "InvalidTierThreshold":
      return `tier threshold #${Number(a[0]) + 1} (${a[1]}) must be above 0 and above the one before it.`;
    case "EnforcedPause":
      return "CoalitionPoints is paused: governance must `unpause` it first.";
    case "ExpectedPause":
      return "CoalitionPoints is not paused.";
    case "ZeroPurpose":
      return "the purpose id is zero.";
    case "ZeroNoticeHash":
      return "the notice hash is zero.";
    default:
      return "see the errors tables of docs/points.md and docs/consent.md.";
  }
}
