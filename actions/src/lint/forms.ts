/**
 * Camunda Forms (`.form`, form-js JSON) beside the models: read once per run into the project index,
 * so that rules can check a task's `camunda:formRef` against the forms of the repository and the
 * form's fields against what the process does with them. A form file the engine refuses (not JSON,
 * two forms with one id in a deployment) or cannot use (no id) is a finding on the form itself.
 */
import { readFile, stat } from "node:fs/promises";
import path from "node:path";
import { errorMessage } from "#core/util/errors.js";
import { filesUnder, isForm } from "./discover.js";
import type { Finding } from "./types.js";

/** What a rule needs to know of one form. */
export interface FormDeclaration {
  /** Path relative to the repository root. */
  file: string;
  /** The form's key (the `id` of its JSON): what camunda:formRef names. */
  key: string;
  /** Keys of the fields a person fills in: submitted with the task. */
  asks: string[];
  /** Keys of read-only fields (disabled or readonly): shown from the task's variables. */
  shows: string[];
}

export interface FormIndex {
  /** By form key; the first file wins when two define one key (that is a finding of its own). */
  byKey: Map<string, FormDeclaration>;
  /** By path relative to the repository root. */
  byFile: Map<string, FormDeclaration>;
  /** Problems of the form files, as findings of the linter's own check `camunda-gitops/form-file`. */
  problems: Finding[];
}

/**
 * The .form files under the given files and folders, sorted; paths that do not exist are skipped. The
 * walk is the release's (discover.ts): a form below processes/ that is released is also checked.
 */
export async function discoverForms(paths: readonly string[]): Promise<string[]> {
  const found = new Set<string>();
  for (const given of paths) {
    const absolute = path.resolve(given);
    const info = await stat(absolute).catch(() => null);
    if (info?.isDirectory()) for (const file of await filesUnder(absolute, isForm)) found.add(file);
    else if (info?.isFile() && isForm(absolute)) found.add(absolute);
  }
  return [...found].sort();
}

/** Reads the forms; `relative` turns an absolute path into the repository-relative one. */
export async function indexForms(
  files: readonly string[],
  relative: (file: string) => string,
  maxFileBytes: number,
): Promise<FormIndex> {
  const index: FormIndex = { byKey: new Map(), byFile: new Map(), problems: [] };
  const problem = (file: string, consequence: Finding["consequence"], message: string, line = 1) =>
    index.problems.push({
      file,
      line,
      column: 1,
      elementId: null,
      rule: "camunda-gitops/form-file",
      severity: "error",
      consequence,
      message,
    });
  for (const absolute of files) {
    const file = relative(absolute);
    const size = (await stat(absolute)).size;
    if (size > maxFileBytes) {
      problem(file, "policy", `the form is larger than ${maxFileBytes} bytes; it was not read`);
      continue;
    }
    const text = await readFile(absolute, "utf8");
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch (error) {
      const position = /position (\d+)/.exec(errorMessage(error));
      const line = position ? text.slice(0, Number(position[1])).split("\n").length : 1;
      problem(
        file,
        "deploy",
        `not valid JSON (${errorMessage(error)}): the engine refuses the deployment (ENGINE-09033); fix it or save it again from Camunda Modeler`,
        line,
      );
      continue;
    }
    const id = json && typeof json === "object" ? (json as { id?: unknown }).id : undefined;
    if (typeof id !== "string" || id.trim() === "") {
      problem(
        file,
        "runtime",
        'the form has no "id": the engine deploys it without a key, so no camunda:formRef can find it; give it an id',
      );
      continue;
    }
    const declaration: FormDeclaration = { file, key: id, ...fieldsOf(json) };
    const other = index.byKey.get(id);
    if (other) {
      problem(
        file,
        "deploy",
        `the form id "${id}" is also the id of ${other.file}: the engine refuses a deployment with two forms of one key; give each form its own id`,
      );
    } else index.byKey.set(id, declaration);
    index.byFile.set(file, declaration);
  }
  return index;
}

/** Field keys of a form-js schema, nested groups included. */
function fieldsOf(json: unknown): { asks: string[]; shows: string[] } {
  const asks: string[] = [];
  const shows: string[] = [];
  const walk = (components: unknown) => {
    for (const component of Array.isArray(components) ? components : []) {
      if (!component || typeof component !== "object") continue;
      const { key, disabled, readonly } = component as {
        key?: unknown;
        disabled?: unknown;
        readonly?: unknown;
      };
      if (typeof key === "string" && key !== "") {
        // form-js never submits disabled fields; readonly ones it submits unchanged.
        if (disabled === true || readonly === true) shows.push(key);
        else asks.push(key);
      }
      walk((component as { components?: unknown }).components);
    }
  };
  walk((json as { components?: unknown }).components);
  return { asks, shows };
}
