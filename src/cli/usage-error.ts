// A command line the CLI cannot run as given (no subcommand, an unknown one, a flag the subcommand
// does not take, a missing argument): said in words with the help that shows the right usage. Pure.

/** A usage mistake: `message` says what is wrong, `help` how the command is used. The CLI exits 2. */
export class UsageError extends Error {
  override readonly name = "UsageError";

  constructor(
    message: string,
    readonly help: string,
  ) {
    super(message);
  }
}
