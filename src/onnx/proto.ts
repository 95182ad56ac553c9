/**
 * @file The ONNX protobuf messages (ModelProto and the rest), from the optional package
 * onnx-proto (ONNX's onnx.proto compiled for protobufjs), loaded lazily so the core keeps no
 * runtime dependency: only `ad.onnx.load` and `ad.onnx.save` need it.
 */

import type { onnx } from "onnx-proto";
import { importOptionalPackage, MissingDependencyError } from "../core/optional-package.js";

/** The package's name (a variable, so bundlers leave the import to the app). */
const ONNX_PROTO_PACKAGE = "onnx-proto";

/** The `onnx` namespace of onnx-proto: ModelProto, GraphProto, NodeProto, TensorProto... */
export type OnnxProto = typeof onnx;

/**
 * What an app passes when it bundles onnx-proto itself: `{ proto: await import("onnx-proto") }`.
 * @category Tools
 */
export interface OnnxProtoOption {
  /** The onnx-proto module; without it the package is imported by name. */
  readonly proto?: unknown;
}

function namespaceOf(mod: unknown): OnnxProto | null {
  for (const m of [mod, (mod as { default?: unknown } | null)?.default]) {
    const ns = (m as { onnx?: { ModelProto?: unknown } } | null | undefined)?.onnx;
    if (ns !== undefined && typeof ns.ModelProto === "function") return ns as OnnxProto;
  }
  return null;
}

let cached: Promise<OnnxProto> | undefined;

async function importProto(op: string): Promise<OnnxProto> {
  const mod = await importOptionalPackage(
    ONNX_PROTO_PACKAGE,
    op,
    "ONNX's protobuf messages",
    `${op}(..., { proto: await import("${ONNX_PROTO_PACKAGE}") })`,
  );
  const ns = namespaceOf(mod);
  if (ns === null) {
    throw new MissingDependencyError(
      `${op}: the module loaded as ${ONNX_PROTO_PACKAGE} has no onnx.ModelProto; install ${ONNX_PROTO_PACKAGE} 8.x`,
    );
  }
  return ns;
}

/**
 * The ONNX messages: from `options.proto` when given, else onnx-proto imported once by name.
 * `op` names the caller in errors ("onnx.load").
 */
export async function onnxProto(op: string, options?: OnnxProtoOption): Promise<OnnxProto> {
  if (options?.proto !== undefined) {
    const ns = namespaceOf(options.proto);
    if (ns === null) {
      throw new MissingDependencyError(
        `${op}: options.proto is not the onnx-proto module (it has no onnx.ModelProto); pass await import("${ONNX_PROTO_PACKAGE}")`,
      );
    }
    return ns;
  }
  if (cached === undefined) {
    cached = importProto(op);
    // A failed load is not cached: installing the package and calling again works.
    cached.catch(() => {
      cached = undefined;
    });
  }
  return cached;
}
