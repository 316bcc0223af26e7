import { isMap, isScalar, isSeq, type Node, parseDocument, type Scalar, type YAMLMap } from "yaml";

/**
 * Validates an EC2/on-premises `appspec.yml` against the bundle it will ship in, before anything
 * is uploaded: a mistake here otherwise surfaces minutes later as a failed deployment on the host.
 * Limits are CodeDeploy's: version 0.0, scriptable hooks only, every script present and executable,
 * each timeout at most 3600 s and the scripts of one lifecycle event at most 3600 s together.
 */

export const maxEventTimeoutSeconds = 3600;

/** Lifecycle events an EC2/on-premises appspec may attach scripts to, in the order CodeDeploy runs them. */
export const scriptableEvents = [
  "ApplicationStop",
  "BeforeBlockTraffic",
  "AfterBlockTraffic",
  "BeforeInstall",
  "AfterInstall",
  "ApplicationStart",
  "ValidateService",
  "BeforeAllowTraffic",
  "AfterAllowTraffic",
] as const;

/** Events CodeDeploy runs itself; a script attached to one is rejected by the agent. */
const reservedEvents = new Set(["Start", "DownloadBundle", "Install", "BlockTraffic", "AllowTraffic", "End"]);
const topLevelKeys = new Set(["version", "os", "files", "permissions", "hooks", "file_exists_behavior"]);
const fileExistsBehaviors = new Set(["DISALLOW", "OVERWRITE", "RETAIN"]);

export interface BundleEntryInfo {
  /** Unix permission bits as stored in the zip (e.g. 0o755). */
  mode: number;
}

export interface AppspecProblem {
  line?: number;
  message: string;
}

export interface AppspecHook {
  event: string;
  location: string;
  timeoutSeconds: number;
  runas?: string;
}

export interface AppspecResult {
  problems: AppspecProblem[];
  hooks: AppspecHook[];
}

/**
 * @param text the appspec.yml contents
 * @param entries bundle paths (forward slashes, relative to the bundle root) and their modes
 */
export function validateAppspec(text: string, entries: ReadonlyMap<string, BundleEntryInfo>): AppspecResult {
  const problems: AppspecProblem[] = [];
  const hooks: AppspecHook[] = [];
  const doc = parseDocument(text, { prettyErrors: false, uniqueKeys: true });
  const lineAt = (node: Node | null | undefined): number | undefined =>
    node?.range ? text.slice(0, node.range[0]).split("\n").length : undefined;
  const report = (node: Node | null | undefined, message: string) =>
    problems.push({ line: lineAt(node), message });

  if (doc.errors.length > 0) {
    for (const error of doc.errors) {
      problems.push({
        line: error.linePos?.[0]?.line,
        message: `not valid YAML: ${error.message.split("\n")[0]}`,
      });
    }
    return { problems, hooks };
  }
  const root = doc.contents;
  if (!isMap(root)) {
    report(root, "must be a mapping with version, os, files and hooks");
    return { problems, hooks };
  }

  for (const pair of root.items) {
    const key = isScalar(pair.key) ? String(pair.key.value) : "";
    if (!topLevelKeys.has(key))
      report(pair.key as Node, `unknown key "${key}" (allowed: ${[...topLevelKeys].join(", ")})`);
  }

  // `version: 0.0` parses as the number 0, so compare the source text, not the value.
  const version = root.get("version", true) as Scalar | undefined;
  const versionText = version?.range
    ? text
        .slice(version.range[0], version.range[1])
        .trim()
        .replace(/^["']|["']$/g, "")
    : "";
  if (!version) report(root, "version is missing: set `version: 0.0`");
  else if (versionText !== "0.0")
    report(version, `version is "${versionText}" but CodeDeploy only accepts 0.0`);

  const os = root.get("os", true) as Scalar | undefined;
  if (!os) report(root, "os is missing: set `os: linux`");
  else if (os.value !== "linux")
    report(os, `os is "${String(os.value)}" but the lifecycle scripts are bash: set os: linux`);

  const behavior = root.get("file_exists_behavior", true) as Scalar | undefined;
  if (behavior && !fileExistsBehaviors.has(String(behavior.value))) {
    report(
      behavior,
      `file_exists_behavior "${String(behavior.value)}" must be one of ${[...fileExistsBehaviors].join(", ")}`,
    );
  }

  checkFiles(root, entries, report);

  const hooksNode = root.get("hooks", true);
  if (hooksNode === undefined) {
    report(root, "hooks is missing: the bundle's lifecycle scripts would never run");
    return { problems, hooks };
  }
  if (!isMap(hooksNode)) {
    report(hooksNode as Node, "hooks must be a mapping from lifecycle event to a list of scripts");
    return { problems, hooks };
  }
  for (const pair of hooksNode.items) {
    const event = isScalar(pair.key) ? String(pair.key.value) : "";
    const keyNode = pair.key as Node;
    if (reservedEvents.has(event)) {
      report(keyNode, `hook ${event} is run by CodeDeploy itself and cannot have scripts`);
      continue;
    }
    if (!(scriptableEvents as readonly string[]).includes(event)) {
      report(keyNode, `unknown lifecycle event "${event}" (allowed: ${scriptableEvents.join(", ")})`);
      continue;
    }
    if (!isSeq(pair.value)) {
      report((pair.value as Node) ?? keyNode, `hook ${event} must be a list of { location, timeout, runas }`);
      continue;
    }
    let total = 0;
    for (const item of pair.value.items) {
      const hook = checkScript(event, item as Node, entries, report);
      if (hook) {
        hooks.push(hook);
        total += hook.timeoutSeconds;
      }
    }
    if (total > maxEventTimeoutSeconds) {
      report(
        keyNode,
        `the scripts of ${event} may run ${total} s together, over CodeDeploy's ${maxEventTimeoutSeconds} s per lifecycle event: lower their timeouts`,
      );
    }
  }
  return { problems, hooks };
}

function checkFiles(
  root: YAMLMap,
  entries: ReadonlyMap<string, BundleEntryInfo>,
  report: (node: Node | null | undefined, message: string) => void,
) {
  const files = root.get("files", true);
  if (files === undefined) return;
  if (!isSeq(files)) {
    report(files as Node, "files must be a list of { source, destination }");
    return;
  }
  for (const item of files.items) {
    if (!isMap(item)) {
      report(item as Node, "each files entry must be a mapping with source and destination");
      continue;
    }
    const source = item.get("source");
    const destination = item.get("destination");
    if (typeof source !== "string") report(item, "files entry has no source");
    else if (source !== "/" && !bundleHas(entries, source))
      report(item, `files source "${source}" is not in the bundle`);
    if (typeof destination !== "string" || !destination.startsWith("/")) {
      report(item, "files destination must be an absolute path on the host");
    }
  }
}

function checkScript(
  event: string,
  item: Node,
  entries: ReadonlyMap<string, BundleEntryInfo>,
  report: (node: Node | null | undefined, message: string) => void,
): AppspecHook | undefined {
  if (!isMap(item)) {
    report(item, `each ${event} entry must be a mapping with location, timeout and runas`);
    return undefined;
  }
  for (const pair of item.items) {
    const key = isScalar(pair.key) ? String(pair.key.value) : "";
    if (!["location", "timeout", "runas"].includes(key))
      report(pair.key as Node, `${event}: unknown key "${key}"`);
  }
  const location = item.get("location");
  const timeoutNode = item.get("timeout", true) as Scalar | undefined;
  const runas = item.get("runas");
  if (typeof location !== "string" || location === "") {
    report(item, `${event}: location is missing`);
    return undefined;
  }
  const path = location.replace(/^\/+/, "");
  const entry = entries.get(path);
  if (!entry) {
    report(item.get("location", true) as Node, `${event}: script ${location} is not in the bundle`);
  } else if ((entry.mode & 0o111) === 0) {
    report(
      item.get("location", true) as Node,
      `${event}: script ${location} is not executable (mode ${entry.mode.toString(8)}): run \`chmod +x deploy/${path}\` and commit the mode`,
    );
  }
  if (runas !== undefined && (typeof runas !== "string" || !/^[a-z_][a-z0-9_-]*$/.test(runas))) {
    report(item.get("runas", true) as Node, `${event}: runas must be a user name`);
  }
  if (!timeoutNode) {
    report(
      item,
      `${event}: ${location} has no timeout; set one (CodeDeploy would wait ${maxEventTimeoutSeconds} s)`,
    );
    return {
      event,
      location: path,
      timeoutSeconds: maxEventTimeoutSeconds,
      runas: runas as string | undefined,
    };
  }
  const timeout = Number(timeoutNode.value);
  if (!Number.isInteger(timeout) || timeout < 1) {
    report(
      timeoutNode,
      `${event}: timeout must be a whole number of seconds, got "${String(timeoutNode.value)}"`,
    );
    return undefined;
  }
  if (timeout > maxEventTimeoutSeconds) {
    report(
      timeoutNode,
      `${event}: timeout ${timeout} s is over CodeDeploy's limit of ${maxEventTimeoutSeconds} s`,
    );
  }
  return { event, location: path, timeoutSeconds: timeout, runas: runas as string | undefined };
}

function bundleHas(entries: ReadonlyMap<string, BundleEntryInfo>, source: string): boolean {
  const path = source.replace(/^\/+/, "");
  if (entries.has(path)) return true;
  const dir = path.endsWith("/") ? path : `${path}/`;
  for (const key of entries.keys()) if (key.startsWith(dir)) return true;
  return false;
}
