/**
 * @file The browser benchmark's web server: node:http on 127.0.0.1 (a random free port), serving
 * in-memory files (the page, the peer bundles) and folders on disk (TF.js's .wasm binaries).
 * Every response, errors included, carries the cross-origin-isolation headers
 * (COOP same-origin, COEP require-corp): without them a page has no SharedArrayBuffer, so no
 * Wasm threads for adjoint's matmul or TF.js, and coarse timers. .wasm files go out as
 * application/wasm, which WebAssembly.instantiateStreaming requires.
 */

import { readFile } from "node:fs/promises";
import { createServer, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { extname, join, normalize, sep } from "node:path";

/** The headers on every response: they make the page cross-origin isolated. */
export const ISOLATION_HEADERS: Readonly<Record<string, string>> = {
  "Cross-Origin-Opener-Policy": "same-origin",
  "Cross-Origin-Embedder-Policy": "require-corp",
  // Same-origin resources need no CORP header under require-corp; saying so costs nothing.
  "Cross-Origin-Resource-Policy": "same-origin",
  "Cache-Control": "no-store",
};

const MIME: Readonly<Record<string, string>> = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".mjs": "text/javascript; charset=utf-8",
  ".json": "application/json",
  ".wasm": "application/wasm",
  ".map": "application/json",
  ".txt": "text/plain; charset=utf-8",
};

/** The Content-Type served for a path, by its extension (unknown: application/octet-stream). */
export function mimeType(path: string): string {
  return MIME[extname(path).toLowerCase()] ?? "application/octet-stream";
}

export interface ServerOptions {
  /** In-memory files by URL path ("/" and "/index.html" are the same page). */
  readonly files?: ReadonlyMap<string, string | Uint8Array>;
  /** Folders on disk served under a URL prefix ending in "/", e.g. "/tfjs-wasm/". */
  readonly folders?: ReadonlyMap<string, string>;
}

export interface BenchServer {
  /** "http://127.0.0.1:PORT" (no trailing slash). */
  readonly origin: string;
  /** Replaces or adds an in-memory file (e.g. the next peer's bundle). */
  setFile(path: string, body: string | Uint8Array): void;
  close(): Promise<void>;
}

/** A file under `folder` for the rest of a URL path, or undefined if it would leave the folder. */
function inside(folder: string, rest: string): string | undefined {
  const path = normalize(join(folder, decodeURIComponent(rest)));
  return path.startsWith(folder.endsWith(sep) ? folder : folder + sep) ? path : undefined;
}

/** Starts the server; resolves once it listens. */
export async function startServer(options: ServerOptions = {}): Promise<BenchServer> {
  const files = new Map(options.files ?? []);
  const folders = [...(options.folders ?? [])];
  const send = (
    res: ServerResponse,
    status: number,
    type: string,
    body: string | Uint8Array,
  ): void => {
    res.writeHead(status, { "Content-Type": type, ...ISOLATION_HEADERS });
    res.end(body);
  };
  const server: Server = createServer((req, res) => {
    const path = new URL(req.url ?? "/", "http://127.0.0.1").pathname;
    const key = path === "/" ? "/index.html" : path;
    const body = files.get(key);
    if (body !== undefined) return send(res, 200, mimeType(key), body);
    for (const [prefix, folder] of folders) {
      if (!path.startsWith(prefix)) continue;
      const file = inside(folder, path.slice(prefix.length));
      if (file === undefined) return send(res, 403, MIME[".txt"]!, "forbidden\n");
      readFile(file).then(
        (data) => send(res, 200, mimeType(file), data),
        () => send(res, 404, MIME[".txt"]!, `not found: ${path}\n`),
      );
      return;
    }
    send(res, 404, MIME[".txt"]!, `not found: ${path}\n`);
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", resolve);
  });
  const { port } = server.address() as AddressInfo;
  return {
    origin: `http://127.0.0.1:${port}`,
    setFile(path, body) {
      files.set(path === "/" ? "/index.html" : path, body);
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
