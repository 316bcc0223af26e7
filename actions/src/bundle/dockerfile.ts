/**
 * The host builds the workers' image from the bundle (when no registry image is configured), so
 * every path the Dockerfile copies from its build context must be in the bundle. Checking that here
 * turns a build failure on the instance, minutes into a deployment, into a packaging error.
 */
export interface DockerfileProblem {
  line: number;
  message: string;
}

/**
 * @param text the Dockerfile
 * @param has whether the build context (the bundle root) holds a file or a folder at this path
 */
export function checkCopySources(text: string, has: (contextPath: string) => boolean): DockerfileProblem[] {
  const problems: DockerfileProblem[] = [];
  // Join continuation lines, remembering where each instruction starts.
  const lines = text.split("\n");
  for (let i = 0; i < lines.length; i++) {
    const start = i;
    let instruction = lines[i]!;
    while (instruction.trimEnd().endsWith("\\") && i + 1 < lines.length) {
      instruction = `${instruction.trimEnd().slice(0, -1)} ${lines[++i]}`;
    }
    const match = /^\s*(COPY|ADD)\s+(.*)$/i.exec(instruction);
    if (!match) continue;
    const args = match[2]!.trim();
    if (args.startsWith("[")) continue; // JSON form: rare here, left to docker
    const words = args.split(/\s+/);
    if (words.some((w) => /^--from=/.test(w))) continue; // copies from another stage, not the context
    const paths = words.filter((w) => !w.startsWith("--"));
    for (const source of paths.slice(0, -1)) {
      if (/^https?:\/\//.test(source)) continue;
      const clean = source.replace(/^\.\//, "").replace(/\/$/, "");
      if (clean === "." || clean === "") continue;
      // For a glob, require at least the folder before the first wildcard.
      const wildcard = clean.search(/[*?[]/);
      const probe =
        wildcard >= 0 ? clean.slice(0, clean.lastIndexOf("/", wildcard) + 1).replace(/\/$/, "") : clean;
      if (probe !== "" && !has(probe)) {
        problems.push({
          line: start + 1,
          message: `${match[1]!.toUpperCase()} ${source}: not in the bundle, so the image cannot be built on the host`,
        });
      }
    }
  }
  return problems;
}
