"""The application context: the services of one data directory, built once and handed to whoever
serves them — `create_app(settings)` for the web, the CLI's root callback for the commands.

Each service is made on first use, so a command that needs none (`hamkor ref code`) opens no
database; the operational database is migrated to head the first time it is opened. Its module is
imported then too: a command that reads the warehouse only never loads SQLAlchemy or the mail code.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime
from functools import cached_property
from typing import TYPE_CHECKING

from hamkor.config import Settings

if TYPE_CHECKING:
    from hamkor.accounts.organisations import Organisations
    from hamkor.accounts.service import Accounts
    from hamkor.companies.registry import Registry
    from hamkor.cooperation.service import Cooperation
    from hamkor.mail.outbox import Outbox
    from hamkor.missions.service import Missions
    from hamkor.store.db import Database
    from hamkor.trade.service import ImportService
    from hamkor.trade.warehouse import Warehouse


class AppContext:
    def __init__(self, settings: Settings, warehouse: Warehouse | None = None,
                 clock: Callable[[], datetime] | None = None) -> None:
        self.settings = settings
        self._warehouse = warehouse
        # "Now" for every decision that depends on the date (deadlines, what is overdue); tests fix it.
        self.clock = clock or (lambda: datetime.now(UTC))

    def today(self) -> date:
        """Today's date where the people work (HAMKOR_TIMEZONE)."""
        from hamkor.cooperation.service import today_in

        return today_in(self.settings.timezone, self.clock())

    @cached_property
    def db(self) -> Database:
        from hamkor.store.db import Database, refuse_a_stray_database

        refuse_a_stray_database(self.settings)
        db = Database(self.settings)
        db.upgrade_to_head()
        return db

    @cached_property
    def warehouse(self) -> Warehouse:
        """The web passes its shared warehouse (one connection for the server's life); commands open
        the file for each use."""
        from hamkor.trade.warehouse import Warehouse

        return self._warehouse or Warehouse(self.settings)

    def hold_warehouse(self) -> None:
        """For a long-lived process (the worker): one connection to the warehouse for its life, moved to each
        newly published snapshot, rather than a file opened for each use."""
        from hamkor.trade.warehouse import SharedWarehouse

        self.db  # noqa: B018 - the database before the warehouse: a new data directory gets both, in this order
        if "warehouse" not in self.__dict__ and self._warehouse is None:
            self._warehouse = SharedWarehouse(self.settings)

    @cached_property
    def accounts(self) -> Accounts:
        from hamkor.accounts.service import Accounts

        return Accounts(self.db, self.clock, self.settings.site_url)

    @cached_property
    def organisations(self) -> Organisations:
        from hamkor.accounts.organisations import Organisations

        return Organisations(self.db, self.clock)

    @cached_property
    def outbox(self) -> Outbox:
        from hamkor.mail.outbox import Outbox

        outbox = Outbox(self.db, self.settings, self.clock)

        def agenda(mission_id: int, participant_id: int, lang: str) -> bytes:
            from hamkor.missions import documents  # the PDF engine: loaded only when an agenda is attached

            return documents.agenda_pdf(self.missions, self.missions.get(mission_id), [participant_id], lang)

        outbox.makers["agenda"] = agenda  # made when the mail leaves, outside any transaction
        return outbox

    @cached_property
    def registry(self) -> Registry:
        from hamkor.companies.registry import Registry

        return Registry(self.db)

    @cached_property
    def missions(self) -> Missions:
        from hamkor.missions.service import Missions

        missions = Missions(self.db, self.clock, self.settings.site_url, str(self.settings.data_dir))
        missions.video_url = self.settings.video_url
        missions.room_secret = self.settings.effective_secret_key  # asked only when a call's link is made
        return missions

    @cached_property
    def cooperation(self) -> Cooperation:
        from hamkor.cooperation.service import Cooperation

        return Cooperation(self.db, self.settings.documents_dir)

    @cached_property
    def imports(self) -> ImportService:
        from hamkor.trade.service import ImportService

        return ImportService(self.db, self.warehouse)

    def close(self) -> None:
        if "warehouse" in self.__dict__ and hasattr(self.warehouse, "close"):
            self.warehouse.close()
        if "db" in self.__dict__:
            self.db.dispose()
