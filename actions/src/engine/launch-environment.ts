/**
 * Environment every local engine is started with, whatever the caller passes: the settings the
 * production image bakes in (its Dockerfile's ENV), so both packagings run the JVM alike.
 * engine/run-7.23.0.yaml records the image's values; test/unit/engine/fidelity.test.ts compares them.
 */
export const fixedEngineEnvironment: Readonly<Record<string, string>> = {
  // The image's ENV TZ=UTC: REST dates, timers and FEEL now() in UTC whatever the host's zone.
  TZ: "UTC",
};
