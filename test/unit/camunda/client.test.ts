import assert from "node:assert/strict";
import http from "node:http";
import type { AddressInfo } from "node:net";
import { after, before, describe, it } from "node:test";
import {
  CamundaError,
  CamundaUnreachableError,
  createCamundaClient,
  parseResourceReports,
} from "#core/camunda/index.js";

describe("parseResourceReports", () => {
  it("accepts both the Latin and the Cyrillic spelling of elementIds", () => {
    const reports = parseResourceReports({
      "a.bpmn": {
        errors: [
          { message: "bad", line: 3, column: 7, mainElementId: "Task_1", elementIds: ["Task_1"] },
          {
            message: "worse",
            line: 9,
            column: 1,
            mainElementId: "Flow_2",
            "\u0435lementIds": ["Flow_2", "Gw"],
          },
        ],
        warnings: [],
      },
    });
    assert.equal(reports.length, 1);
    assert.deepEqual(reports[0]!.errors[0]!.elementIds, ["Task_1"]);
    assert.deepEqual(reports[0]!.errors[1]!.elementIds, ["Flow_2", "Gw"]);
    assert.equal(reports[0]!.errors[1]!.line, 9);
  });
});

describe("createCamundaClient against a loopback HTTP server", () => {
  let server: http.Server;
  let baseUrl: string;
  const hits: Record<string, number> = {};
  let lastAuth: string | undefined;

  before(async () => {
    server = http.createServer((req, res) => {
      const key = req.url ?? "";
      hits[key] = (hits[key] ?? 0) + 1;
      lastAuth = req.headers.authorization;
      if (key.startsWith("/engine-rest/flaky")) {
        // 503 twice, then OK: retried.
        if (hits[key]! <= 2) return void res.writeHead(503).end();
        return void res.writeHead(200, { "content-type": "application/json" }).end("[]");
      }
      if (key.startsWith("/engine-rest/process-definition")) {
        return void res
          .writeHead(404, { "content-type": "application/json" })
          .end(JSON.stringify({ type: "RestException", message: "No matching definition", code: 0 }));
      }
      if (key.startsWith("/engine-rest/task")) {
        return void res.writeHead(401).end();
      }
      res.writeHead(500).end();
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/engine-rest`;
  });
  after(() => server.close());

  it("sends basic auth and turns a 4xx into a CamundaError without retrying", async () => {
    const client = createCamundaClient({ baseUrl, username: "demo", password: "s3cret", backoffMs: 1 });
    await assert.rejects(
      client.ok(client.api.GET("/process-definition/key/{key}", { params: { path: { key: "missing" } } })),
      (error: unknown) => {
        assert.ok(error instanceof CamundaError);
        assert.equal(error.status, 404);
        assert.equal(error.type, "RestException");
        assert.match(error.message, /No matching definition/);
        return true;
      },
    );
    assert.equal(hits["/engine-rest/process-definition/key/missing"], 1);
    assert.equal(lastAuth, `Basic ${Buffer.from("demo:s3cret").toString("base64")}`);
  });

  it("names the user, never the password, on 401", async () => {
    const client = createCamundaClient({ baseUrl, username: "demo", password: "s3cret", backoffMs: 1 });
    await assert.rejects(client.ok(client.api.GET("/task")), (error: unknown) => {
      assert.ok(error instanceof CamundaError);
      assert.equal(error.status, 401);
      assert.match(error.message, /user "demo"/);
      assert.doesNotMatch(error.message, /s3cret/);
      return true;
    });
  });

  it("retries 503 with backoff and then succeeds", async () => {
    const retries: number[] = [];
    const client = createCamundaClient({
      baseUrl,
      username: "demo",
      password: "x",
      backoffMs: 1,
      onRetry: ({ attempt }) => retries.push(attempt),
    });
    const response = await fetchVia(client, "/flaky");
    assert.equal(response, 200);
    assert.deepEqual(retries, [1, 2]);
  });

  it("gives up on a closed port with CamundaUnreachableError after the configured retries", async () => {
    const closed = net0();
    const client = createCamundaClient({
      baseUrl: `http://127.0.0.1:${await closed}/engine-rest`,
      retries: 2,
      backoffMs: 1,
    });
    await assert.rejects(client.ok(client.api.GET("/engine")), (error: unknown) => {
      assert.ok(error instanceof CamundaUnreachableError);
      assert.equal(error.attempts, 3);
      assert.match(error.message, /ECONNREFUSED/);
      return true;
    });
  });
});

async function fetchVia(client: ReturnType<typeof createCamundaClient>, path: string): Promise<number> {
  // An untyped path through the same resilient fetch, as the openapi-fetch client would do.
  const { response } = await (
    client.api as unknown as { GET: (p: string) => Promise<{ response: Response }> }
  ).GET(path);
  return response.status;
}

async function net0(): Promise<number> {
  const server = http.createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const port = (server.address() as AddressInfo).port;
  await new Promise((resolve) => server.close(resolve));
  return port;
}
