import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { z } from "zod";
import { UsageError } from "#core/util/errors.js";
import { displayPath, localDir } from "#core/util/paths.js";

/**
 * What the last `camunda-gitops package --env E` uploaded, so `camunda-gitops deploy --env E` can
 * deploy it without the bucket, key, ETag and version being copied by hand. Local runs only: in CI
 * the package action's outputs feed the deploy action.
 */
const recordSchema = z.object({
  environment: z.string(),
  bucket: z.string(),
  key: z.string(),
  etag: z.string(),
  versionId: z.string().optional(),
  sha256: z.string(),
  uploadedAt: z.string(),
});

export type LastPackage = z.infer<typeof recordSchema>;

/** Where a checkout remembers its last upload. */
export function lastPackageFile(root: string): string {
  return path.join(localDir(root), "delivery", "last-package.json");
}

export function saveLastPackage(record: LastPackage, file: string): void {
  mkdirSync(path.dirname(file), { recursive: true });
  writeFileSync(file, `${JSON.stringify(record, null, 2)}\n`);
}

export function loadLastPackage(environment: string, file: string): LastPackage {
  if (!existsSync(file)) {
    throw new UsageError(
      `no bundle to deploy: run \`camunda-gitops package --env ${environment}\` first, or pass --bucket and --key.`,
    );
  }
  const parsed = recordSchema.safeParse(JSON.parse(readFileSync(file, "utf8")));
  if (!parsed.success) {
    throw new UsageError(
      `${displayPath(file)} is not a package record; run \`camunda-gitops package --env ${environment}\` again.`,
    );
  }
  if (parsed.data.environment !== environment) {
    throw new UsageError(
      `the last package was uploaded for ${parsed.data.environment}, not ${environment}; run \`camunda-gitops package --env ${environment}\` first, or pass --bucket and --key.`,
    );
  }
  return parsed.data;
}
