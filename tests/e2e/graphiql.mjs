#!/usr/bin/env node
// Drive the hub's GraphiQL page in headless Chromium and run one query.
//
//   node tests/e2e/graphiql.mjs <url of /graphql> <query text> <expected substring> <screenshot.png>
//
// Needs `npm ci` in web/ (playwright-core, which downloads no browser) and a Chromium
// binary: $CHROMIUM_PATH or /usr/bin/chromium (Debian's `chromium` package).
//
// Prints one JSON line:
//   {"ok", "external_requests", "console_errors", "result_excerpt",
//    "ms_to_editor", "ms_to_result", "error"}
// ok: the result pane showed the expected substring. Exit code 0 only when ok and the
// page made no request to a host other than 127.0.0.1 / localhost / [::1]; 1 otherwise;
// 2 on bad usage.

import { openOfflinePage } from "./offline_browser.mjs";

// playwright-core lives in web/node_modules; resolve it relative to this file, so the
// script works from any working directory.

const TIMEOUT_MS = 15_000;
const EDITOR = ".graphiql-query-editor .CodeMirror";
const EXECUTE = ".graphiql-execute-button";
const RESULT = ".graphiql-response .result-window, .result-window, .graphiql-response";

function usage() {
  console.error(
    "usage: node tests/e2e/graphiql.mjs <url of /graphql> <query text> " +
      "<expected substring> <screenshot.png>",
  );
  process.exit(2);
}

// Text of the result pane: the CodeMirror document when there is one (the DOM only
// holds the visible lines), else the element's text.
function readResult(selector) {
  const cm = document.querySelector(".graphiql-response .CodeMirror");
  if (cm && cm.CodeMirror) {
    return cm.CodeMirror.getValue();
  }
  const el = document.querySelector(selector);
  return el ? el.textContent || "" : "";
}

async function main() {
  const args = process.argv.slice(2);
  if (args.length !== 4) usage();
  const [url, query, expected, screenshot] = args;

  const report = {
    ok: false,
    external_requests: [],
    console_errors: [],
    result_excerpt: "",
    ms_to_editor: null,
    ms_to_result: null,
    error: null,
  };

  const { browser, page } = await openOfflinePage(report);
  try {

    const t0 = Date.now();
    await page.goto(url, { waitUntil: "domcontentloaded", timeout: TIMEOUT_MS });
    await page.waitForSelector(EDITOR, { state: "visible", timeout: TIMEOUT_MS });
    await page.waitForFunction(
      (sel) => Boolean(document.querySelector(sel)?.CodeMirror),
      EDITOR,
      { timeout: TIMEOUT_MS },
    );
    report.ms_to_editor = Date.now() - t0;

    await page.evaluate(
      ([sel, text]) => document.querySelector(sel).CodeMirror.setValue(text),
      [EDITOR, query],
    );

    // GraphiQL picks up editor changes (and the operation name it sends) in a 100 ms
    // debounced handler that ends by saving the query to localStorage; clicking before
    // it ran would send the previous operation name. Wait for it, then for a render.
    await page
      .waitForFunction((text) => localStorage.getItem("graphiql:query") === text, query, {
        timeout: 2_000,
        polling: 25,
      })
      .catch(() => {});
    await page.evaluate(
      () => new Promise((resolve) => requestAnimationFrame(() => requestAnimationFrame(resolve))),
    );
    const t1 = Date.now();
    await page.click(EXECUTE, { timeout: TIMEOUT_MS });
    const deadline = t1 + TIMEOUT_MS;
    let text = "";
    for (;;) {
      text = await page.evaluate(readResult, RESULT);
      if (text.includes(expected)) {
        report.ok = true;
        report.ms_to_result = Date.now() - t1;
        break;
      }
      if (Date.now() >= deadline) {
        report.error = `expected substring not in result pane after ${TIMEOUT_MS} ms`;
        break;
      }
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    report.result_excerpt = text.slice(0, 500);
  } catch (err) {
    report.error = err.message.split("\n")[0];
  } finally {
    if (page) {
      try {
        await page.screenshot({ path: screenshot, fullPage: true, timeout: TIMEOUT_MS });
      } catch (err) {
        report.error ??= `screenshot failed: ${err.message.split("\n")[0]}`;
      }
    }
    await browser.close();
  }

  console.log(JSON.stringify(report));
  process.exitCode = report.ok && report.external_requests.length === 0 ? 0 : 1;
}

main().catch((err) => {
  console.log(
    JSON.stringify({
      ok: false,
      external_requests: [],
      console_errors: [],
      result_excerpt: "",
      ms_to_editor: null,
      ms_to_result: null,
      error: String(err && err.message ? err.message.split("\n")[0] : err),
    }),
  );
  process.exitCode = 1;
});
