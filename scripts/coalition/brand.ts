import { erc20Abi } from "viem";
import type { Command } from "./command";
import { addressArg, amountArg, onOffArg, pointsCall, sender } from "./command";
import { RefusedError } from "./errors";
import { formatAmount } from "./format";
import { printBrand } from "./print";
import { send } from "./send";
import { readBrand } from "./state";
import type { Ctx } from "./context";

/** A brand's commands, sent from the brand's own key (never an operator's). */
async function showSender(ctx: Ctx): Promise<void> {
  ctx.out();
  printBrand(ctx, await readBrand(ctx, sender(ctx)));
}

export const brandCommands: Command[] = [
  {
    name: "deposit",
    role: "brand",
    usage: "AMOUNT",
    summary: "add backing in the settlement asset (approves CoalitionPoints as needed)",
    help:
      "The brand adds AMOUNT of the settlement asset (in its units: 1000, 12.5) to its backing balance in CoalitionPoints, from which its issuance is paid. " +
      "When CoalitionPoints may not yet take that much from the brand's wallet, the command first approves exactly AMOUNT (a transaction of the asset).",
    args: { min: 1, max: 1 },
    needsKey: true,
    async run(ctx, { positionals }) {
      const amount = amountArg(positionals[0], ctx.settlement);
      const [wallet, allowance] = await Promise.all([
        ctx.client.readContract({ address: ctx.settlement.address, abi: erc20Abi, functionName: "balanceOf", args: [sender(ctx)] }),
        ctx.client.readContract({ address: ctx.settlement.address, abi: erc20Abi, functionName: "allowance", args: [sender(ctx), ctx.points] }),
      ]);
      if (wallet < amount) {
        throw new RefusedError(
          ctx.settlement.symbol,
          `balanceOf(${sender(ctx)}) is ${wallet}, below ${amount}`,
          `the brand's wallet holds ${formatAmount(wallet, ctx.settlement)} of the settlement asset; the deposit needs ${formatAmount(amount, ctx.settlement)}.`,
        );
      }
      if (allowance < amount) {
        await send(ctx, {
          contract: ctx.settlement.symbol,
          address: ctx.settlement.address,
          abi: erc20Abi,
          functionName: "approve",
          args: [ctx.points, amount],
          label: `${ctx.settlement.symbol}.approve(${ctx.points}, ${amount}) [${formatAmount(amount, ctx.settlement)}]`,
        });
      }
      await pointsCall(ctx, "deposit", [amount], `deposit(${amount}) [${formatAmount(amount, ctx.settlement)}]`);
      await showSender(ctx);
    },
  },
  {
    name: "withdraw",
    role: "brand",
    usage: "AMOUNT",
    summary: "take backing out (to the brand's wallet, or --to ADDRESS)",
    help: "The brand takes AMOUNT of its backing balance out of CoalitionPoints, to its own wallet or to --to ADDRESS. Points already issued stay backed: only the balance not yet used for issuance can leave.",
    options: { to: { type: "string", value: "ADDRESS", description: "where the settlement asset goes (default: the brand itself)" } },
    args: { min: 1, max: 1 },
    needsKey: true,
    async run(ctx, { positionals, values }) {
      const amount = amountArg(positionals[0], ctx.settlement);
      const to = values.to === undefined ? sender(ctx) : addressArg(values.to as string, "--to");
      await pointsCall(ctx, "withdraw", [amount, to], `withdraw(${amount}, ${to}) [${formatAmount(amount, ctx.settlement)}]`);
      await showSender(ctx);
    },
  },
  {
    name: "propose-operator",
    role: "brand",
    usage: "OPERATOR",
    summary: "propose a hot key (the relay's, a till's) as the brand's operator",
    help:
      "The brand proposes OPERATOR as a key acting for it (issuing and reversing points). The key acts only once it accepts, with `accept-operator BRAND` sent from that key. " +
      "A key serves one brand only.",
    args: { min: 1, max: 1 },
    needsKey: true,
    async run(ctx, { positionals }) {
      await pointsCall(ctx, "setOperator", [addressArg(positionals[0], "OPERATOR"), true]);
      await showSender(ctx);
    },
  },
  {
    name: "remove-operator",
    role: "brand",
    usage: "OPERATOR",
    summary: "remove an operator, or withdraw a proposal",
    help: "The brand removes OPERATOR (it no longer acts for the brand) or withdraws its proposal. Use it at once for a leaked key: it works while paused.",
    args: { min: 1, max: 1 },
    needsKey: true,
    async run(ctx, { positionals }) {
      await pointsCall(ctx, "setOperator", [addressArg(positionals[0], "OPERATOR"), false]);
      await showSender(ctx);
    },
  },
  {
    name: "accept-redemptions",
    role: "brand",
    usage: "on|off",
    summary: "accept (on) or stop accepting (off) customers' points at this brand",
    help: "The brand accepts redemptions (on, the default once admitted) or stops accepting them (off). It still issues points either way.",
    args: { min: 1, max: 1 },
    needsKey: true,
    async run(ctx, { positionals }) {
      await pointsCall(ctx, "setAcceptsRedemptions", [onOffArg(positionals[0], "the argument")]);
      await showSender(ctx);
    },
  },
];
