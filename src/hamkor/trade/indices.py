"""Trade indices with their standard definitions, as pure functions over plain numbers."""

from __future__ import annotations

from collections.abc import Mapping, Sequence


def herfindahl(values: Sequence[float]) -> float | None:
    """Sum of squared shares (0..1)."""
    total = sum(values)
    if total <= 0:
        return None
    return sum((v / total) ** 2 for v in values)


def normalised_herfindahl(values: Sequence[float]) -> float | None:
    """(H - 1/N) / (1 - 1/N): 0 for equal shares, 1 for a single item; None for fewer than 2."""
    positive = [v for v in values if v > 0]
    if len(positive) < 2:
        return 1.0 if len(positive) == 1 else None
    h = herfindahl(positive)
    n = len(positive)
    return (h - 1 / n) / (1 - 1 / n)


def grubel_lloyd(exports: float, imports: float) -> float:
    """1 - |X - M| / (X + M): 1 = all intra-industry, 0 = one-way trade."""
    total = exports + imports
    return 1 - abs(exports - imports) / total if total > 0 else 0.0


def grubel_lloyd_aggregate(exports: Mapping[str, float], imports: Mapping[str, float]) -> float | None:
    """Trade-weighted average over products: 1 - sum|X_k - M_k| / sum(X_k + M_k)."""
    keys = set(exports) | set(imports)
    total = sum(exports.get(k, 0) + imports.get(k, 0) for k in keys)
    if total <= 0:
        return None
    return 1 - sum(abs(exports.get(k, 0) - imports.get(k, 0)) for k in keys) / total


def trade_complementarity(exporter_exports: Mapping[str, float], partner_imports: Mapping[str, float]) -> float | None:
    """TC = 100 (1 - sum_k |m_k - x_k| / 2), x and m the shares of k in i's exports and j's imports."""
    x_total, m_total = sum(exporter_exports.values()), sum(partner_imports.values())
    if x_total <= 0 or m_total <= 0:
        return None
    keys = set(exporter_exports) | set(partner_imports)
    distance = sum(abs(partner_imports.get(k, 0) / m_total - exporter_exports.get(k, 0) / x_total) for k in keys)
    return 100 * (1 - distance / 2)


def trade_intensity(exports_to_partner: float, total_exports: float, partner_imports: float,
                    world_imports: float) -> float | None:
    """TII = (x_ij / X_i) / (M_j / M_w): above 1, more trade than the partner's weight suggests."""
    if total_exports <= 0 or partner_imports <= 0 or world_imports <= 0:
        return None
    return (exports_to_partner / total_exports) / (partner_imports / world_imports)
