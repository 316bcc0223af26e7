import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { after, describe, it } from "node:test";
import { listEnvironments, loadEnvironment } from "#core/environments/load.js";
import { UsageError } from "#core/util/errors.js";
import { repoPath } from "../../support/repo.js";

const dir = mkdtempSync(path.join(os.tmpdir(), "environments-test-"));
after(() => rmSync(dir, { recursive: true, force: true }));

function write(name: string, text: string): void {
  writeFileSync(path.join(dir, `${name}.yaml`), text);
}

function camunda(lines: string): string {
  return `camunda:\n${lines
    .trim()
    .split("\n")
    .map((l) => `  ${l.trim()}`)
    .join("\n")}\n`;
}

/** Runs `fn`, expects a UsageError (exit 2) and returns its message and details as one text. */
function usageError(fn: () => unknown): string {
  try {
    fn();
  } catch (error) {
    assert.ok(error instanceof UsageError, `expected a UsageError, got ${String(error)}`);
    assert.equal(error.exitCode, 2);
    return [error.message, ...error.details].join("\n");
  }
  assert.fail("expected a UsageError");
}

describe("environment loader", () => {
  it("loads a valid file and applies the schema's defaults", () => {
    write(
      "good",
      `name: good\n${camunda("restUrl: https://camunda.example.com/engine-rest\ntenantId: acme")}`,
    );
    const { config, file } = loadEnvironment("good", { dir, env: {} });
    assert.equal(file, path.join(dir, "good.yaml"));
    assert.equal(config.camunda.tenantId, "acme");
    assert.equal(config.camunda.deploymentName, "insurance-platform");
    assert.equal(config.camunda.allowSmokeTests, false);
  });

  it("refuses an unknown environment and lists the known ones", () => {
    write("alpha", `name: alpha\n${camunda("restUrl: https://a.example.com/engine-rest")}`);
    const message = usageError(() => loadEnvironment("nosuch", { dir, env: {} }));
    assert.match(message, /unknown environment "nosuch"/);
    assert.match(message, /nosuch\.yaml/);
    assert.match(message, /alpha/);
  });

  it("refuses a name that is not a file name (no path tricks)", () => {
    const message = usageError(() => loadEnvironment("../alpha", { dir, env: {} }));
    assert.match(message, /unknown environment "\.\.\/alpha"/);
  });

  it("reports a missing environments folder as an unknown environment with no choices", () => {
    const message = usageError(() => loadEnvironment("dev", { dir: path.join(dir, "missing"), env: {} }));
    assert.match(message, /unknown environment "dev".*\(none\)/);
  });

  it("names the file, the line and the field of an invalid value", () => {
    write(
      "badfield",
      [
        "name: badfield",
        "camunda:",
        "  restUrl: https://c.example.com/engine-rest",
        "  tenantId: 'has spaces'",
        "",
      ].join("\n"),
    );
    const message = usageError(() => loadEnvironment("badfield", { dir, env: {} }));
    assert.match(message, /badfield\.yaml:4: camunda\.tenantId: must be 1-64 letters/);
  });

  it("names an unknown field (typos are not silently ignored)", () => {
    write("typo", `name: typo\n${camunda("restUrl: https://c.example.com/engine-rest\ndeploymentNmae: x")}`);
    const message = usageError(() => loadEnvironment("typo", { dir, env: {} }));
    assert.match(message, /typo\.yaml:\d+: camunda: .*deploymentNmae/);
  });

  it("reports a missing required field on its parent's line", () => {
    write("norest", "name: norest\ncamunda:\n  tenantId: acme\n");
    const message = usageError(() => loadEnvironment("norest", { dir, env: {} }));
    assert.match(message, /norest\.yaml:\d+: camunda\.restUrl:/);
  });

  it("reports YAML syntax errors with their line", () => {
    write("broken", "name: broken\ncamunda:\n  restUrl: [unclosed\n");
    const message = usageError(() => loadEnvironment("broken", { dir, env: {} }));
    assert.match(message, /broken\.yaml:\d+: not valid YAML/);
  });

  it("refuses a name that differs from the file name", () => {
    write("renamed", `name: other\n${camunda("restUrl: https://c.example.com/engine-rest")}`);
    const message = usageError(() => loadEnvironment("renamed", { dir, env: {} }));
    assert.match(message, /renamed\.yaml: name: is "other"/);
  });

  describe("plain http://", () => {
    it("is refused to a non-loopback host, naming the file, line and field", () => {
      write("plain", `name: plain\n${camunda("restUrl: http://camunda.example.com/engine-rest")}`);
      const message = usageError(() => loadEnvironment("plain", { dir, env: {} }));
      assert.match(message, /plain\.yaml:3: camunda\.restUrl: uses plain http:\/\/ to camunda\.example\.com/);
    });

    it("is refused with allowInsecureHttp but no reason", () => {
      write(
        "noreason",
        `name: noreason\n${camunda("restUrl: http://camunda.example.com/engine-rest\nallowInsecureHttp: true")}`,
      );
      const message = usageError(() => loadEnvironment("noreason", { dir, env: {} }));
      assert.match(message, /camunda\.insecureHttpReason: is required when allowInsecureHttp is true/);
    });

    it("is accepted with allowInsecureHttp and a reason", () => {
      write(
        "allowed",
        `name: allowed\n${camunda(
          "restUrl: http://camunda.internal/engine-rest\nallowInsecureHttp: true\ninsecureHttpReason: TLS ends at the sidecar proxy on the same host",
        )}`,
      );
      assert.equal(loadEnvironment("allowed", { dir, env: {} }).config.camunda.allowInsecureHttp, true);
    });

    for (const host of ["localhost", "127.0.0.1", "[::1]"]) {
      it(`is accepted to loopback ${host}`, () => {
        write("loop", `name: loop\n${camunda(`restUrl: http://${host}:8080/engine-rest`)}`);
        assert.equal(
          loadEnvironment("loop", { dir, env: {} }).config.camunda.restUrl,
          `http://${host}:8080/engine-rest`,
        );
      });
    }

    it("applies the same rule to a CAMUNDA_URL override", () => {
      write("override", `name: override\n${camunda("restUrl: https://c.example.com/engine-rest")}`);
      const message = usageError(() =>
        loadEnvironment("override", { dir, env: { CAMUNDA_URL: "http://camunda.example.com/engine-rest" } }),
      );
      assert.match(message, /camunda\.restUrl: uses plain http:\/\//);
      const ok = loadEnvironment("override", { dir, env: { CAMUNDA_URL: "http://127.0.0.1:9/engine-rest" } });
      assert.equal(ok.config.camunda.restUrl, "http://127.0.0.1:9/engine-rest");
    });
  });
});

describe("the repository's environment files", () => {
  it("are local, dev, staging and prod, and all of them load", () => {
    const names = listEnvironments(repoPath("environments"));
    for (const name of ["local", "dev", "staging", "prod"])
      assert.ok(names.includes(name), `${name}.yaml is missing`);
    for (const name of names)
      assert.equal(loadEnvironment(name, { dir: repoPath("environments"), env: {} }).config.name, name);
  });

  it("never allow smoke tests in prod", () => {
    assert.equal(
      loadEnvironment("prod", { dir: repoPath("environments"), env: {} }).config.camunda.allowSmokeTests,
      false,
    );
  });
});
