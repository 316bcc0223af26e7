/** Options of `camunda-gitops package` and the package-bundle action. */
import { z } from "zod";
import { text, wholeNumber } from "./rules.js";

/** S3 refuses multipart parts below 5 MiB (except the last). */
export const minimumPartSizeMiB = 5;

export const packageOptions = z
  .object({
    environment: text(),
    "part-size-mib": wholeNumber({ min: minimumPartSizeMiB, max: 5_000, default: 8 }),
    "kms-key-id": text(),
    /** The workers image CI pushed (sha256:…); buildBundle checks its form, packageBundle needs it to upload. */
    "workers-image-digest": text(),
  })
  .transform((o) => ({
    environment: o.environment,
    partSizeBytes: o["part-size-mib"] * 1024 * 1024,
    kmsKeyId: o["kms-key-id"],
    workersImageDigest: o["workers-image-digest"],
  }));

export type PackageOptions = z.output<typeof packageOptions>;
