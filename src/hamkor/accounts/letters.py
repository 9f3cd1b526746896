"""The mails an account receives: an invitation, a password reset, a new address to confirm. Every link
carries the reader's language, so the page it opens speaks it before they sign in."""

from __future__ import annotations

from hamkor.i18n import Msg
from hamkor.mail.letter import Letter


def invitation(site_url: str, token: str, invited_by: str | None, lang: str) -> Letter:
    return Letter("invite", "You are invited to hamkor",
                  [Msg("%(who)s invites you to hamkor, the workbench of the region's foreign economic cooperation.",
                       who=invited_by or "hamkor"),
                   "Open the link to choose your password and language. It works once, for seven days."],
                  action=("Accept the invitation", f"{site_url}/welcome/{token}?lang={lang}"))


def password_reset(site_url: str, token: str, lang: str) -> Letter:
    return Letter("reset", "Choose a new hamkor password",
                  ["Someone asked to reset the password of your hamkor account. If it was you, open the link "
                   "to choose a new one; it works once, for two hours. If not, ignore this message: your "
                   "password stays as it is."],
                  action=("Choose a new password", f"{site_url}/password/reset/{token}?lang={lang}"))


def email_change(site_url: str, token: str, old: str, lang: str) -> Letter:
    return Letter("email", "Confirm your new address for hamkor",
                  [Msg("Your hamkor account (%(old)s) is to use this address from now on. Open the link to "
                       "confirm it; it works once, for 24 hours. Until then the old address stays.", old=old)],
                  action=("Confirm this address", f"{site_url}/email/confirm/{token}?lang={lang}"))
