/**
 * A stand-in for the part of GitHub's REST API that pull request comments and issues use (list with
 * pagination, create, update, delete issue comments; list, create and update issues), on loopback. github.com cannot be reached from the test
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

export interface FakeIssue {
  number: number;
  title: string;
  body: string;
  state: "open" | "closed";
  state_reason: string | null;
  labels: { name: string }[];
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
  /** Issues per "owner/repo", in the order they were created. */
  readonly issues = new Map<string, FakeIssue[]>();
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

  issuesOf(repository: string): FakeIssue[] {
    const existing = this.issues.get(repository);
    if (existing) return existing;
    const created: FakeIssue[] = [];
    this.issues.set(repository, created);
    return created;
  }

  /** An issue as if `login` had opened it (a racing run, a person copying the marker). */
  seedIssue(repository: string, login: string, fields: { title: string; body: string; labels: string[] }) {
    return this.makeIssue(repository, login, fields);
  }

  private makeIssue(
    repository: string,
    login: string,
    fields: { title: string; body: string; labels: string[] },
  ): FakeIssue {
    const list = this.issuesOf(repository);
    // Issues and pull requests share one sequence of numbers per repository.
    const number = list.length + 1;
    const now = new Date().toISOString();
    const issue: FakeIssue = {
      number,
      title: fields.title,
      body: fields.body,
      state: "open",
      state_reason: null,
      labels: fields.labels.map((name) => ({ name })),
      user: { login, type: login.endsWith("[bot]") ? "Bot" : "User" },
      html_url: `https://github.example/${repository}/issues/${number}`,
      created_at: now,
      updated_at: now,
    };
    list.push(issue);
    return issue;
  }

  private handleIssues(
    method: string,
    url: URL,
    body: Record<string, unknown> | undefined,
    res: http.ServerResponse,
  ): boolean {
    const all = /^\/repos\/([^/]+)\/([^/]+)\/issues$/.exec(url.pathname);
    if (all) {
      const repository = `${all[1]}/${all[2]}`;
      if (method === "GET") {
        const state = url.searchParams.get("state") ?? "open";
        const labels = (url.searchParams.get("labels") ?? "").split(",").filter(Boolean);
        const found = this.issuesOf(repository).filter(
          (i) =>
            (state === "all" || i.state === state) &&
            labels.every((l) => i.labels.some((have) => have.name === l)),
        );
        const perPage = Number(url.searchParams.get("per_page") ?? 30);
        const page = Number(url.searchParams.get("page") ?? 1);
        const headers: Record<string, string> = {};
        if (page * perPage < found.length) {
          const next = new URL(url.href);
          next.searchParams.set("page", String(page + 1));
          headers.link = `<${next.href}>; rel="next"`;
        }
        this.send(res, 200, found.slice((page - 1) * perPage, page * perPage), headers);
        return true;
      }
      if (method === "POST") {
        const issue = this.makeIssue(repository, this.options.login ?? "github-actions[bot]", {
          title: String(body?.title ?? ""),
          body: String(body?.body ?? ""),
          labels: (body?.labels as string[] | undefined) ?? [],
        });
        this.send(res, 201, issue);
        return true;
      }
    }
    const one = /^\/repos\/([^/]+)\/([^/]+)\/issues\/(\d+)$/.exec(url.pathname);
    if (one && method === "PATCH") {
      const issue = this.issuesOf(`${one[1]}/${one[2]}`).find((i) => i.number === Number(one[3]));
      if (!issue) {
        this.send(res, 404, { message: "Not Found" });
        return true;
      }
      if (typeof body?.title === "string") issue.title = body.title;
      if (typeof body?.body === "string") issue.body = body.body;
      if (body?.state === "open" || body?.state === "closed") issue.state = body.state;
      if (typeof body?.state_reason === "string") issue.state_reason = body.state_reason;
      issue.updated_at = new Date().toISOString();
      this.send(res, 200, issue);
      return true;
    }
    return false;
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
    if (this.handleIssues(method, url, body, res)) return;
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
