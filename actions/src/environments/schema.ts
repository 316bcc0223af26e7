import { z } from "zod";
import { identitiesSchema } from "#core/identities/schema.js";

/**
 * One schema for every `environments/<name>.yaml`. Release, package, deploy and the infrastructure
 * workflow all read their settings from here; credentials never live in these files.
 */
const awsAccountId = z.string().regex(/^\d{12}$/, "must be a 12-digit AWS account id (quote it in YAML)");
const roleArn = z.string().regex(/^arn:aws:iam::\d{12}:role\/[\w+=,.@/-]+$/, "must be an IAM role ARN");
const stackName = z
  .string()
  .regex(/^[A-Za-z][A-Za-z0-9-]{0,127}$/, "must be a valid CloudFormation stack name");
const bucketName = z
  .string()
  .regex(
    /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/,
    "must be a valid S3 bucket name (lower case, 3-63 characters)",
  );
const cidr = z
  .string()
  .regex(/^(\d{1,3}\.){3}\d{1,3}\/(\d|[12]\d|3[0-2])$/, "must be an IPv4 CIDR such as 203.0.113.0/24")
  .refine((v) => v !== "0.0.0.0/0", "must not be 0.0.0.0/0: name your corporate range");

export const camundaSchema = z
  .object({
    /** Base URL of the engine's REST API, ending in /engine-rest. */
    restUrl: z.url({ message: "must be an absolute URL such as https://camunda.example.com/engine-rest" }),
    /** Deploy into this tenant (multi-tenant engines only). */
    tenantId: z
      .string()
      .regex(/^[A-Za-z0-9_-]{1,64}$/, "must be 1-64 letters, digits, '-' or '_'")
      .optional(),
    /** Stable deployment name: duplicate filtering compares on name and source. */
    deploymentName: z.string().min(1).max(255).default("insurance-platform"),
    /** Stable deployment source, e.g. github-actions. */
    deploymentSource: z.string().min(1).max(255).default("camunda-gitops"),
    /** Plain http:// to a non-loopback host is refused unless this is true and a reason is given. */
    allowInsecureHttp: z.boolean().default(false),
    insecureHttpReason: z
      .string()
      .min(10, "must say why plain HTTP is acceptable (10+ characters)")
      .optional(),
    /** `release --smoke` starts one instance per changed process; never in prod unless this is true. */
    allowSmokeTests: z.boolean().default(false),
    /**
     * Running instances of older versions when a process gets a new one: never moved (`release
     * --migrate` moves them once), moved when every instance is covered, or required (a release that
     * would leave instances behind is refused before it deploys). See docs/migration.md.
     */
    migration: z.enum(["never", "covered", "required"]).default("never"),
    /** A process whose file left git: kept startable, or suspended by the next release (history stays). */
    removedProcesses: z.enum(["keep", "suspend"]).default("keep"),
    /**
     * `release --ref X --allow-unmerged` deploys a commit that is not on the main branch (unreviewed
     * files): refused unless this is true. Meant for dev; never set it for prod.
     */
    allowUnmergedRefs: z.boolean().default(false),
  })
  .strict()
  .superRefine((camunda, ctx) => {
    if (camunda.allowInsecureHttp && !camunda.insecureHttpReason) {
      ctx.addIssue({
        code: "custom",
        path: ["insecureHttpReason"],
        message: "is required when allowInsecureHttp is true",
      });
    }
    let url: URL;
    try {
      url = new URL(camunda.restUrl);
    } catch {
      return; // reported by the url check
    }
    if (url.protocol !== "https:" && url.protocol !== "http:") {
      ctx.addIssue({
        code: "custom",
        path: ["restUrl"],
        message: "must use https:// (or http:// on loopback)",
      });
    } else if (url.protocol === "http:" && !isLoopback(url.hostname) && !camunda.allowInsecureHttp) {
      ctx.addIssue({
        code: "custom",
        path: ["restUrl"],
        message: `uses plain http:// to ${url.hostname}, which would send the Camunda password in clear text; use https:// or set allowInsecureHttp: true with an insecureHttpReason`,
      });
    }
  });

export const awsSchema = z
  .object({
    region: z.string().regex(/^[a-z]{2}(-gov)?-[a-z]+-\d$/, "must be an AWS region such as eu-west-2"),
    accountId: awsAccountId,
    /** Role GitHub assumes (OIDC) to deploy CloudFormation stacks. */
    infrastructureRoleArn: roleArn,
    /** Role GitHub assumes (OIDC) to upload bundles and drive CodeDeploy. */
    deployRoleArn: roleArn,
    stacks: z
      .object({
        network: stackName,
        data: stackName,
        app: stackName,
        delivery: stackName,
      })
      .strict(),
    artifactBucket: bucketName,
    artifactPrefix: z
      .string()
      .regex(/^([A-Za-z0-9._-]+\/)*$/, "must be empty or end with '/' (e.g. bundles/)")
      .default("bundles/"),
    codeDeploy: z
      .object({
        application: z.string().min(1).max(100),
        deploymentGroup: z.string().min(1).max(100),
      })
      .strict(),
  })
  .strict();

/** Stack parameters that differ per environment (the infrastructure templates read them). */
export const infrastructureSchema = z
  .object({
    corporateCidr: cidr,
    engineNodes: z.number().int().min(1).max(10).default(1),
    instanceType: z
      .string()
      .regex(/^[a-z0-9]+\.[a-z0-9]+$/, "must be an EC2 instance type such as t3.medium"),
    dbInstanceClass: z
      .string()
      .regex(/^db\.[a-z0-9]+\.[a-z0-9]+$/, "must be an RDS instance class such as db.t4g.medium"),
    multiAz: z.boolean().default(false),
    backupRetentionDays: z.number().int().min(1).max(35),
    deletionProtection: z.boolean().default(false),
    /**
     * Business alarm thresholds (cloudformation/alarms.yaml): how long an external task may wait for a
     * worker, how long a review may stay open, how many handler timeouts in 5 minutes are normal, how
     * full the engine's heap may stay (percent of its maximum, 15 minutes).
     */
    alarms: z
      .object({
        oldestTaskMinutes: z.number().int().min(1).max(1_440).default(15),
        oldestReviewHours: z.number().int().min(1).max(720).default(48),
        workerTimeoutsPer5Min: z.number().int().min(0).max(10_000).default(5),
        heapUsedPercent: z.number().int().min(50).max(99).default(85),
      })
      .strict()
      .default({
        oldestTaskMinutes: 15,
        oldestReviewHours: 48,
        workerTimeoutsPer5Min: 5,
        heapUsedPercent: 85,
      }),
    /** ACM certificate of the load balancer's HTTPS listener; required when engineNodes > 1. */
    certificateArn: z
      .string()
      .regex(
        /^arn:aws[a-z-]*:acm:[a-z0-9-]+:\d{12}:certificate\/[A-Za-z0-9-]+$/,
        "must be an ACM certificate ARN",
      )
      .optional(),
  })
  .strict()
  .superRefine((infrastructure, ctx) => {
    if (infrastructure.engineNodes > 1 && !infrastructure.certificateArn) {
      ctx.addIssue({
        code: "custom",
        path: ["certificateArn"],
        message: "is required when engineNodes is above 1 (the load balancer listens on HTTPS only)",
      });
    }
  });

/**
 * The GitHub environment of the same name, as scripts/check-github-settings.ts expects to find it
 * (docs/aws.md and docs/release.md describe the same settings).
 */
export const githubSchema = z
  .object({
    /** Deployments and releases wait for one of the environment's required reviewers. */
    requiredReviewers: z.boolean(),
    /** The person who started a run may not approve it. */
    preventSelfReview: z.boolean().default(false),
    /** The only branches whose runs may use the environment (its deployment branch policy). */
    deploymentBranches: z.array(z.string().min(1)).min(1).default(["main"]),
  })
  .strict()
  .superRefine((github, ctx) => {
    if (github.preventSelfReview && !github.requiredReviewers) {
      ctx.addIssue({
        code: "custom",
        path: ["preventSelfReview"],
        message: "needs requiredReviewers: true (without reviewers nobody approves)",
      });
    }
  });

export const environmentSchema = z
  .object({
    /** Must equal the file name without .yaml. */
    name: z.string().regex(/^[a-z][a-z0-9-]{0,31}$/),
    description: z.string().optional(),
    camunda: camundaSchema,
    aws: awsSchema.optional(),
    infrastructure: infrastructureSchema.optional(),
    github: githubSchema.optional(),
    /** Groups, users, grants and Tasklist filters the release provisions (docs/identities.md). */
    identities: identitiesSchema.optional(),
  })
  .strict()
  .superRefine((environment, ctx) => {
    // A generated password lives in this machine's git-ignored credentials file: only the local engine has one.
    if (environment.name === "local") return;
    for (const [id, user] of Object.entries(environment.identities?.users ?? {})) {
      if (user.password === "generated") {
        ctx.addIssue({
          code: "custom",
          path: ["identities", "users", id, "password"],
          message: `"generated" exists only for the local engine; use { env: VARIABLE } and keep the password in the environment's secrets`,
        });
      }
    }
  });

export type EnvironmentConfig = z.infer<typeof environmentSchema>;
export type AwsConfig = z.infer<typeof awsSchema>;
export type GitHubEnvironmentConfig = z.infer<typeof githubSchema>;

export function isLoopback(hostname: string): boolean {
  const host = hostname.replace(/^\[|\]$/g, "");
  return host === "localhost" || host === "::1" || /^127(\.\d{1,3}){3}$/.test(host);
}
