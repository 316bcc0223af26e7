import assert from "node:assert/strict";
import { PassThrough } from "node:stream";
import { describe, it } from "node:test";
import { formatDuration, step } from "#core/util/progress.js";

const esc = String.fromCharCode(27);
const redraw = `\r${esc}[2K`;

function capture(isTTY: boolean) {
  const stream = Object.assign(new PassThrough(), { isTTY, columns: 60 });
  let text = "";
  stream.on("data", (chunk: Buffer) => {
    text += chunk.toString("utf8");
  });
  return { stream, text: () => text };
}

describe("step progress", () => {
  it("prints plain lines when not on a terminal: start, each update, done with duration", async () => {
    const out = capture(false);
    const result = await step(
      "Building",
      async (s) => {
        s.update("compiling");
        s.update("compiling"); // repeated detail: no second line
        s.update("packaging");
        return 42;
      },
      { stream: out.stream, interactive: false },
    );
    assert.equal(result, 42);
    const lines = out.text().trimEnd().split("\n");
    assert.equal(lines[0], "Building …");
    assert.equal(lines[1], "  compiling");
    assert.equal(lines[2], "  packaging");
    assert.match(lines[3]!, /^Building: done in \d+\.\ds$/);
    assert.equal(lines.length, 4);
    assert.equal(out.text().includes(esc) || out.text().includes("\r"), false);
  });

  it("passes the error through and says the step failed", async () => {
    const out = capture(false);
    await assert.rejects(
      step("Starting", () => Promise.reject(new Error("port taken")), {
        stream: out.stream,
        interactive: false,
      }),
      /port taken/,
    );
    assert.match(out.text(), /Starting: failed after \d+\.\ds\n$/);
  });

  it("draws a spinner line on a terminal and ends it with a check mark", async () => {
    const out = capture(true);
    await step(
      "Waiting",
      async (s) => {
        s.update("for the REST API");
        await new Promise((resolve) => setTimeout(resolve, 250));
      },
      { stream: out.stream, interactive: true },
    );
    const text = out.text();
    const frames = text.split(redraw).filter(Boolean);
    assert.ok(frames.some((frame) => /^[⠋⠙⠹⠸⠼⠴⠦⠧⠇⠏] Waiting — for the REST API \(\d+\.\ds\)$/.test(frame)));
    assert.match(text, /✔ Waiting \(\d+\.\ds\)\n$/);
  });

  it("never draws a line wider than the terminal", async () => {
    const out = capture(true);
    await step("A very long title that goes on and on", async (s) => s.update("x".repeat(200)), {
      stream: out.stream,
      interactive: true,
    });
    for (const frame of out.text().split(redraw)) assert.ok(frame.replace("\n", "").length < 60);
  });
});

describe("formatDuration", () => {
  it("shows tenths of seconds below a minute and minutes with seconds above", () => {
    assert.equal(formatDuration(4_240), "4.2s");
    assert.equal(formatDuration(125_000), "2m05s");
  });
});
