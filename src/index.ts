/**
 * @file The public API of adjoint: tensors, ops, transformations and tools, all from the root.
 * @example
 * import * as ad from "adjoint";
 * const df = ad.grad((x: ad.Tensor) => ad.sum(ad.tanh(x)));
 * df(ad.tensor([0.5, -1]));
 */

export type { Backend, LinalgKernels, ReduceOp } from "./backend/backend.js";
export {
  createFastBackend,
  createWasmBackend,
  enableMatmulThreads,
  getBackend,
  referenceBackend,
  setBackend,
  setMatmulThreads,
  useWasm,
  whenMatmulThreadsReady,
} from "./backend/index.js";
export { scalar, type TensorOptions, tensor } from "./core/convert.js";
export { type DType, getDefaultFloat, setDefaultFloat, type TypedArray } from "./core/dtype.js";
export {
  AdjointError,
  DTypeError,
  GradientCheckError,
  NanError,
  type NanErrorDetails,
  type NanPhase,
  ShapeError,
  TracerError,
  ValueError,
} from "./core/errors.js";
export {
  type FieldKind,
  type Json,
  NO_PARAMS,
  type ParamsCodec,
  type ParamsSchema,
  paramsCodec,
} from "./core/params-json.js";
export {
  type AnyMultiPrimitive,
  type AnyPrimitive,
  type Aval,
  defineMultiPrimitive,
  definePrimitive,
  type MultiPrimitive,
  type Primitive,
  registeredPrimitives,
} from "./core/primitive.js";
export type { PyTree, PyTreeObject } from "./core/pytree.js";
export type { Shape } from "./core/shape.js";
export {
  type NestedArray,
  type ReduceOptions,
  Tensor,
  type TensorLike,
  type TensorLikeArray,
} from "./core/tensor.js";
export { bind, bindMulti } from "./core/trace.js";
export {
  type TreeDef,
  type TreeLeaf,
  type TreeMapped,
  treeLeaves,
  treeMap,
  treeStructure,
  treeUnflatten,
} from "./core/tree-util.js";
export {
  Graph,
  type GraphConst,
  type GraphEqn,
  type GraphLeaf,
} from "./ir/graph.js";
export type { EqnJson, GraphJson, LeafJson, TreeJson } from "./ir/json.js";
export { namedScope } from "./ir/scope.js";
export { type JitFunction, type JitOptions, type JitStats, jit } from "./jit/jit.js";
export * from "./nn/index.js";
export { type FloatInfo, type IntInfo, numpy } from "./numpy.js";
export * from "./onnx/index.js";
export { applyAlongAxis, applyOverAxes, fromfunction } from "./ops/apply.js";
export * from "./ops/index.js";
export { linalg, type TriangularSolveOptions } from "./ops/linalg-decompositions.js";
export type {
  LinalgCrossOptions,
  LinalgNormOptions,
  LinalgOffsetOptions,
  LstsqOptions,
  MatrixNormOptions,
  MatrixRankOptions,
  PinvOptions,
  VectorNormOptions,
} from "./ops/linalg-more.js";
export {
  type RandomSource,
  random,
  type TruncatedNormalOptions,
  type UniformOptions,
} from "./ops/random.js";
export * from "./optim/index.js";
export { type CheckGradsOptions, checkGrads } from "./tools/check-grads.js";
export { debugNans } from "./tools/debug-nans.js";
export { type ExplainTable, Explanation, explain } from "./tools/explain.js";
export { TracedGraph, type TracedNode, traceGraph } from "./tools/trace-graph.js";
export { checkpoint } from "./transforms/checkpoint.js";
export {
  type CustomJvpRules,
  type CustomVjpRules,
  customJvp,
  customVjp,
} from "./transforms/custom.js";
export {
  type HessianOptions,
  hessian,
  hvp,
  type JacobianOptions,
  jacfwd,
  jacobian,
  jacrev,
  linearize,
} from "./transforms/jacobian.js";
export { jvp } from "./transforms/jvp.js";
export {
  type CheckpointPolicy,
  fori,
  type LoopOptions,
  type ScanOptions,
  scan,
} from "./transforms/scan.js";
export { makeGraph } from "./transforms/stage.js";
export { stopGradient } from "./transforms/stop-gradient.js";
export type {
  ArgAt,
  ArgDerivative,
  AuxOf,
  Cotangents,
  Derivative,
  DerivativeLike,
  Gradient,
  GradOptions,
  Hessian,
  Jacobian,
  JacobianOf,
  NoOptions,
  Output,
  ParamDerivative,
  ScalarOutput,
  Stopped,
  Tangents,
  ValueAndGradient,
  ValueOf,
  WithAux,
} from "./transforms/types.js";
export { grad, valueAndGrad, vjp } from "./transforms/vjp.js";
export { type AxisSpec, type VmapOptions, vmap } from "./transforms/vmap.js";
