#!/usr/bin/env node
// Entry point of the `camunda-gitops` CLI. The CLI is TypeScript run through tsx's loader, so a fresh
// clone works after `npm ci` with no build step; the GitHub Actions ship esbuild bundles instead.
// This file is the one place that knows where the checkout is (the folder above bin/); every verb is
// told, so the CLI works from any working directory.
import { fileURLToPath } from "node:url";
import { register } from "tsx/esm/api";

register();
const root = fileURLToPath(new URL("..", import.meta.url)).replace(/\/$/, "");
const { main } = await import("#core/cli/main.ts");
process.exitCode = await main(process.argv.slice(2), { root });
