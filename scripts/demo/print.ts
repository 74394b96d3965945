import type { TxRecord } from "./txlog";

const useColour = process.stdout.isTTY && !process.env.NO_COLOR;
const paint = (code: string) => (s: string) => (useColour ? `\x1b[${code}m${s}\x1b[0m` : s);
export const bold = paint("1");
export const dim = paint("2");
export const green = paint("32");
export const red = paint("31");
export const cyan = paint("36");

/** Writes the journey's account: numbered steps, indented facts, transactions with gas. */
export class Narrator {
  private step = 0;
  private readonly started = performance.now();
  readonly checks: { step: number; what: string; ok: boolean }[] = [];

  title(text: string): void {
    console.log(`\n${bold(text)}`);
  }

  begin(text: string): void {
    this.step += 1;
    const t = ((performance.now() - this.started) / 1000).toFixed(1);
    console.log(`\n${bold(`${this.step}. ${text}`)} ${dim(`[t+${t}s]`)}`);
  }

  say(text: string): void {
    console.log(`   ${text}`);
  }

  fact(label: string, value: string): void {
    console.log(`   ${dim(`${label}:`.padEnd(26))} ${value}`);
  }

  tx(r: TxRecord): void {
    const gas = `gas ${r.gas.toLocaleString("en-US").padStart(9)}`;
    console.log(`   ${dim("tx")} ${r.label.padEnd(46)} ${gas}  ${dim(`block ${String(r.block).padStart(3)}, ${r.paidBy.padEnd(10)}`)} ${cyan(r.hash)}`);
  }

  /** A checked outcome: printed with a tick, and the demo fails at the end if any is false. */
  check(what: string, ok: boolean): void {
    this.checks.push({ step: this.step, what, ok });
    console.log(`   ${ok ? green("✔") : red("✘")} ${what}`);
  }

  elapsedSeconds(): number {
    return (performance.now() - this.started) / 1000;
  }
}

export function short(addr: string): string {
  return `${addr.slice(0, 8)}…${addr.slice(-4)}`;
}
