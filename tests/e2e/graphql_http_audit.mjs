#!/usr/bin/env node
// Run graphql-http's server audit (auditServer: GraphQL over HTTP conformance) against a hub.
//
//   node tests/e2e/graphql_http_audit.mjs <url of /graphql> [header=value ...]
//
// Needs `npm ci` in web/ (graphql-http and its peer graphql are devDependencies there).
// Each header=value is added to every request the audit makes (e.g. a production hub's
// CSRF check wants graphql-require-preflight=1 on GETs).
//
// Prints one JSON line:
//   {"total", "ok", "notice", "warn", "error",
//    "failures": [{"id", "name", "status", "reason", "httpStatus", "body"}]}
// graphql-http rates a failed MUST "error", a failed SHOULD "warn" and a failed MAY "notice".
// Exit code 0 when the audit ran (whatever it found), 2 on bad usage, 1 if it could not run.

import { createRequire } from "node:module";

// graphql-http lives in web/node_modules; resolve it relative to this file, so the script
// works from any working directory.
const require = createRequire(new URL("../../web/package.json", import.meta.url));
const { auditServer } = require("graphql-http");

const [url, ...headerArgs] = process.argv.slice(2);
if (!url) {
  console.error("usage: node tests/e2e/graphql_http_audit.mjs <url of /graphql> [header=value ...]");
  process.exit(2);
}
const extraHeaders = Object.fromEntries(
  headerArgs.map((arg) => {
    const at = arg.indexOf("=");
    if (at < 1) {
      console.error(`not header=value: ${arg}`);
      process.exit(2);
    }
    return [arg.slice(0, at), arg.slice(at + 1)];
  }),
);

function fetchWithHeaders(input, init = {}) {
  const headers = new Headers(init.headers ?? {});
  for (const [name, value] of Object.entries(extraHeaders)) headers.set(name, value);
  return fetch(input, { ...init, headers });
}

async function excerpt(response) {
  try {
    return (await response.clone().text()).slice(0, 300);
  } catch {
    return null;
  }
}

try {
  const results = await auditServer({ url, fetchFn: fetchWithHeaders });
  const counts = { ok: 0, notice: 0, warn: 0, error: 0 };
  const failures = [];
  for (const result of results) {
    counts[result.status] = (counts[result.status] ?? 0) + 1;
    if (result.status !== "ok") {
      failures.push({
        id: result.id,
        name: result.name,
        status: result.status,
        reason: result.reason,
        httpStatus: result.response?.status ?? null,
        body: result.response ? await excerpt(result.response) : null,
      });
    }
  }
  console.log(JSON.stringify({ total: results.length, ...counts, failures }));
} catch (error) {
  console.error(`the audit could not run: ${error?.stack ?? error}`);
  process.exit(1);
}
