/**
 * A stand-in for the part of GitHub's REST API that pull request comments use (list with pagination,
 * create, update, delete issue comments), on loopback. github.com cannot be reached from the test
 * machines, so this mock answers instead; every request is recorded for the assertions. The
 * response shapes follow GitHub's documented ones for the fields the clients read.
 */
import http from "node:http";
import type { AddressInfo } from "node:net";

export interface FakeComment {
  id: number;
  body: string;
  user: { login: string; type: string };
  html_url: string;
  created_at: string;
  updated_at: string;
}

export interface RecordedRequest {
  method: string;
  path: string;
  body: unknown;
  authorization: string | undefined;
}

export interface FakeGitHubOptions {
  /** The token the workflow passes; anything else gets 401. */
  token: string;
  /** Login of the token's identity (what GitHub records as the comment author). */
  login?: string;
  /** Refuse writes with 403, as GitHub does for a read-only token. */
  readOnly?: boolean;
}

export class FakeGitHub {
  readonly requests: RecordedRequest[] = [];
  /** Comments per "owner/repo#number". */
  readonly comments = new Map<string, FakeComment[]>();
  private nextId = 1000;
  private server: http.Server | undefined;
  url = "";

  constructor(private readonly options: FakeGitHubOptions) {}

  seed(issue: string, login: string, body: string): FakeComment {
    const comment = this.make(issue, login, body);
    this.list(issue).push(comment);
    return comment;
  }

  list(issue: string): FakeComment[] {
    const existing = this.comments.get(issue);
    if (existing) return existing;
    const created: FakeComment[] = [];
    this.comments.set(issue, created);
    return created;
  }

  writes(): RecordedRequest[] {
    return this.requests.filter((r) => r.method !== "GET");
  }

  private make(issue: string, login: string, body: string): FakeComment {
    const id = this.nextId++;
    const now = new Date().toISOString();
    return {
      id,
      body,
      user: { login, type: login.endsWith("[bot]") ? "Bot" : "User" },
      html_url: `https://github.example/${issue.replace("#", "/pull/")}#issuecomment-${id}`,
      created_at: now,
      updated_at: now,
    };
  }

  async start(): Promise<string> {
    this.server = http.createServer((req, res) => {
      let raw = "";
      req.on("data", (chunk: Buffer) => {
        raw += chunk.toString("utf8");
      });
      req.on("end", () => this.handle(req, res, raw));
    });
    await new Promise<void>((resolve) => this.server!.listen(0, "127.0.0.1", resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    return this.url;
  }

  async stop(): Promise<void> {
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }

  private send(
    res: http.ServerResponse,
    status: number,
    body?: unknown,
    headers: Record<string, string> = {},
  ) {
    res.writeHead(status, { "content-type": "application/json; charset=utf-8", ...headers });
    res.end(body === undefined ? "" : JSON.stringify(body));
  }

  private handle(req: http.IncomingMessage, res: http.ServerResponse, raw: string) {
    const url = new URL(req.url ?? "/", this.url);
    const method = req.method ?? "GET";
    const body = raw ? JSON.parse(raw) : undefined;
    this.requests.push({
      method,
      path: url.pathname + url.search,
      body,
      authorization: req.headers.authorization,
    });
    const token = (req.headers.authorization ?? "").replace(/^(token|bearer) /i, "");
    if (token !== this.options.token) return this.send(res, 401, { message: "Bad credentials" });
    if (method !== "GET" && this.options.readOnly) {
      return this.send(res, 403, { message: "Resource not accessible by integration" });
    }
    const list = /^\/repos\/([^/]+)\/([^/]+)\/issues\/(\d+)\/comments$/.exec(url.pathname);
    if (list) {
      const issue = `${list[1]}/${list[2]}#${list[3]}`;
      if (method === "GET") {
        const perPage = Number(url.searchParams.get("per_page") ?? 30);
        const page = Number(url.searchParams.get("page") ?? 1);
        const all = this.list(issue);
        const headers: Record<string, string> = {};
        if (page * perPage < all.length) {
          const next = new URL(url.href);
          next.searchParams.set("page", String(page + 1));
          headers.link = `<${next.href}>; rel="next"`;
        }
        return this.send(res, 200, all.slice((page - 1) * perPage, page * perPage), headers);
      }
      if (method === "POST") {
        const comment = this.make(
          issue,
          this.options.login ?? "github-actions[bot]",
          String(body?.body ?? ""),
        );
        this.list(issue).push(comment);
        return this.send(res, 201, comment);
      }
    }
    const one = /^\/repos\/([^/]+)\/([^/]+)\/issues\/comments\/(\d+)$/.exec(url.pathname);
    if (one) {
      const id = Number(one[3]);
      for (const comments of this.comments.values()) {
        const index = comments.findIndex((c) => c.id === id);
        if (index === -1) continue;
        if (method === "PATCH") {
          const comment = comments[index]!;
          comment.body = String(body?.body ?? "");
          comment.updated_at = new Date().toISOString();
          return this.send(res, 200, comment);
        }
        if (method === "DELETE") {
          comments.splice(index, 1);
          return this.send(res, 204);
        }
      }
      return this.send(res, 404, { message: "Not Found" });
    }
    return this.send(res, 404, { message: "Not Found" });
  }
}
