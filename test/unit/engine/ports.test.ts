import assert from "node:assert/strict";
import net from "node:net";
import { describe, it } from "node:test";
import { findFreePort, isPortFree } from "#core/engine/ports.js";

function listen(port: number, host: string): Promise<net.Server> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once("error", reject);
    server.listen({ port, host }, () => resolve(server));
  });
}

function close(server: net.Server): Promise<void> {
  return new Promise((resolve) => server.close(() => resolve()));
}

describe("port checks", () => {
  it("finds a free port that can then be listened on", async () => {
    const port = await findFreePort();
    assert.ok(port > 0);
    assert.equal(await isPortFree(port), true);
    const server = await listen(port, "127.0.0.1");
    await close(server);
  });

  it("reports a port taken on the same address as in use", async () => {
    const server = await listen(0, "127.0.0.1");
    const { port } = server.address() as net.AddressInfo;
    try {
      assert.equal(await isPortFree(port, "127.0.0.1"), false);
    } finally {
      await close(server);
    }
    assert.equal(await isPortFree(port, "127.0.0.1"), true);
  });

  it("reports a port taken on every interface as in use on loopback too", async () => {
    const server = await listen(0, "0.0.0.0");
    const { port } = server.address() as net.AddressInfo;
    try {
      assert.equal(await isPortFree(port, "127.0.0.1"), false);
    } finally {
      await close(server);
    }
  });
});
