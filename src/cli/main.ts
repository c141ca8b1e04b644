#!/usr/bin/env node
// The `molt-market` command: dispatches subcommands, prints results, turns errors into a message
// that says what to do and a non-zero exit code.
import { readFileSync, realpathSync } from "node:fs";
import { pathToFileURL } from "node:url";
import { isMarketError } from "../core/errors.js";
import { CLIENT_COMMANDS, CLIENT_USAGE, runClientCommand } from "./client-commands.js";
import { LOCALNET_USAGE, runLocalnet } from "./localnet.js";
import { MARKET_USAGE, runMarketCommand } from "./market-commands.js";
import { QUOTE_USAGE, runQuote } from "./quote.js";
import { progressDisplay } from "./progress.js";
import { PROVIDER_USAGE, runProvider } from "./provider-commands.js";
import { SERVE_USAGE, runServe } from "./serve.js";

const USAGE = `Usage: molt-market <command> [options]

Commands:
  serve     run the marketplace server on embedded defaults (molt-market serve --help)
  quote     best offers for an order, against a market file (molt-market quote --help)
  localnet  serve the embedded chain over Solana JSON-RPC on 127.0.0.1 (molt-market localnet --help)
  wallet    new | show | balance | airdrop
  offer     add | list | pause | resume | withdraw
  order     submit | cancel | show | quote
  escrow    fund | show | refund
  job       start | complete | fail
  settle    pay a completed job out (provider payment, fee, refund)
  dispute   open | decide | resolve
  stats     market stats per GPU model
  market    candles | depth | trades: price history and the book's depth (molt-market market --help)
  provider  run: the provider agent, serving funded orders of the wallet's offers; show ADDRESS: its reputation (molt-market provider --help)
            (molt-market wallet --help: the server, wallet and --json options)

Options:
  --help, -h     show this help
  --version      show the version
`;

/** Runs the CLI with argv (without node and script); resolves to the exit code. Progress goes to `err`, as a spinner when `errIsTty`. */
export async function main(
  argv: readonly string[],
  out: (text: string) => void,
  err: (text: string) => void,
  errIsTty = false,
): Promise<number> {
  const [command, ...rest] = argv;
  try {
    if (command === undefined || command === "--help" || command === "-h" || command === "help") {
      out(USAGE);
      return command === undefined ? 2 : 0;
    }
    if (command === "--version") {
      const pkg = JSON.parse(readFileSync(new URL("../../package.json", import.meta.url), "utf8")) as { version: string };
      out(`${pkg.version}\n`);
      return 0;
    }
    if (command === "quote") {
      out(runQuote(rest));
      return 0;
    }
    if (command === "serve") {
      await runServe(rest, out);
      return 0;
    }
    if ((CLIENT_COMMANDS as readonly string[]).includes(command)) {
      out(
        await runClientCommand(
          command,
          rest,
          process.env,
          rest.includes("--json") ? progressDisplay(() => undefined, false) : progressDisplay(err, errIsTty),
        ),
      );
      return 0;
    }
    if (command === "market") {
      out(await runMarketCommand(rest, process.env));
      return 0;
    }
    if (command === "provider") {
      await runProvider(rest, out);
      return 0;
    }
    if (command === "localnet") {
      await runLocalnet(rest, out);
      return 0;
    }
    err(`error: unknown command ${JSON.stringify(command)}\n\n${USAGE}`);
    return 2;
  } catch (e) {
    if (isMarketError(e)) {
      err(`error: ${e.code}: ${e.message}\n`);
      return 1;
    }
    if (e instanceof Error && e.message.startsWith("cannot reach")) {
      err(`error: ${e.message}\n`);
      return 1;
    }
    if (e instanceof TypeError && "code" in e && typeof e.code === "string" && e.code.startsWith("ERR_PARSE_ARGS")) {
      err(
        `error: ${e.message}\n\n${command === "quote" ? QUOTE_USAGE : command === "localnet" ? LOCALNET_USAGE : command === "serve" ? SERVE_USAGE : command === "provider" ? PROVIDER_USAGE : command === "market" ? MARKET_USAGE : (CLIENT_COMMANDS as readonly string[]).includes(command ?? "") ? CLIENT_USAGE : USAGE}`,
      );
      return 2;
    }
    throw e;
  }
}

// Run when this file is the program (also through npm's bin symlink), not when imported by tests.
const script = process.argv[1];
if (script !== undefined && pathToFileURL(realpathSync(script)).href === import.meta.url) {
  process.exitCode = await main(
    process.argv.slice(2),
    (t) => process.stdout.write(t),
    (t) => process.stderr.write(t),
    process.stderr.isTTY,
  );
}
