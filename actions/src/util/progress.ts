/**
 * Progress for long work. On a terminal a step is one spinner line with the elapsed seconds that is
 * replaced by a ✔/✖ line when the step ends; anywhere else (CI logs, pipes) every step prints plain
 * lines only: one when it starts, one per detail update, one when it ends with its duration, so logs
 * stay readable and carry no control characters.
 *
 *   const jar = await step("Building the engine", (s) => buildEngine({ onProgress: s.update }));
 */
export interface StepHandle {
  /** Replaces the detail text shown after the title (a new line when not on a terminal). */
  update(detail: string): void;
}

export interface StepOptions {
  /** Where progress goes; stderr by default, so stdout stays for results. */
  stream?: NodeJS.WritableStream & { isTTY?: boolean; columns?: number };
  /** Forces terminal (spinner) or plain output; by default it follows `stream.isTTY` (and CI=true means plain). */
  interactive?: boolean;
}

const frames = ["⠋", "⠙", "⠹", "⠸", "⠼", "⠴", "⠦", "⠧", "⠇", "⠏"];
const frameMs = 100;

/** Seconds with one decimal below a minute, then minutes and seconds: "4.2s", "2m05s". */
export function formatDuration(ms: number): string {
  const seconds = ms / 1000;
  if (seconds < 60) return `${seconds.toFixed(1)}s`;
  const whole = Math.round(seconds);
  return `${Math.floor(whole / 60)}m${String(whole % 60).padStart(2, "0")}s`;
}

function isInteractive(options: StepOptions, stream: NonNullable<StepOptions["stream"]>): boolean {
  if (options.interactive !== undefined) return options.interactive;
  if (process.env.CI === "true" || process.env.CI === "1") return false;
  return stream.isTTY === true;
}

/** Runs `fn` as one named step and reports its progress; the step's result or error passes through unchanged. */
export async function step<T>(
  title: string,
  fn: (handle: StepHandle) => Promise<T> | T,
  options: StepOptions = {},
): Promise<T> {
  const stream = options.stream ?? process.stderr;
  const started = Date.now();
  const elapsed = () => formatDuration(Date.now() - started);
  let detail = "";

  if (!isInteractive(options, stream)) {
    stream.write(`${title} …\n`);
    const handle: StepHandle = {
      update(next) {
        if (next && next !== detail) stream.write(`  ${next}\n`);
        detail = next;
      },
    };
    try {
      const result = await fn(handle);
      stream.write(`${title}: done in ${elapsed()}\n`);
      return result;
    } catch (error) {
      stream.write(`${title}: failed after ${elapsed()}\n`);
      throw error;
    }
  }

  let frame = 0;
  const render = (symbol: string, suffix: string) => {
    const text = `${symbol} ${title}${detail ? ` — ${detail}` : ""} ${suffix}`;
    // Cut to the terminal width so the line never wraps: a wrapped line cannot be redrawn in place.
    // Some pseudo-terminals report 0 columns; assume a usual width then.
    const width = stream.columns && stream.columns >= 20 ? stream.columns : 100;
    const line = text.length > width - 1 ? `${text.slice(0, width - 2)}…` : text;
    stream.write(`\r\x1b[2K${line}`);
  };
  render(frames[0]!, `(${elapsed()})`);
  const timer = setInterval(() => {
    frame = (frame + 1) % frames.length;
    render(frames[frame]!, `(${elapsed()})`);
  }, frameMs);
  // The spinner must never keep the process alive on its own.
  timer.unref();
  const handle: StepHandle = {
    update(next) {
      detail = next;
      render(frames[frame]!, `(${elapsed()})`);
    },
  };
  try {
    const result = await fn(handle);
    clearInterval(timer);
    detail = "";
    render("✔", `(${elapsed()})`);
    stream.write("\n");
    return result;
  } catch (error) {
    clearInterval(timer);
    // The error itself is reported by whoever catches it; the step line only says that it ended here.
    render("✖", `(failed after ${elapsed()})`);
    stream.write("\n");
    throw error;
  }
}
