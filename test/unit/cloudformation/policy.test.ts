/**
 * Security policy over the parsed templates: what the scanners do not know about this platform
 * (which security group may reach the database, what is reachable from where, how hosts are built).
 * IAM is judged by an IAM simulator in test/aws/contract.
 */
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { type Json, loadTemplates, type Resource, type Template } from "./templates.js";

const templates = loadTemplates();
const all = [...templates.values()];

function template(name: string): Template {
  const t = templates.get(name);
  assert.ok(t, `cloudformation/${name}.yaml is missing`);
  return t;
}

function resourcesOf(type: string): { template: Template; id: string; resource: Resource }[] {
  return all.flatMap((t) =>
    Object.entries(t.Resources)
      .filter(([, r]) => r.Type === type)
      .map(([id, resource]) => ({ template: t, id, resource })),
  );
}

const text = (value: Json | undefined) => JSON.stringify(value ?? null);

interface IngressRule {
  where: string;
  group: Json;
  groupLogicalId?: string;
  condition?: string;
  rule: Record<string, Json>;
}

/** Inline rules of AWS::EC2::SecurityGroup and standalone AWS::EC2::SecurityGroupIngress resources. */
function ingressRules(): IngressRule[] {
  const rules: IngressRule[] = [];
  for (const { template: t, id, resource } of resourcesOf("AWS::EC2::SecurityGroup")) {
    for (const rule of (resource.Properties?.SecurityGroupIngress as Record<string, Json>[] | undefined) ??
      []) {
      rules.push({
        where: `${t.name}.yaml ${id}`,
        group: { Ref: id },
        groupLogicalId: id,
        condition: resource.Condition,
        rule,
      });
    }
  }
  for (const { template: t, id, resource } of resourcesOf("AWS::EC2::SecurityGroupIngress")) {
    const props = resource.Properties ?? {};
    const group = props.GroupId ?? null;
    const ref = (group as { Ref?: string } | null)?.Ref;
    rules.push({
      where: `${t.name}.yaml ${id}`,
      group,
      groupLogicalId: ref,
      condition: resource.Condition,
      rule: props,
    });
  }
  return rules;
}

describe("database", () => {
  test("no Aurora instance is publicly accessible, storage is encrypted, IAM auth and log export are on", () => {
    const instances = resourcesOf("AWS::RDS::DBInstance");
    assert.ok(instances.length >= 1);
    for (const { id, resource } of instances)
      assert.equal(resource.Properties?.PubliclyAccessible, false, id);
    const clusters = resourcesOf("AWS::RDS::DBCluster");
    assert.equal(clusters.length, 1);
    const cluster = clusters[0]!.resource;
    assert.equal(cluster.Properties?.StorageEncrypted, true);
    assert.equal(cluster.Properties?.EnableIAMDatabaseAuthentication, true);
    assert.deepEqual(cluster.Properties?.EnableCloudwatchLogsExports, ["postgresql"]);
    assert.equal(
      cluster.Properties?.ManageMasterUserPassword,
      true,
      "the master password lives in Secrets Manager",
    );
    assert.equal((cluster as { DeletionPolicy?: string }).DeletionPolicy, "Snapshot");
  });

  test("the database subnets have no route to the internet", () => {
    const network = template("network");
    for (const [id, r] of Object.entries(network.Resources)) {
      if (r.Type === "AWS::EC2::Route") {
        assert.notEqual(
          text(r.Properties?.RouteTableId),
          text({ Ref: "DatabaseRouteTable" }),
          `${id} routes the database subnets`,
        );
      }
    }
    const subnetGroup = template("data").Resources.DatabaseSubnetGroup;
    assert.match(text(subnetGroup?.Properties?.SubnetIds), /DatabaseSubnetIds/);
  });

  test("only the engine security group reaches 5432 on the database security group", () => {
    const dbGroup = template("data").Resources.DatabaseSecurityGroup;
    assert.equal(
      dbGroup?.Properties?.SecurityGroupIngress,
      undefined,
      "the database group has no inline ingress",
    );
    const toDatabase = ingressRules().filter(
      (r) => /DatabaseSecurityGroup/.test(text(r.group)) || r.groupLogicalId === "DatabaseSecurityGroup",
    );
    assert.equal(toDatabase.length, 1, "exactly one rule opens the database");
    const only = toDatabase[0]!;
    assert.equal(only.rule.FromPort, 5432);
    assert.equal(only.rule.ToPort, 5432);
    assert.equal(only.rule.IpProtocol, "tcp");
    assert.deepEqual(only.rule.SourceSecurityGroupId, { Ref: "EngineSecurityGroup" });
    assert.equal(only.rule.CidrIp, undefined);
    assert.equal(only.condition, undefined, "the rule exists in every mode");
  });

  test("the engine version is one Camunda 7.23 supports (Aurora PostgreSQL 13 to 16)", () => {
    const version = String(template("data").Parameters.EngineVersion?.Default);
    const major = Number(version.split(".")[0]);
    assert.ok(major >= 13 && major <= 16, version);
    // The parameter's own pattern keeps a later edit from picking an unsupported major version.
    const pattern = new RegExp(String(template("data").Parameters.EngineVersion?.AllowedPattern));
    assert.match(version, pattern);
    assert.doesNotMatch("17.1", pattern);
    assert.doesNotMatch("12.22", pattern);
  });
});

describe("network exposure", () => {
  test("nothing is open to the internet except the load balancer's 443/80, and only when it exists", () => {
    for (const r of ingressRules()) {
      const open = r.rule.CidrIp === "0.0.0.0/0" || r.rule.CidrIpv6 === "::/0";
      if (!open) continue;
      assert.equal(r.groupLogicalId, "LoadBalancerSecurityGroup", `${r.where} opens to the internet`);
      assert.ok(
        [80, 443].includes(Number(r.rule.FromPort)) && r.rule.FromPort === r.rule.ToPort,
        `${r.where} port`,
      );
      assert.equal(r.condition, "WithLoadBalancer", `${r.where} exists without the load balancer`);
    }
  });

  test("the corporate CIDR has no default, and the templates accept no open default", () => {
    for (const t of all) {
      const cidr = t.Parameters?.CorporateCidr;
      if (!cidr) continue;
      assert.equal(cidr.Default, undefined, `${t.name}.yaml CorporateCidr has a default`);
    }
    for (const t of all) {
      for (const [name, p] of Object.entries(t.Parameters ?? {})) {
        assert.notEqual(p.Default, "0.0.0.0/0", `${t.name}.yaml ${name}`);
      }
    }
  });

  test("every security group rule says why it exists", () => {
    for (const { template: t, id, resource } of resourcesOf("AWS::EC2::SecurityGroup")) {
      for (const key of ["SecurityGroupIngress", "SecurityGroupEgress"]) {
        for (const rule of (resource.Properties?.[key] as Record<string, Json>[] | undefined) ?? []) {
          assert.ok(
            String(rule.Description ?? "").length >= 10,
            `${t.name}.yaml ${id} ${key} rule without description`,
          );
        }
      }
    }
    for (const type of ["AWS::EC2::SecurityGroupIngress", "AWS::EC2::SecurityGroupEgress"]) {
      for (const { template: t, id, resource } of resourcesOf(type)) {
        assert.ok(
          String(resource.Properties?.Description ?? "").length >= 10,
          `${t.name}.yaml ${id} without description`,
        );
      }
    }
  });

  test("engine hosts: IMDSv2 only with hop limit 1, no public address, encrypted gp3 root volume, Amazon Linux 2023 from SSM", () => {
    const app = template("app");
    const data = app.Resources.LaunchTemplate?.Properties?.LaunchTemplateData as Record<string, Json>;
    // Hop limit 1: a container's request to the metadata service crosses the docker bridge and
    // never gets a token, so only the host itself can use the instance role.
    assert.deepEqual(data.MetadataOptions, {
      HttpTokens: "required",
      HttpPutResponseHopLimit: 1,
      HttpEndpoint: "enabled",
    });
    const nic = (data.NetworkInterfaces as Record<string, Json>[])[0]!;
    assert.equal(nic.AssociatePublicIpAddress, false, "no engine host gets a public address");
    assert.match(text(nic.SubnetId), /PrivateSubnetIds/);
    assert.doesNotMatch(text(nic.SubnetId), /PublicSubnetIds/);
    const ebs = (data.BlockDeviceMappings as { Ebs: Record<string, Json> }[])[0]!.Ebs;
    assert.equal(ebs.Encrypted, true);
    assert.equal(ebs.VolumeType, "gp3");
    assert.match(
      String(app.Parameters.ImageId?.Default),
      /^\/aws\/service\/ami-amazon-linux-latest\/al2023-/,
    );
    assert.match(String(app.Parameters.ImageId?.Type), /^AWS::SSM::Parameter::Value</);
  });

  test("load balancer: health check on /engine-rest/engine, sticky sessions, idle timeout above the 20 s long poll", () => {
    const app = template("app");
    const tg = app.Resources.TargetGroup?.Properties ?? {};
    assert.equal(tg.HealthCheckPath, "/engine-rest/engine");
    assert.match(text(tg.TargetGroupAttributes), /"stickiness.enabled","Value":"true"/);
    assert.ok(Number(app.Parameters.LoadBalancerIdleTimeoutSeconds?.Default) > 20);
    assert.ok(Number(app.Parameters.LoadBalancerIdleTimeoutSeconds?.MinValue) > 20);
    for (const id of ["LoadBalancer", "TargetGroup", "HttpsListener", "LoadBalancerSecurityGroup"]) {
      assert.equal(
        app.Resources[id]?.Condition,
        "WithLoadBalancer",
        `${id} exists only with a load balancer`,
      );
    }
    assert.equal(app.Resources.EngineGroup?.Condition, "Clustered");
    assert.equal(app.Resources.EngineInstance?.Condition, "SingleHost");
    // Port 8080 from the corporate network only for a private single host without a certificate.
    assert.equal(app.Resources.EngineHttpFromCorporate?.Condition, "PrivateHost");
    assert.deepEqual(app.Conditions?.PrivateHost, {
      "Fn::And": [{ Condition: "SingleHost" }, { "Fn::Not": [{ Condition: "HasCertificate" }] }],
    });
  });

  test("prod is HTTPS only: a CloudFormation rule refuses prod without a certificate", () => {
    const app = template("app") as Template & { Rules?: Record<string, Record<string, Json>> };
    assert.deepEqual(app.Rules?.ProdServesHttpsOnly?.RuleCondition, {
      "Fn::Equals": [{ Ref: "EnvironmentName" }, "prod"],
    });
    assert.deepEqual(app.Rules?.ProdServesHttpsOnly?.Assertions, [
      {
        Assert: { "Fn::Not": [{ "Fn::Equals": [{ Ref: "CertificateArn" }, ""] }] },
        AssertDescription:
          "prod serves Cockpit, Tasklist and the REST API over HTTPS only; set CertificateArn (infrastructure.certificateArn).",
      },
    ]);
    // The HTTPS listener uses a TLS 1.2+ policy and plain HTTP on the load balancer only redirects.
    assert.equal(app.Resources.HttpsListener?.Properties?.SslPolicy, "ELBSecurityPolicy-TLS13-1-2-2021-06");
    assert.match(
      text(app.Resources.HttpRedirectListener?.Properties?.DefaultActions),
      /"Protocol":"HTTPS".*"StatusCode":"HTTP_301"/,
    );
  });
});

describe("buckets", () => {
  test("every bucket is encrypted, blocks public access, and has a TLS-only policy", () => {
    const buckets = resourcesOf("AWS::S3::Bucket");
    assert.ok(buckets.length >= 2);
    for (const { template: t, id, resource } of buckets) {
      const props = resource.Properties ?? {};
      const rules = (
        props.BucketEncryption as {
          ServerSideEncryptionConfiguration?: { ServerSideEncryptionByDefault?: { SSEAlgorithm?: string } }[];
        }
      )?.ServerSideEncryptionConfiguration;
      assert.ok(
        ["AES256", "aws:kms"].includes(String(rules?.[0]?.ServerSideEncryptionByDefault?.SSEAlgorithm)),
        `${id} not encrypted`,
      );
      assert.deepEqual(
        props.PublicAccessBlockConfiguration,
        {
          BlockPublicAcls: true,
          BlockPublicPolicy: true,
          IgnorePublicAcls: true,
          RestrictPublicBuckets: true,
        },
        `${t.name}.yaml ${id} public access`,
      );
      assert.deepEqual(props.VersioningConfiguration, { Status: "Enabled" }, `${id} versioning`);
      assert.ok(props.LifecycleConfiguration, `${id} lifecycle`);
      const policy = Object.values(t.Resources).find(
        (r) => r.Type === "AWS::S3::BucketPolicy" && text(r.Properties?.Bucket) === text({ Ref: id }),
      );
      assert.ok(policy, `${t.name}.yaml ${id} has no bucket policy`);
      assert.match(
        text(policy.Properties?.PolicyDocument),
        /"Effect":"Deny".*"aws:SecureTransport":"false"/,
        `${id} TLS only`,
      );
    }
    const artifacts = template("delivery").Resources.ArtifactBucket?.Properties ?? {};
    assert.ok(artifacts.LoggingConfiguration, "the artifact bucket logs its access");
  });
});
