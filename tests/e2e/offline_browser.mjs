// Headless Debian Chromium, driven by playwright-core from web/node_modules, with every request
// that would leave this machine recorded: the browser tests assert there are none.

import { createRequire } from "node:module";

const require = createRequire(new URL("../../web/package.json", import.meta.url));
const { chromium } = require("playwright-core");

const LOCAL_HOSTS = new Set(["127.0.0.1", "localhost", "[::1]", "::1"]);

// Flags for a closed network: without the background-networking ones Chromium keeps trying
// to reach Google's hosts.
const ARGS = [
  "--headless=new",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
];

export function isExternal(rawUrl) {
  let url;
  try {
    url = new URL(rawUrl);
  } catch {
    return true;
  }
  if (!["http:", "https:", "ws:", "wss:"].includes(url.protocol)) {
    return false; // data:, blob:, about:, chrome-extension: ... never leave the machine
  }
  return !LOCAL_HOSTS.has(url.hostname);
}

// A browser and a page whose external requests, console errors and page errors land in
// `report.external_requests` and `report.console_errors`. Close `browser` when done.
export async function openOfflinePage(report) {
  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM_PATH || "/usr/bin/chromium",
    args: ARGS,
  });
  const context = await browser.newContext({ viewport: { width: 1400, height: 900 } });
  // Context-level, so requests from workers are seen too.
  context.on("request", (request) => {
    if (isExternal(request.url())) report.external_requests.push(request.url());
  });
  const page = await context.newPage();
  page.on("websocket", (ws) => {
    if (isExternal(ws.url())) report.external_requests.push(ws.url());
  });
  page.on("console", (msg) => {
    if (msg.type() === "error") report.console_errors.push(msg.text());
  });
  page.on("pageerror", (err) => report.console_errors.push(`pageerror: ${err.message}`));
  return { browser, page };
}
