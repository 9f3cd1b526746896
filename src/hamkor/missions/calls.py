"""Online meetings: a participant who takes part online meets by video; each such meeting is a call on the video
server the instance is configured with (`HAMKOR_VIDEO_URL`), in a room named by an HMAC of the meeting's request
under the instance's secret key — stable through re-plans, and not to be guessed from the mission or meeting."""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Callable


class MissionCalls:
    video_url: str | None = None
    room_secret: Callable[[], str] = staticmethod(lambda: "")

    def call_url(self, mission_id: int, request_id: int) -> str | None:
        """The call's address (None without a video server)."""
        if not self.video_url:
            return None
        digest = hmac.new(self.room_secret().encode("utf-8"), f"hamkor-call:{mission_id}:{request_id}".encode(),
                          hashlib.sha256).hexdigest()[:32]
        return f"{self.video_url.rstrip('/')}/hamkor-{digest}"
