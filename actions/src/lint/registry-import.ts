import { execFile } from "node:child_process";
import { pathToFileURL } from "node:url";
import { promisify } from "node:util";

const execFileAsync = promisify(execFile);

/**
 * Reads the topic names of the TypeScript worker registry from code that runs as a JavaScript bundle
 * (the GitHub Actions): a child `node --import tsx` in the workspace (tsx is there after `npm ci`)
 * imports it, so a bundle never carries a stale copy of the registry.
 */
export async function importRegistryWithTsx(workspace: string, file: string): Promise<unknown> {
  const script = `import(${JSON.stringify(pathToFileURL(file).href)}).then((m) => process.stdout.write(JSON.stringify({ topicNames: m.topicNames })))`;
  const { stdout } = await execFileAsync(
    process.execPath,
    ["--import", "tsx", "--input-type=module", "-e", script],
    {
      cwd: workspace,
      timeout: 60_000,
      maxBuffer: 1024 * 1024,
    },
  );
  return JSON.parse(stdout);
}
