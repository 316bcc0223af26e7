/**
 * Records the AWS API calls the project's code makes, three ways, into one shape:
 * - an AWS SDK v3 middleware at step "initialize" (runs once per send(), before retries) on a real
 *   client talking to moto;
 * - `mock.calls()` of aws-sdk-client-mock, which replaces send() so no middleware ever runs;
 * - a loopback HTTP proxy in front of moto for code that runs in another process (the bundled
 *   actions, the CLI), which sees the wire protocol: the operation comes from X-Amz-Target
 *   (JSON protocols), the Action form field (query protocols) or the method and query string (S3).
 */
import { createServer, request as httpRequest, type IncomingMessage, type Server } from "node:http";
import type { AddressInfo } from "node:net";

export interface RecordedCall {
  /** The SDK's service id in lower case: s3, codedeploy, cloudformation, sts … */
  service: string;
  /** The API operation, e.g. PutObject, CreateDeployment. */
  operation: string;
  input: Record<string, unknown>;
  /** How the call was seen. */
  via: "middleware" | "mock" | "wire";
}

interface MiddlewareClient {
  middlewareStack: {
    add: (
      middleware: (
        next: (args: { input: object }) => Promise<unknown>,
        context: { clientName?: string; commandName?: string },
      ) => (args: { input: object }) => Promise<unknown>,
      options: { step: "initialize"; name: string; override: boolean; priority: "high" },
    ) => void;
  };
}

const serviceOfClient = (clientName = "") => clientName.replace(/Client$/, "").toLowerCase();

/** Inputs without request bodies: a body may be a stream that must not be read twice. */
function plainInput(input: object): Record<string, unknown> {
  const { Body: _body, ...rest } = input as Record<string, unknown>;
  return rest;
}

export function recordClient(client: unknown, sink: RecordedCall[]): void {
  (client as MiddlewareClient).middlewareStack.add(
    (next, context) => async (args) => {
      sink.push({
        service: serviceOfClient(context.clientName),
        operation: String(context.commandName ?? "").replace(/Command$/, ""),
        input: plainInput(args.input),
        via: "middleware",
      });
      return next(args);
    },
    { step: "initialize", name: "iamContractRecorder", override: true, priority: "high" },
  );
}

interface MockLike {
  calls(): { args: unknown[] }[];
}

export function callsFromMock(service: string, mock: MockLike): RecordedCall[] {
  return mock.calls().map((call) => {
    const command = call.args[0] as { constructor: { name: string }; input: object };
    return {
      service,
      operation: command.constructor.name.replace(/Command$/, ""),
      input: plainInput(command.input),
      via: "mock",
    };
  });
}

/** The S3 REST operation of a path-style request, from its method and query string. */
export function s3Operation(method: string, url: URL): { operation: string; input: Record<string, unknown> } {
  const [, bucket = "", ...rest] = url.pathname.split("/");
  const key = decodeURIComponent(rest.join("/"));
  const q = url.searchParams;
  const input: Record<string, unknown> = { Bucket: bucket, ...(key ? { Key: key } : {}) };
  if (!key) {
    if (method === "PUT" && q.has("versioning")) return { operation: "PutBucketVersioning", input };
    if (method === "PUT") return { operation: "CreateBucket", input };
    if (method === "GET" && (q.has("list-type") || q.has("prefix") || [...q.keys()].length === 0))
      return { operation: "ListObjectsV2", input: { ...input, Prefix: q.get("prefix") ?? undefined } };
    if (method === "HEAD") return { operation: "HeadBucket", input };
    return { operation: `${method} bucket ?${[...q.keys()].join("&")}`, input };
  }
  if (method === "HEAD") return { operation: "HeadObject", input };
  if (method === "GET") return { operation: "GetObject", input };
  if (method === "POST" && q.has("uploads")) return { operation: "CreateMultipartUpload", input };
  if (method === "PUT" && q.has("partNumber")) return { operation: "UploadPart", input };
  if (method === "POST" && q.has("uploadId")) return { operation: "CompleteMultipartUpload", input };
  if (method === "DELETE" && q.has("uploadId")) return { operation: "AbortMultipartUpload", input };
  if (method === "PUT") return { operation: "PutObject", input };
  if (method === "DELETE") return { operation: "DeleteObject", input };
  return { operation: `${method} object ?${[...q.keys()].join("&")}`, input };
}

/** The service a SigV4-signed request is for, from the credential scope of its Authorization header. */
function signedService(request: IncomingMessage): string {
  const match = /Credential=[^/]+\/\d{8}\/[^/]+\/([^/]+)\/aws4_request/.exec(
    String(request.headers.authorization),
  );
  return match?.[1] ?? "unknown";
}

function wireCall(request: IncomingMessage, body: Buffer): RecordedCall {
  const url = new URL(request.url ?? "/", "http://proxy");
  const service = signedService(request);
  const target = request.headers["x-amz-target"];
  if (typeof target === "string") {
    const operation = target.slice(target.indexOf(".") + 1);
    let input: Record<string, unknown> = {};
    try {
      input = JSON.parse(body.toString("utf8") || "{}") as Record<string, unknown>;
    } catch {
      // not JSON: keep the operation only
    }
    return { service, operation, input, via: "wire" };
  }
  if (service === "s3") return { service, ...s3Operation(request.method ?? "GET", url), via: "wire" };
  const form = new URLSearchParams(body.toString("utf8"));
  const operation =
    form.get("Action") ?? url.searchParams.get("Action") ?? `${request.method} ${url.pathname}`;
  return { service, operation, input: Object.fromEntries(form.entries()), via: "wire" };
}

export interface RecordingProxy {
  endpoint: string;
  calls: RecordedCall[];
  close(): Promise<void>;
}

/** A loopback proxy that records every call and forwards it unchanged to `target` (moto). */
export async function startRecordingProxy(target: string): Promise<RecordingProxy> {
  const upstream = new URL(target);
  const calls: RecordedCall[] = [];
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (chunk: Buffer) => chunks.push(chunk));
    req.on("end", () => {
      const body = Buffer.concat(chunks);
      calls.push(wireCall(req, body));
      const forward = httpRequest(
        {
          host: upstream.hostname,
          port: upstream.port,
          method: req.method,
          path: req.url,
          headers: { ...req.headers, host: upstream.host },
        },
        (answer) => {
          res.writeHead(answer.statusCode ?? 502, answer.headers);
          answer.pipe(res);
        },
      );
      forward.on("error", (error) => {
        res.writeHead(502);
        res.end(String(error));
      });
      forward.end(body);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    calls,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
