"""Counter-based random draws: every value is a pure function of (seed, stream name, record index, slot).

A sequential generator would make each row depend on how many draws came before it, so the output would
change with the chunk size. Hashing the record's own index instead (splitmix64) makes any chunking of the
opportunities produce byte-identical files, and lets a chunk be generated without replaying earlier ones.
"""

from __future__ import annotations

import hashlib
from functools import lru_cache

import numpy as np

_GOLDEN = np.uint64(0x9E3779B97F4A7C15)
_M1 = np.uint64(0xBF58476D1CE4E5B9)
_M2 = np.uint64(0x94D049BB133111EB)
_S30, _S27, _S31, _S11 = np.uint64(30), np.uint64(27), np.uint64(31), np.uint64(11)
_UNIT = 2.0**-53


@lru_cache(maxsize=4096)
def _key(seed: int, name: str, slot: int) -> np.uint64:
    digest = hashlib.blake2b(f"{seed}|{name}|{slot}".encode(), digest_size=8).digest()
    return np.uint64(int.from_bytes(digest, "little"))


class Draws:
    """Independent uniform streams keyed by name; ``u("amount", idx)`` is the same wherever idx is drawn."""

    def __init__(self, seed: int) -> None:
        self.seed = seed

    def u(self, name: str, idx: np.ndarray, slot: int = 0) -> np.ndarray:
        """Uniform floats in [0, 1), one per index."""
        z = idx.astype(np.uint64) * _GOLDEN + _key(self.seed, name, slot)
        z = (z ^ (z >> _S30)) * _M1
        z = (z ^ (z >> _S27)) * _M2
        z ^= z >> _S31
        return (z >> _S11).astype(np.float64) * _UNIT

    def normal(self, name: str, idx: np.ndarray, slot: int = 0) -> np.ndarray:
        """Standard normals by Box-Muller over two uniform slots."""
        u1 = 1.0 - self.u(name, idx, 2 * slot)
        u2 = self.u(name, idx, 2 * slot + 1)
        return np.sqrt(-2.0 * np.log(u1)) * np.cos(2.0 * np.pi * u2)

    def lognormal(self, name: str, idx: np.ndarray, sigma: float, slot: int = 0) -> np.ndarray:
        """Mean-one lognormal factors: noise around a modelled value without shifting its average."""
        return np.exp(sigma * self.normal(name, idx, slot) - 0.5 * sigma * sigma)

    def choice(self, name: str, idx: np.ndarray, weights: np.ndarray, slot: int = 0) -> np.ndarray:
        """Indices into ``weights`` drawn with those (unnormalised) weights."""
        return pick(self.u(name, idx, slot), weights)

    def integers(self, name: str, idx: np.ndarray, low: int, high: int, slot: int = 0) -> np.ndarray:
        """Integers in [low, high)."""
        return low + (self.u(name, idx, slot) * (high - low)).astype(np.int64)


def pick(u: np.ndarray, weights: np.ndarray) -> np.ndarray:
    """Map uniforms onto category indices with the given weights (inverse CDF)."""
    cdf = np.cumsum(np.asarray(weights, dtype=np.float64))
    return np.minimum(np.searchsorted(cdf / cdf[-1], u, side="right"), len(cdf) - 1)


def pick_rows(u: np.ndarray, weights: np.ndarray) -> np.ndarray:
    """Like ``pick`` but with one weight vector per row (weights has shape (n, k))."""
    cdf = np.cumsum(weights, axis=1)
    target = (u * cdf[:, -1])[:, None]
    return np.minimum((cdf <= target).sum(axis=1), weights.shape[1] - 1)
