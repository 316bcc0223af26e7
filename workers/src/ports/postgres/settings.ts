/**
 * Settings of the workers' PostgreSQL store, apart from the driver so that reading the configuration
 * does not load it.
 */
export type SslMode = "disable" | "require" | "verify-full";

export interface PostgresSettings {
  host: string;
  port: number;
  database: string;
  user: string;
  password: string;
  /** The schema holding the workers' tables (created by provisioning in AWS, by the migration locally). */
  schema: string;
  sslMode: SslMode;
  /** CA bundle for verify-full (e.g. the RDS global bundle). */
  sslCaFile?: string | undefined;
  poolSize: number;
  /** Bound of every statement (server side), so a blocked query cannot hold a handler for ever. */
  statementTimeoutMs: number;
}

/** PostgreSQL identifiers the workers accept for schema names: plain, lower case, never quoted. */
export const SCHEMA_NAME = /^[a-z_][a-z0-9_]{0,62}$/;
