"""Economic complexity with the Atlas definitions, as pure functions over a locations x products matrix.

RCA (Balassa), M (RCA >= 1), diversity, ubiquity; ECI and PCI from the second eigenvector of the
country matrix, computed through its symmetric form (a locations x locations `eigh`; the product
side follows from the eigen relation, so no products x products eigensolve is needed); ECI
correlates positively with diversity; ECI and PCI standardised with ECI's mean and standard
deviation. Proximity, density, complexity outlook (COI) and gain (COG).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class Complexity:
    rca: np.ndarray  # locations x products
    m: np.ndarray  # RCA >= 1, as 0/1 floats
    diversity: np.ndarray  # per location
    ubiquity: np.ndarray  # per product
    eigenvalue: float
    eci: np.ndarray
    pci: np.ndarray
    eci_mean: float  # of the raw eigenvector: PCI is standardised with these too
    eci_std: float


def rca(exports: np.ndarray) -> np.ndarray:
    """(x_cp / x_c) / (x_p / x): how much more a location exports of p than the world does."""
    x = np.asarray(exports, dtype=float)
    location_totals = x.sum(axis=1, keepdims=True)
    product_totals = x.sum(axis=0, keepdims=True)
    with np.errstate(divide="ignore", invalid="ignore"):
        result = (x / location_totals) / (product_totals / x.sum())
    return np.nan_to_num(result, nan=0.0, posinf=0.0)


def complexity(exports: np.ndarray) -> Complexity:
    """ECI and PCI of a locations x products export matrix (locations and products with exports)."""
    r = rca(exports)
    m = (r >= 1.0).astype(float)
    diversity, ubiquity = m.sum(axis=1), m.sum(axis=0)
    if (diversity == 0).any() or (ubiquity == 0).any():
        raise ValueError("every location and product needs at least one RCA >= 1: drop the empty ones first")
    # M_cc' = D_c^-1 M D_p^-1 M^T is similar to the symmetric S = D_c^-1/2 M D_p^-1 M^T D_c^-1/2.
    scaled = m / np.sqrt(diversity)[:, None]
    symmetric = (scaled / ubiquity) @ scaled.T
    # numpy's LAPACK eigh, not scipy's: the same solver, without 0.3 s of scipy import in every process
    # that merely ranks opportunities (a brief, the CLI).
    values, vectors = np.linalg.eigh(symmetric)
    eigenvalue = float(values[-2])
    u = vectors[:, -2] / np.sqrt(diversity)  # right eigenvector of M_cc'
    if np.corrcoef(u, diversity)[0, 1] < 0:
        u = -u  # the Atlas sign: more diverse locations are more complex
    # The product eigenvector that maps back onto u: q = D_p^-1 M^T u / lambda (then D_c^-1 M q = u).
    q = (m.T @ u) / ubiquity / eigenvalue
    mean, std = float(u.mean()), float(u.std())
    return Complexity(r, m, diversity, ubiquity, eigenvalue, (u - mean) / std, (q - mean) / std, mean, std)


def proximity(m: np.ndarray) -> np.ndarray:
    """phi_pp' = sum_c M_cp M_cp' / max(k_p, k_p'): the smaller of the two conditional probabilities."""
    # Counts of co-exporters are small integers: float32 holds them exactly and halves the work
    # of the one large product (products x products).
    m32 = np.ascontiguousarray(m, dtype=np.float32)
    together = m32.T @ m32
    ubiquity = np.diag(together).copy()
    together /= np.maximum(ubiquity[:, None], ubiquity[None, :])
    return together


def density(m: np.ndarray, phi: np.ndarray) -> np.ndarray:
    """d_cp = sum_p' phi_pp' M_cp' / sum_p' phi_pp': how close a location's capabilities are to p."""
    # In phi's precision: mixing float32 and float64 would copy the products x products matrix.
    return ((m.astype(phi.dtype) @ phi) / phi.sum(axis=0)).astype(float)


def outlook(m: np.ndarray, phi: np.ndarray, pci: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Complexity outlook index per location and complexity outlook gain per location and product.

    As the Atlas writes them (Technical Boxes 5.3 and 5.4), with the standardised PCI:
    COI_c = sum_p d_cp (1 - M_cp) PCI_p, and
    COG_cp = sum_p' phi_pp' / sum_p'' phi_p''p' (1 - M_cp') PCI_p' - (1 - d_cp) PCI_p,
    where 1 - d_cp is the distance. (The Stata and Python `ecomplexity` packages instead use the
    raw PCI in COI and then standardise COI, and leave the distance term out of COG.)
    """
    d = density(m, phi)
    missing = 1.0 - m
    coi = (d * missing) @ pci
    # sum_p' (1 - M_cp') PCI_p' phi_pp' / sum_p'' phi_p''p' — with phi symmetric, one product by phi
    # of the row vectors already divided by the column sums (no normalised copy of phi).
    scaled = ((missing * pci) / phi.sum(axis=0)).astype(phi.dtype)
    cog = (scaled @ phi).astype(float) - (1.0 - d) * pci
    return coi, cog
