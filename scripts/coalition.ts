/**
 * `npm run coalition -- <command> [arguments] [options]`: the coalition's on-chain set-up and upkeep, for
 * governance, brands and their operator keys, from a keystore or an environment key (never the command line).
 * `npm run coalition -- --help` lists the commands; `<command> --help` explains one. docs/coalition.md describes
 * each command, what it prints and the exit status.
 */
import { parseArgs } from "node:util";
import { brandCommands } from "./coalition/brand";
import type { Command, OptionSpec, Role } from "./coalition/command";
import { connect } from "./coalition/context";
import { definePurposeCommand } from "./coalition/definePurpose";
import { ChainError, EXIT, RefusedError, RelayFailure, UsageError } from "./coalition/errors";
import { governanceCommands } from "./coalition/governance";
import { refuseSecretsInArguments } from "./coalition/keys";
import { operatorCommands } from "./coalition/operator";
import { statusCommand } from "./coalition/status";
import { loadEnvFile } from "../server/config/envFile";

export const COMMANDS: readonly Command[] = [...governanceCommands, ...brandCommands, definePurposeCommand, ...operatorCommands, statusCommand];

const COMMON: Record<string, OptionSpec> = {
  deployment: { type: "string", value: "FILE", description: "the deployment file `npm run deploy` wrote (default: DEPLOYMENT_FILE, else deployments/localhost.json)" },
  rpc: { type: "string", value: "URL", description: "JSON-RPC endpoint (default: RPC_URL, else http://127.0.0.1:8545)" },
  points: { type: "string", value: "ADDRESS", description: "CoalitionPoints' address, instead of a deployment file" },
  ledger: { type: "string", value: "ADDRESS", description: "ConsentLedger's address, instead of a deployment file" },
  "from-block": { type: "string", value: "N", description: "first block to read logs from (default: the deployment's block, else 0)" },
  keystore: { type: "string", value: "FILE", description: "keystore file (default: KEYSTORE_FILE); its password from KEYSTORE_PASSWORD" },
  from: { type: "string", value: "ADDRESS", description: "which key of a keystore holding several (or a check of the key given)" },
  help: { type: "boolean", description: "this help" },
};

const ROLES: Record<Role, string> = {
  governance: "Governance (the key holding CoalitionPoints' admin role)",
  brand: "A brand (the brand's own key)",
  operator: "An operator (the key a brand proposed: the relay's, a till's)",
  anyone: "Anyone (no key)",
};

const KEYS = `Keys: COALITION_KEY (a 0x-prefixed private key) in the environment, or a Web3 Secret Storage v3 keystore
(--keystore FILE or KEYSTORE_FILE, a single key or an array as the relay's) with KEYSTORE_PASSWORD.
A key or password on the command line is refused.`;

const EXIT_HELP = `Exit status: 0 done; 1 a contract refused (decoded error, nothing changed); 2 bad arguments, key or notice
file (nothing sent); 3 the chain endpoint failed (unreachable, another chain, no contract); 4 the relay refused or
was unreachable (define-purpose --relay).`;

function optionLines(options: Record<string, OptionSpec>): string[] {
  return Object.entries(options).map(([name, o]) => `  --${`${name}${o.value ? ` ${o.value}` : ""}`.padEnd(22)} ${o.description}`);
}

function wrap(text: string, width = 100): string[] {
  const lines: string[] = [];
  let line = "";
  for (const word of text.split(/\s+/)) {
    if (line && line.length + 1 + word.length > width) {
      lines.push(line);
      line = word;
    } else line = line ? `${line} ${word}` : word;
  }
  if (line) lines.push(line);
  return lines;
}

export function mainHelp(): string {
  const out = ["usage: npm run coalition -- <command> [arguments] [options]", ""];
  for (const role of Object.keys(ROLES) as Role[]) {
    out.push(`${ROLES[role]}:`);
    for (const c of COMMANDS.filter((c) => c.role === role)) out.push(`  ${`${c.name} ${c.usage}`.padEnd(44)} ${c.summary}`);
    out.push("");
  }
  out.push("Options of every command:", ...optionLines(COMMON), "", KEYS, "", EXIT_HELP, "", "`npm run coalition -- <command> --help` explains a command; docs/coalition.md describes them all.");
  return out.join("\n") + "\n";
}

export function commandHelp(c: Command): string {
  const out = [`usage: npm run coalition -- ${c.name}${c.usage ? ` ${c.usage}` : ""} [options]`, "", `${ROLES[c.role]}: ${c.summary}.`, "", ...wrap(c.help), ""];
  if (c.options) out.push("Options:", ...optionLines(c.options), "");
  out.push("Options of every command:", ...optionLines(COMMON), "");
  if (c.needsKey) out.push(KEYS, "");
  out.push(EXIT_HELP);
  return out.join("\n") + "\n";
}

export interface Io {
  stdout: (text: string) => void;
  stderr: (text: string) => void;
}

/** Runs one command line; resolves to the exit status. */
export async function run(argv: readonly string[], env: NodeJS.ProcessEnv, io: Io): Promise<number> {
  try {
    refuseSecretsInArguments(argv);
    const name = argv[0];
    if (name === undefined || name === "--help" || name === "-h" || name === "help") {
      const which = name === "help" ? COMMANDS.find((c) => c.name === argv[1]) : undefined;
      if (name === undefined) io.stderr(mainHelp());
      else io.stdout(which ? commandHelp(which) : mainHelp());
      return name === undefined ? EXIT.usage : EXIT.ok;
    }
    const command = COMMANDS.find((c) => c.name === name);
    if (!command) throw new UsageError(`unknown command ${name}: \`npm run coalition -- --help\` lists them`);
    let parsed;
    try {
      parsed = parseArgs({
        args: argv.slice(1) as string[],
        options: Object.fromEntries(Object.entries({ ...COMMON, ...command.options }).map(([k, o]) => [k, { type: o.type }])),
        allowPositionals: true,
        strict: true,
      });
    } catch (err) {
      throw new UsageError(`${(err as Error).message.split("\n")[0]} (see \`npm run coalition -- ${name} --help\`)`);
    }
    if (parsed.values.help) {
      io.stdout(commandHelp(command));
      return EXIT.ok;
    }
    const { positionals } = parsed;
    if (positionals.length < command.args.min || positionals.length > command.args.max) {
      throw new UsageError(`usage: npm run coalition -- ${command.name}${command.usage ? ` ${command.usage}` : ""} (see --help)`);
    }
    const values = parsed.values as Record<string, string | boolean | undefined>;
    const ctx = await connect(env, values as never, command.needsKey, (line = "") => io.stdout(line + "\n"));
    await command.run(ctx, { positionals, values, env });
    return EXIT.ok;
  } catch (err) {
    if (err instanceof RefusedError) {
      io.stderr(`${err.message}\n  ${err.explanation}\n  The refused call changed nothing.\n`);
      return err.exitCode;
    }
    if (err instanceof UsageError || err instanceof ChainError || err instanceof RelayFailure) {
      io.stderr(`${err.message}\n`);
      return err.exitCode;
    }
    throw err;
  }
}

if (require.main === module) {
  loadEnvFile();
  run(process.argv.slice(2), process.env, { stdout: (t) => process.stdout.write(t), stderr: (t) => process.stderr.write(t) }).then(
    (code) => {
      process.exitCode = code;
    },
    (err: Error) => {
      process.stderr.write(`coalition failed unexpectedly: ${err.name}: ${err.message.split("\n")[0]}\n`);
      process.exitCode = 70;
    },
  );
}
