#!/usr/bin/env node
// Entry point of the `camunda-gitops` CLI. The CLI is TypeScript run through tsx's loader, so a fresh
// clone works after `npm ci` with no build step; the GitHub Actions ship esbuild bundles instead.
import { register } from "tsx/esm/api";

register();
const { main } = await import("#core/cli/main.ts");
process.exitCode = await main(process.argv.slice(2));
