"""Taking a file into the warehouse: atomic, idempotent, with a batch record and a report."""

from __future__ import annotations

import hashlib
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import select

from hamkor.errors import NotFound, Problem, reason_of
from hamkor.files import excerpt
from hamkor.i18n import Msg
from hamkor.reference.nomenclature import nomenclature
from hamkor.store.db import Database
from hamkor.store.models import ImportBatch
from hamkor.trade.facts import ErrorReport, ImportRejected, is_synthetic, reject
from hamkor.trade.importers import IMPORTERS, ImportOptions
from hamkor.trade.importers.base import ProgressCallback, period_label
from hamkor.trade.warehouse import Warehouse, WarehouseBusy, coverage_sql

# What a batch keeps of why it was refused or failed: the report's first problems fit many times over; the
# history (`GET /api/v1/imports`, a hundred batches) stays small whatever a file held.
MAX_SUMMARY_CHARS = 16_000


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        while chunk := handle.read(8 << 20):
            digest.update(chunk)  # hashlib releases the GIL: this runs beside the load
    return digest.hexdigest()


MAX_UNKNOWN_SHOWN = 20


def _codes_not_in_nomenclature(con, batch_id: int) -> list[str]:
    """The batch's national-level codes (ten digits) the packaged edition does not hold: a code of a newer
    TN VED edition than ours, or a typing error in the file. The rows load; the import says which."""
    rows = con.execute(
        "SELECT DISTINCT commodity_code, any_value(nomenclature) FROM trade_flow WHERE batch_id = ? "
        "AND regexp_full_match(commodity_code, '[0-9]{10}') GROUP BY ALL ORDER BY 1", [batch_id]).fetchall()
    tree = nomenclature()
    return [code for code, label in rows
            if tree.get(code, "HS2022" if "2022" in (label or "") else "HS2017") is None]


def now() -> datetime:
    return datetime.now(UTC)


@dataclass
class ImportOutcome:
    status: str  # loaded | duplicate | rejected
    file: Path
    kind: str
    batch_id: int | None = None
    source: str = ""
    rows_read: int = 0
    rows_loaded: int = 0
    rows_skipped: int = 0
    periods: list[str] = field(default_factory=list)
    reporters: list[str] = field(default_factory=list)
    replaced: list[int] = field(default_factory=list)
    duplicate_of: int | None = None
    report: ErrorReport | None = None
    notes: list[str] = field(default_factory=list)

    @property
    def synthetic(self) -> bool:
        return is_synthetic(self.source)

    @property
    def period_range(self) -> str:
        if not self.periods:
            return ""
        return self.periods[0] if len(self.periods) == 1 else f"{self.periods[0]}..{self.periods[-1]}"


class ImportService:
    def __init__(self, db: Database, warehouse: Warehouse) -> None:
        self.db = db
        self.warehouse = warehouse

    def import_file(self, kind: str, path: Path, options: ImportOptions | None = None,
                    progress: ProgressCallback | None = None, file_name: str | None = None) -> ImportOutcome:
        """Load one file; `file_name` is what the history shows (an upload's own name, not its temp file)."""
        options = options or ImportOptions()
        importer = IMPORTERS.get(kind)
        if importer is None:
            raise ValueError(Msg("unknown import kind '%(kind)s'; choose one of %(importers)s",
                                 kind=kind, importers=tuple(IMPORTERS)))
        path = Path(path)
        outcome = ImportOutcome("rejected", path, kind, source=importer.source_label(options))
        try:
            self._check_file(path)
            importer.value_factor(options)  # an unknown unit is refused before any work
        except ImportRejected as refused:
            outcome.report = refused.report
            outcome.report.shown_name = file_name
            return outcome
        except ValueError as error:
            outcome.report = reject(path, reason_of(error)).report
            outcome.report.shown_name = file_name
            return outcome

        with ThreadPoolExecutor(max_workers=1) as pool:
            digest_future = pool.submit(sha256_of, path)
            with self.warehouse.writer() as con:
                self._reconcile(con)
                batch_id = self._open_batch(kind, outcome.source, path, file_name)
                outcome.batch_id = batch_id
                con.execute("BEGIN TRANSACTION")
                try:
                    # the load is most of the work, not all: what follows (coverage, checks, the snapshot
                    # readers get) takes the last tenth, so a job never reads 100 % while it still works
                    loading = (lambda done, total: progress(done * 9, total * 10)) if progress else None
                    result = importer.load(con, path, batch_id, options, loading)
                    digest = digest_future.result()
                    duplicate = self._find_duplicate(digest)
                    if duplicate is not None:
                        con.execute("ROLLBACK")
                        outcome.status, outcome.duplicate_of = "duplicate", duplicate
                        self._close_batch(batch_id, "duplicate", digest,
                                          error=f"same content as batch {duplicate}")
                        return outcome
                    if result.rows_loaded == 0:
                        raise reject(path, "the file holds no data rows to load")
                    con.execute(coverage_sql(f"batch_id = {int(batch_id)}"))
                    coverage = con.execute(
                        "SELECT DISTINCT year, month FROM batch_coverage WHERE batch_id = ? "
                        "ORDER BY year, month NULLS FIRST", [batch_id]).fetchall()
                    reporters = [r for (r,) in con.execute(
                        "SELECT DISTINCT reporter FROM batch_coverage WHERE batch_id = ? ORDER BY 1",
                        [batch_id]).fetchall()]
                    unknown = _codes_not_in_nomenclature(con, batch_id)
                    if unknown:
                        result.notes.append(Msg(
                            "%(count)s commodity codes are not in the packaged TN VED nomenclature; their rows are "
                            "loaded and named by the heading above them: %(codes)s", count=len(unknown),
                            codes=", ".join(unknown[:MAX_UNKNOWN_SHOWN]) + (", …" if len(unknown) > MAX_UNKNOWN_SHOWN
                                                                          else "")))
                    replaced = self._superseded(con, batch_id, outcome.source, path)
                    if replaced:
                        con.execute(f"INSERT INTO replaced_flow SELECT * FROM trade_flow "
                                    f"WHERE batch_id IN ({_ids(replaced)})")
                        for table in ("trade_flow", "warehouse_batch", "batch_coverage"):
                            con.execute(f"DELETE FROM {table} WHERE batch_id IN ({_ids(replaced)})")
                    con.execute("INSERT INTO warehouse_batch (batch_id, source, sha256, rows) "
                                "VALUES (?, ?, ?, ?)", [batch_id, outcome.source, digest,
                                                        result.rows_loaded])
                    con.execute("COMMIT")
                    if progress:
                        progress(95, 100)
                except ImportRejected as refused:
                    con.execute("ROLLBACK")
                    outcome.report = refused.report
                    outcome.report.shown_name = file_name
                    self._close_batch(batch_id, "rejected", digest_future.result(),
                                      error=refused.report.summary(),
                                      rejected=refused.report.count)
                    return outcome
                except BaseException as error:
                    con.execute("ROLLBACK")
                    self._close_batch(batch_id, "failed", "", error=f"{type(error).__name__}: {error}")
                    raise
                # The history says "loaded" before the warehouse lock is let go: a backup takes that lock
                # before it reads the history, so it never sees the rows without their batch, nor a
                # replaced batch still "loaded" with its rows gone.
                outcome.status = "loaded"
                outcome.rows_read, outcome.rows_loaded = result.rows_read, result.rows_loaded
                outcome.rows_skipped = result.rows_skipped
                outcome.notes = result.notes
                outcome.periods = [period_label(y, m) for y, m in coverage]
                outcome.reporters = reporters
                outcome.replaced = replaced
                with self.db.session() as session:
                    batch = session.get(ImportBatch, batch_id)
                    batch.status = "loaded"
                    batch.sha256 = digest
                    batch.rows_read, batch.rows_loaded = result.rows_read, result.rows_loaded
                    batch.rows_skipped = result.rows_skipped
                    batch.periods = outcome.periods
                    batch.period_first, batch.period_last = outcome.periods[0], outcome.periods[-1]
                    batch.reporters = reporters
                    batch.error_summary = "\n".join(result.notes) or None
                    batch.finished_at = now()
                    for old in replaced:
                        previous = session.get(ImportBatch, old)
                        if previous is not None:
                            previous.status, previous.replaced_by = "replaced", batch_id
        return outcome

    # -- history and undo ------------------------------------------------------------------
    def batches(self, limit: int = 100) -> list[ImportBatch]:
        with self.db.session() as session:
            return list(session.scalars(select(ImportBatch).order_by(ImportBatch.id.desc()).limit(limit)))

    def undo(self, batch_id: int) -> ImportBatch:
        with self.db.session() as session:
            batch = session.get(ImportBatch, batch_id)
            if batch is None:
                raise NotFound([("batch", Msg("there is no import batch %(batch_id)s", batch_id=batch_id))])
            if batch.status != "loaded":
                raise Problem([("batch", Msg("batch %(batch_id)s is %(status)s, not loaded: nothing to undo",
                                             batch_id=batch_id, status=batch.status))])
            # what this batch replaced comes back, as it was (its rows were kept aside)
            replaced = list(session.scalars(select(ImportBatch).where(
                ImportBatch.replaced_by == batch_id, ImportBatch.status == "replaced").order_by(ImportBatch.id)))
            for old in replaced:
                session.expunge(old)
        with self.warehouse.writer() as con:
            con.execute("BEGIN TRANSACTION")
            for table in ("trade_flow", "warehouse_batch", "batch_coverage"):
                con.execute(f"DELETE FROM {table} WHERE batch_id = ?", [batch_id])
            restored = [old for old in replaced if self._restore(con, old)]
            con.execute("COMMIT")
            with self.db.session() as session:  # under the lock, as an import's history (see import_file)
                batch = session.get(ImportBatch, batch_id)
                batch.status = "undone"
                batch.finished_at = now()
                for old in restored:
                    back = session.get(ImportBatch, old.id)
                    back.status, back.replaced_by = "loaded", None
                return batch

    @staticmethod
    def _restore(con, old: ImportBatch) -> bool:
        """Put a replaced batch's rows back (the writer's transaction is open); False, and nothing done, when they
        were not kept (replaced before they were) or when figures loaded since cover some of the same months of
        the same source (they would count twice: that batch stays replaced)."""
        kept = con.execute("SELECT count(*) FROM replaced_flow WHERE batch_id = ?", [old.id]).fetchone()[0]
        if kept == 0:
            return False
        clash = con.execute(
            "SELECT count(*) FROM (SELECT DISTINCT source, reporter, partner, flow, year, month FROM replaced_flow "
            "WHERE batch_id = ?) r JOIN (SELECT DISTINCT source, reporter, partner, flow, year, month "
            "FROM trade_flow) t USING (source, reporter, partner, flow, year, month)", [old.id]).fetchone()[0]
        if clash:
            return False
        con.execute("INSERT INTO trade_flow SELECT * FROM replaced_flow WHERE batch_id = ?", [old.id])
        con.execute("DELETE FROM replaced_flow WHERE batch_id = ?", [old.id])
        con.execute("INSERT INTO warehouse_batch (batch_id, source, sha256, rows) VALUES (?, ?, ?, ?)",
                    [old.id, old.source_label, old.sha256, kept])
        con.execute(coverage_sql(f"batch_id = {int(old.id)}"))
        return True

    # -- internals --------------------------------------------------------------------------
    @staticmethod
    def _check_file(path: Path) -> None:
        if not path.exists():
            raise reject(path, "no such file")
        if not path.is_file():
            raise reject(path, "not a file")
        if path.stat().st_size == 0:
            raise reject(path, "the file is empty")

    def _open_batch(self, kind: str, source: str, path: Path, file_name: str | None = None) -> int:
        with self.db.session() as session:
            batch = ImportBatch(source_kind=kind, source_label=source, file_name=file_name or path.name,
                                file_size=path.stat().st_size, sha256="", rows_read=0,
                                rows_loaded=0, rows_rejected=0, rows_skipped=0,
                                status="loading", started_at=now())
            session.add(batch)
            session.flush()
            return batch.id

    def _close_batch(self, batch_id: int, status: str, digest: str, error: str | None = None,
                     rejected: int = 0) -> None:
        with self.db.session() as session:
            batch = session.get(ImportBatch, batch_id)
            batch.status, batch.sha256 = status, digest
            batch.error_summary = None if error is None else excerpt(error, MAX_SUMMARY_CHARS)
            batch.rows_rejected = rejected
            batch.finished_at = now()

    def _find_duplicate(self, digest: str) -> int | None:
        with self.db.session() as session:
            return session.scalar(select(ImportBatch.id).where(
                ImportBatch.sha256 == digest, ImportBatch.status == "loaded"))

    @staticmethod
    def _superseded(con, batch_id: int, source: str, path: Path) -> list[int]:
        """Earlier batches of the same source that the new one covers completely.

        A batch it covers only in part would leave some figures counted twice or lost, so the
        import is refused with a pointer to `import undo` instead.
        """
        rows = con.execute(
            """
            WITH candidates AS (SELECT DISTINCT o.batch_id FROM batch_coverage o JOIN batch_coverage n
                                  ON o.reporter = n.reporter AND o.year = n.year
                                  AND o.month IS NOT DISTINCT FROM n.month
                                WHERE n.batch_id = $b AND o.source = $s AND o.batch_id <> $b),
                 new AS (SELECT DISTINCT reporter, partner, flow, year, month
                         FROM trade_flow WHERE batch_id = $b),
                 -- only batches that share a reporter and month with the new one are read
                 old AS (SELECT DISTINCT batch_id, reporter, partner, flow, year, month
                         FROM trade_flow WHERE source = $s AND batch_id IN (SELECT batch_id FROM candidates)),
                 shared AS (SELECT old.batch_id, count(*) AS n FROM old
                            JOIN new USING (reporter, partner, flow, year, month)
                            GROUP BY old.batch_id)
            SELECT shared.batch_id, shared.n, (SELECT count(*) FROM old o WHERE o.batch_id = shared.batch_id)
            FROM shared ORDER BY 1
            """, {"b": batch_id, "s": source}).fetchall()
        partial = [old for old, n, total in rows if n < total]
        if partial:
            raise reject(path, Msg("the file overlaps batch %(items)s of the same source only in part, so loading "
                                   "it would count some figures twice; undo that batch first (hamkor import undo "
                                   "%(partial)s)",
                                   items=', '.join(map(str, partial)), partial=partial[0]))
        return [old for old, _, _ in rows]

    def recover(self) -> None:
        """Batches a worker that died left 'loading', settled now rather than at the next import. Nothing is
        done while another import writes: it settles them itself when it starts."""
        try:
            with self.warehouse.writer(wait=False) as con:
                self._reconcile(con)
        except WarehouseBusy:
            pass

    def _reconcile(self, con) -> None:
        """Batches left 'loading' by a crash: the warehouse's own record says what happened."""
        with self.db.session() as session:
            stale = list(session.scalars(select(ImportBatch).where(ImportBatch.status == "loading")))
            if not stale:
                return
            held = dict(con.execute("SELECT batch_id, rows FROM warehouse_batch").fetchall())
            for batch in stale:
                batch.status = "loaded" if batch.id in held else "failed"
                if batch.id in held:  # its rows, as the warehouse counted them: the history agrees with it
                    batch.rows_loaded = held[batch.id]
                else:
                    batch.error_summary = "interrupted before it finished; nothing was loaded"
                batch.finished_at = batch.finished_at or now()


def _ids(ids: list[int]) -> str:
    return ", ".join(str(int(i)) for i in ids)
