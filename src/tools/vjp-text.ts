/**
 * @file How explain describes a VJP rule: a one-line description per common primitive, in the
 * vocabulary of docs/how-it-works.md (ct is the output's adjoint, x and y the inputs, out the
 * output, gx and gy what the inputs receive), and for elementwise ones the term each input
 * receives, which explain writes out with the traced numbers ("1 * cos 2"). The terms only
 * illustrate: the values explain prints are computed by the primitives' own rules.
 */

/** A rule's description and, when given, each input's term in ct, x, y and out. */
export interface VjpText {
  readonly rule: string;
  readonly terms?: readonly string[];
}

const TIES = "(ties as docs/conventions.md)";

const RULES: Readonly<Record<string, VjpText>> = {
  add: { rule: "gx = ct, gy = ct", terms: ["ct", "ct"] },
  sub: { rule: "gx = ct, gy = -ct", terms: ["ct", "-ct"] },
  mul: { rule: "gx = ct * y, gy = ct * x", terms: ["ct * y", "ct * x"] },
  div: { rule: "gx = ct / y, gy = -ct * x / y^2", terms: ["ct / y", "-ct * x / y^2"] },
  neg: { rule: "gx = -ct", terms: ["-ct"] },
  pow: {
    rule: "gx = ct * y * x^(y - 1), gy = ct * out * log(x)",
    terms: ["ct * y * x^(y - 1)", "ct * out * log x"],
  },
  sin: { rule: "gx = ct * cos(x)", terms: ["ct * cos x"] },
  cos: { rule: "gx = -ct * sin(x)", terms: ["-ct * sin x"] },
  tan: { rule: "gx = ct * (1 + out^2)", terms: ["ct * (1 + out^2)"] },
  sinh: { rule: "gx = ct * cosh(x)", terms: ["ct * cosh x"] },
  cosh: { rule: "gx = ct * sinh(x)", terms: ["ct * sinh x"] },
  tanh: { rule: "gx = ct * (1 - out^2)", terms: ["ct * (1 - out^2)"] },
  exp: { rule: "gx = ct * out (out = exp(x))", terms: ["ct * out"] },
  expm1: { rule: "gx = ct * (out + 1)", terms: ["ct * (out + 1)"] },
  log: { rule: "gx = ct / x", terms: ["ct / x"] },
  log1p: { rule: "gx = ct / (1 + x)", terms: ["ct / (1 + x)"] },
  sqrt: { rule: "gx = ct / (2 * out) (out = sqrt(x))", terms: ["ct / (2 * out)"] },
  rsqrt: { rule: "gx = -ct * out / (2 * x)", terms: ["-ct * out / (2 * x)"] },
  square: { rule: "gx = ct * 2 * x", terms: ["ct * 2 * x"] },
  reciprocal: { rule: "gx = -ct * out^2", terms: ["-ct * out^2"] },
  sigmoid: { rule: "gx = ct * out * (1 - out)", terms: ["ct * out * (1 - out)"] },
  abs: { rule: "gx = ct * sign(x)", terms: ["ct * sign x"] },
  relu: { rule: "gx = ct where x > 0, else 0" },
  max: { rule: `gx = ct where x > y, gy = ct where y > x, half each where equal ${TIES}` },
  min: { rule: `gx = ct where x < y, gy = ct where y < x, half each where equal ${TIES}` },
  sign: { rule: "gx = 0 (piecewise constant)" },
  floor: { rule: "gx = 0 (piecewise constant)" },
  ceil: { rule: "gx = 0 (piecewise constant)" },
  round: { rule: "gx = 0 (piecewise constant)" },
  trunc: { rule: "gx = 0 (piecewise constant)" },
  select: { rule: "gcond: none, ga = ct where cond, gb = ct where not cond" },
  stop_gradient: { rule: "gx: none (stop_gradient blocks the adjoint)" },
  convert_element_type: { rule: "gx = ct cast to x's dtype", terms: ["ct"] },
  reduce_sum: { rule: "gx = ct broadcast back over the summed axes" },
  reduce_max: { rule: `gx = ct at the maxima, shared among ties ${TIES}` },
  reduce_min: { rule: `gx = ct at the minima, shared among ties ${TIES}` },
  reduce_prod: { rule: "gx = ct * the product of the other elements" },
  cumsum: { rule: "gx = the reversed cumulative sum of ct" },
  matmul: { rule: "gx = ct @ yᵀ, gy = xᵀ @ ct" },
  reshape: { rule: "gx = ct reshaped to x's shape" },
  transpose: { rule: "gx = ct with the axes permuted back" },
  broadcast_to: { rule: "gx = ct summed over the broadcast axes" },
  slice: { rule: "gx = ct padded with zeros to x's shape" },
  pad: { rule: "gx = the part of ct over x" },
  concatenate: { rule: "each input gets its part of ct" },
  flip: { rule: "gx = ct flipped back" },
  gather: { rule: "gx = ct added back at the gathered indices" },
  custom_call: { rule: "the function's custom rule" },
};

/** The description of `name`'s VJP rule ("the VJP of <name>" for one not in the table). */
export function vjpText(name: string): VjpText {
  return Object.hasOwn(RULES, name) ? RULES[name]! : { rule: `the VJP of ${name}` };
}
