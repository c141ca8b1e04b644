#!/usr/bin/env node
// The `molt-market` command: dispatches subcommands, prints results, turns errors into a message
// that says what to do and a non-zero exit code.
import { readFileSync, realpathSync } from "node:fs";
import { pathToFileURL } from "node:url";
import { isMarketError } from "../core/errors.js";
import { CLIENT_COMMANDS, runClientCommand, subcommandOf } from "./client-commands.js";
import { clientCommandLines, commandHelp } from "./command-help.js";
import { LOCALNET_USAGE, runLocalnet } from "./localnet.js";
import { MARKET_USAGE, runMarketCommand } from "./market-commands.js";
import { QUOTE_USAGE, runQuote } from "./quote.js";
import { progressDisplay } from "./progress.js";
import { PROVIDER_USAGE, runProvider } from "./provider-commands.js";
import { PROVIDER_SHOW_USAGE } from "./provider-show.js";
import { SERVE_USAGE, runServe } from "./serve.js";
import { UsageError } from "./usage-error.js";

const USAGE = `Usage: molt-market <command> [options]

Commands:
  serve     run the marketplace server on embedded defaults (molt-market serve --help)
  quote     best offers for an order, against a market file (molt-market quote --help)
  localnet  serve the embedded chain over Solana JSON-RPC on 127.0.0.1 (molt-market localnet --help)
${clientCommandLines().join("\n")}
  market    candles | depth | trades: price history and the book's depth (molt-market market --help)
  provider  run: the provider agent, serving funded orders of the wallet's offers; show ADDRESS: its reputation (molt-market provider --help)

molt-market <command> --help lists a command's subcommands; molt-market <command> <subcommand> --help
its flags, what each means, its unit and its default.

Options:
  --help, -h     show this help
  --version      show the version
`;

/** The help that goes with a mistake in `command`'s line. */
function usageOf(command: string | undefined, rest: readonly string[]): string {
  if (command === "quote") return QUOTE_USAGE;
  if (command === "localnet") return LOCALNET_USAGE;
  if (command === "serve") return SERVE_USAGE;
  if (command === "provider") return rest[0] === "show" ? PROVIDER_SHOW_USAGE : PROVIDER_USAGE;
  if (command === "market") return MARKET_USAGE;
  if ((CLIENT_COMMANDS as readonly string[]).includes(command ?? "")) {
    const name = command ?? "";
    return commandHelp(name, subcommandOf(name, rest));
  }
  return USAGE;
}

/** Node's words for a command line it cannot parse, in ours: "unknown flag --bogus", "--gpus needs a value". */
function parseErrorText(e: TypeError & { readonly code: string }): string {
  const flag = /'(-[^' ]+)/.exec(e.message)?.[1];
  if (e.code === "ERR_PARSE_ARGS_UNKNOWN_OPTION") return `unknown flag ${flag ?? e.message}`;
  if (e.code === "ERR_PARSE_ARGS_INVALID_OPTION_VALUE")
    return flag === undefined
      ? e.message
      : e.message.includes("does not take an argument")
        ? `${flag} takes no value`
        : `${flag} needs a value`;
  if (e.code === "ERR_PARSE_ARGS_UNEXPECTED_POSITIONAL") return `unexpected argument: ${e.message.replace(/^.*'([^']*)'.*$/s, "$1")}`;
  return e.message;
}

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
    err(`error: molt-market has no command ${JSON.stringify(command)}\n\n${USAGE}`);
    return 2;
  } catch (e) {
    if (e instanceof UsageError) {
      err(`error: ${e.message}\n\n${e.help}`);
      return 2;
    }
    if (isMarketError(e)) {
      err(`error: ${e.code}: ${e.message}\n`);
      return 1;
    }
    if (e instanceof TypeError && "code" in e && typeof e.code === "string" && e.code.startsWith("ERR_PARSE_ARGS")) {
      err(`error: ${parseErrorText(e as TypeError & { readonly code: string })}\n\n${usageOf(command, rest)}`);
      return 2;
    }
    if (e instanceof Error && e.message.startsWith("cannot reach")) {
      err(`error: ${e.message}\n`);
      return 1;
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
