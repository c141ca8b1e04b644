// Progress of a command that waits on the chain, written to stderr: on a terminal one line that
// spins with the elapsed time and is replaced by the next step; elsewhere (logs, CI) one plain line
// per step. Writes only through the function it is given.
import type { ChainStepProgress } from "../client/chain-steps.js";

/** How often the spinner line is redrawn. */
export const PROGRESS_REDRAW_MS = 100;
const FRAMES = ["⠋", "⠙", "⠹", "⠸", "⠼", "⠴", "⠦", "⠧", "⠇", "⠏"];

/** Shows steps as they come; `end` clears the spinner line. */
export interface Progress {
  step(text: string): void;
  end(): void;
}

/** What a chain step's phase reads as. */
export function describeChainProgress(what: string, progress: ChainStepProgress): string {
  if (progress.phase === "preparing") return `${what}: asking the server for the transaction`;
  if (progress.phase === "signing") return `${what}: checked and signed on this machine (${progress.summary})`;
  return `${what}: sent; waiting for the chain to confirm`;
}

/** A progress display on `write` (stderr): a spinner when `tty`, plain lines otherwise. */
export function progressDisplay(write: (text: string) => void, tty: boolean, now: () => number = Date.now): Progress {
  let text = "";
  let since = now();
  let frame = 0;
  let timer: ReturnType<typeof setInterval> | undefined;
  const draw = (): void => {
    frame = (frame + 1) % FRAMES.length;
    write(`\r\u001b[2K${FRAMES[frame] ?? ""} ${text} (${((now() - since) / 1000).toFixed(1)} s)`);
  };
  return {
    step(next: string): void {
      if (!tty) {
        write(`… ${next}\n`);
        return;
      }
      if (text !== "") write(`\r\u001b[2K✓ ${text}\n`);
      text = next;
      since = now();
      draw();
      timer ??= setInterval(draw, PROGRESS_REDRAW_MS);
      timer.unref();
    },
    end(): void {
      if (timer !== undefined) clearInterval(timer);
      timer = undefined;
      if (tty && text !== "") write(`\r\u001b[2K✓ ${text}\n`);
      text = "";
    },
  };
}
