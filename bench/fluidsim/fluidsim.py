"""The fluid simulation of bench/fluidsim/fluidsim.ts, for autograd (same algorithm, same
float64 operations in the same order), to compare time and peak memory on the same machine.

    python3 bench/fluidsim/fluidsim.py [steps]

Prints one JSON line: time of value_and_grad, peak RSS, the loss and the gradient's norm.
"""

import json
import resource
import sys
import time

import autograd.numpy as np
from autograd import value_and_grad

N, STEPS, ITERS = 110, int(sys.argv[1]) if len(sys.argv) > 1 else 100, 10


def project(vx, vy):
    div = -0.5 * ((np.roll(vx, -1, 1) - np.roll(vx, 1, 1)) + (np.roll(vy, -1, 0) - np.roll(vy, 1, 0)))
    p = np.zeros_like(div)
    for _ in range(ITERS):
        around = (np.roll(p, 1, 0) + np.roll(p, -1, 0)) + (np.roll(p, 1, 1) + np.roll(p, -1, 1))
        p = 0.25 * (div + around)
    return (
        vx - 0.5 * (np.roll(p, -1, 1) - np.roll(p, 1, 1)),
        vy - 0.5 * (np.roll(p, -1, 0) - np.roll(p, 1, 0)),
    )


def flat_index(row, col):
    return (np.mod(row, N) * N + np.mod(col, N)).astype(int)


def advect(f, vx, vy, rows, cols):
    cx = cols - vx
    cy = rows - vy
    x0 = np.floor(cx)
    y0 = np.floor(cy)
    tx = cx - x0
    ty = cy - y0
    x1 = x0 + 1
    y1 = y0 + 1
    flat = np.reshape(f, (N * N,))
    at = lambda r, c: flat[flat_index(r, c)]  # a gather (autograd has no VJP for np.take)
    top = (1 - tx) * at(y0, x0) + tx * at(y0, x1)
    bottom = (1 - tx) * at(y1, x0) + tx * at(y1, x1)
    return (1 - ty) * top + ty * bottom


w = 2 * np.pi / N
r, c = np.meshgrid(np.arange(N, dtype=float), np.arange(N, dtype=float), indexing="ij")
rows, cols = r, c
smoke = (np.sin(3 * w * r) * np.cos(2 * w * c) > 0.2).astype(float)
target = 0.5 + 0.5 * np.sin(w * (r + 2 * c))
vx0 = 1.5 * np.sin(w * r) + 0.3 * np.cos(2 * w * c)
vy0 = 1.5 * np.cos(w * c) - 0.3 * np.sin(3 * w * r)


def loss(v):
    vx, vy = v
    s = smoke
    for _ in range(STEPS):
        vx, vy = project(vx, vy)
        ax = advect(vx, vx, vy, rows, cols)
        ay = advect(vy, vx, vy, rows, cols)
        s = advect(s, vx, vy, rows, cols)
        vx, vy = ax, ay
    return np.sum(np.square(s - target)) / (N * N)


t0 = time.perf_counter()
value, (gx, gy) = value_and_grad(loss)((vx0, vy0))
t = time.perf_counter() - t0
print(json.dumps({
    "case": "fluid (autograd)",
    "steps": STEPS,
    "time_ms": round(t * 1000),
    "max_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024),
    "loss": float(value),
    "grad_norm": float(np.sqrt(np.sum(gx * gx) + np.sum(gy * gy))),
    "grad_sum": float(np.sum(gx) + np.sum(gy)),
}))
