/**
 * @file The browser benchmark's server (bench/browser/server.ts), without a browser: every
 * response, a 404 included, carries the cross-origin-isolation headers, .wasm goes out as
 * application/wasm, and a path cannot climb out of a served folder. (`npm run bench -- --browser`
 * itself is run by hand, never by the test suite.)
 */

import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { request } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, test } from "node:test";
import { type BenchServer, mimeType, startServer } from "../../bench/browser/server.js";

const WASM = Uint8Array.of(0, 0x61, 0x73, 0x6d, 1, 0, 0, 0);
let server: BenchServer;
let dir: string;

before(async () => {
  dir = mkdtempSync(join(tmpdir(), "bench-server-"));
  writeFileSync(join(dir, "kernel.wasm"), WASM);
  server = await startServer({
    files: new Map([
      ["/index.html", "<!doctype html>"],
      ["/peer.js", "export {};"],
    ]),
    folders: new Map([["/wasm/", dir]]),
  });
});

after(async () => {
  await server.close();
  rmSync(dir, { recursive: true, force: true });
});

/** GET `path` with a raw request line (no URL normalization by the client). */
function get(
  path: string,
): Promise<{ status: number; headers: Record<string, unknown>; body: Buffer }> {
  const { hostname, port } = new URL(server.origin);
  return new Promise((resolve, reject) => {
    const req = request({ host: hostname, port, path, method: "GET" }, (res) => {
      const chunks: Buffer[] = [];
      res.on("data", (c: Buffer) => chunks.push(c));
      res.on("end", () =>
        resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }),
      );
    });
    req.on("error", reject);
    req.end();
  });
}

test("every response is cross-origin isolated, with the right Content-Type", async () => {
  assert.match(server.origin, /^http:\/\/127\.0\.0\.1:\d+$/);
  const cases: [string, number, RegExp][] = [
    ["/", 200, /^text\/html/],
    ["/peer.js", 200, /^text\/javascript/],
    ["/wasm/kernel.wasm", 200, /^application\/wasm$/],
    ["/wasm/missing.wasm", 404, /^text\/plain/],
    ["/nothing-here", 404, /^text\/plain/],
    // Dot segments are resolved by the URL parser (here: /etc/passwd, not served) ...
    ["/wasm/../../etc/passwd", 404, /^text\/plain/],
    // ... and an encoded slash that would climb out of the folder is refused.
    ["/wasm/..%2f..%2fetc%2fpasswd", 403, /^text\/plain/],
  ];
  for (const [path, status, type] of cases) {
    const r = await get(path);
    assert.equal(r.status, status, path);
    assert.match(String(r.headers["content-type"]), type, path);
    assert.equal(r.headers["cross-origin-opener-policy"], "same-origin", path);
    assert.equal(r.headers["cross-origin-embedder-policy"], "require-corp", path);
  }
  assert.deepEqual(new Uint8Array((await get("/wasm/kernel.wasm")).body), WASM);
});

test("setFile replaces a served file; mimeType by extension", async () => {
  server.setFile("/peer.js", "export const next = 1;");
  assert.equal((await get("/peer.js")).body.toString(), "export const next = 1;");
  assert.equal(mimeType("a/b.WASM"), "application/wasm");
  assert.equal(mimeType("x.mjs"), "text/javascript; charset=utf-8");
  assert.equal(mimeType("x.bin"), "application/octet-stream");
});
