/**
 * The business metrics exporter as the engine hosts run it: a container from the workers' image
 * (`node /app/metrics.mjs`, bundled by esbuild like the workers), next to the workers on each host.
 * Settings come from the environment, as the workers' do:
 *
 *   CAMUNDA_URL, CAMUNDA_USERNAME, CAMUNDA_PASSWORD   the engine and the read-only monitoring user
 *   METRICS_HTTP_HOST (0.0.0.0), METRICS_HTTP_PORT (9465), METRICS_INTERVAL_SECONDS (15)
 *   CAMUNDA_TENANT_ID                                   only that tenant's figures (optional)
 *
 * A missing or invalid setting is one line on stderr and exit 2; SIGTERM stops it at once.
 */
import { startExporter } from "./exporter.js";
import { defaultExporterPort } from "./settings.js";

function setting(name: string, fallback?: string): string {
  const value = process.env[name]?.trim() || fallback;
  if (!value) {
    console.error(
      `metrics exporter: ${name} is not set; the compose file passes it from the host's runtime settings.`,
    );
    process.exit(2);
  }
  return value;
}

function wholeNumber(name: string, fallback: number, min: number, max: number): number {
  const text = setting(name, String(fallback));
  const value = Number(text);
  if (!/^\d+$/.test(text) || value < min || value > max) {
    console.error(`metrics exporter: ${name} must be a whole number from ${min} to ${max}, got "${text}".`);
    process.exit(2);
  }
  return value;
}

const baseUrl = setting("CAMUNDA_URL");
const tenantId = process.env.CAMUNDA_TENANT_ID?.trim();
const exporter = await startExporter({
  baseUrl,
  username: setting("CAMUNDA_USERNAME"),
  password: setting("CAMUNDA_PASSWORD"),
  host: setting("METRICS_HTTP_HOST", "0.0.0.0"),
  port: wholeNumber("METRICS_HTTP_PORT", defaultExporterPort, 1, 65_535),
  intervalMs: wholeNumber("METRICS_INTERVAL_SECONDS", 15, 1, 3_600) * 1000,
  ...(tenantId ? { tenantId } : {}),
  log: (line) => console.log(JSON.stringify({ level: "info", time: new Date().toISOString(), msg: line })),
});
console.log(
  JSON.stringify({ level: "info", time: new Date().toISOString(), msg: `serving ${exporter.url}` }),
);
for (const signal of ["SIGTERM", "SIGINT"] as const)
  process.once(signal, () => {
    void exporter.stop().then(() => process.exit(0));
  });
