import type { Ctx } from "./context";
import { formatAmount, formatPeriod, formatTime, yesNo } from "./format";
import type { BrandState, BrandSummary, CoalitionState } from "./state";

/** The coalition's state, one fact a line (docs/coalition.md shows it). */
export function printCoalition(ctx: Ctx, s: CoalitionState): void {
  const { out } = ctx;
  const money = (units: bigint) => formatAmount(units, ctx.settlement);
  out(`Coalition: CoalitionPoints ${ctx.points} on chain ${ctx.chain.id}, block ${s.block}`);
  out(`  consent ledger      ${ctx.ledger ?? "not given"}`);
  out(`  settlement asset    ${ctx.settlement.address} (${ctx.settlement.symbol}, ${ctx.settlement.decimals} decimals)`);
  out(`  unit value          ${s.unitValue} units = ${money(s.unitValue)} per point`);
  out(`  governance          ${s.governance.join(", ") || "none"}`);
  out(`  treasury            ${s.treasury}`);
  out(`  paused              ${yesNo(s.paused)}`);
  out(`  transfers           ${s.transfersEnabled ? "enabled" : "disabled"}`);
  out(`  expiry              ${formatPeriod(s.expiryPeriod)}`);
  out(`  pending expiry      ${s.pendingExpiry ? `${formatPeriod(s.pendingExpiry.period)} from ${formatTime(s.pendingExpiry.effectiveAt)}` : "none"}`);
  out(`  tiers               ${s.tiers.length ? `${s.tiers.join(", ")} lifetime points` : "none"}`);
  out(`  points              ${s.totalSupply} in circulation, reserve ${money(s.reserve)}`);
  out(`  brands              ${s.brands.length}`);
  for (const b of s.brands) out(`    ${summaryLine(ctx, b)}`);
}

function summaryLine(ctx: Ctx, b: BrandSummary): string {
  return `${b.address} ${b.status}, backing ${formatAmount(b.balance, ctx.settlement)}, redemptions ${b.acceptsRedemptions ? "accepted" : "not accepted"}`;
}

/** One brand's state, one fact a line. */
export function printBrand(ctx: Ctx, s: BrandState): void {
  const { out } = ctx;
  const money = (units: bigint) => formatAmount(units, ctx.settlement);
  out(`Brand ${s.address} at block ${s.block}`);
  out(`  status              ${s.status}`);
  out(`  redemptions         ${s.acceptsRedemptions ? "accepted" : "not accepted"}`);
  out(`  backing             ${money(s.balance)}`);
  out(`  wallet              ${money(s.wallet)} (CoalitionPoints may take ${money(s.allowance)})`);
  out(`  operators           ${s.operators.join(", ") || "none"}`);
  out(`  proposed operators  ${s.proposed.join(", ") || "none"}`);
  if (!s.purposes) {
    out("  purposes            unknown (give --ledger or a deployment file)");
    return;
  }
  out(`  purposes            ${s.purposes.length}`);
  for (const p of s.purposes) {
    out(`    ${p.name ?? p.id}: notice ${p.noticeHash} at ${p.noticeURI} (${p.versions} version${p.versions === 1 ? "" : "s"} published)`);
  }
}
