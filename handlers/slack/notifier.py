"""The Slack side of the Notifier port: reminders as DMs, errors sorted into retry or give up."""

from __future__ import annotations

import contextlib
import logging
import threading
import time
from collections.abc import Callable
from typing import Any
from urllib.error import URLError

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from handlers.slack.digests.render import reminder_message
from handlers.slack.errors import ADVICE, slack_error_code
from handlers.slack.meetings import render as minutes_render
from handlers.slack.status import render as reports
from services.meetings.outbox import FinalMinutes
from services.outbox.port import Bundle, DeliveryError
from services.raid.charts import heat_map
from services.status import charts
from services.status.report import Report

log = logging.getLogger(__name__)

PERMANENT = {
    "user_not_found",
    "account_inactive",
    "is_archived",
    "channel_not_found",
    "not_in_channel",
    "invalid_auth",
    "not_authed",
    "token_revoked",
    "missing_scope",
    "invalid_blocks",
    "msg_too_long",
    "restricted_action",
    "cannot_dm_bot",
    "user_disabled",
}
PACE_SECONDS = 1.0  # Slack: about one message per second per channel
# Message metadata naming the outbox rows a message delivers (Slack keeps it with the message).
MARKER_EVENT = "pmo_outbox"
CLOCK_SLACK = 60.0  # seconds: our clock and Slack's may differ; search history from before
HISTORY_PAGE = 200


def marker(bundle: Bundle) -> dict[str, Any] | None:
    """The metadata that marks a message with the outbox rows it delivers."""
    if not bundle.rows:
        return None
    return {"event_type": MARKER_EVENT, "event_payload": {"rows": list(bundle.rows)}}


def timed_out(exc: BaseException) -> bool:
    """Whether a failed call may have reached Slack: a read timeout, not a refused connection."""
    if isinstance(exc, URLError):
        return isinstance(exc.reason, TimeoutError)
    return isinstance(exc, TimeoutError)


def landed(client: WebClient, bundle: Bundle, uncertain: dict[str, Any]) -> bool:
    """Whether a message carrying every row of `bundle` is in the conversation already.

    Asked before posting again after an attempt that got no answer: Slack may have accepted
    it. Reads the conversation's history since that attempt (a DM's channel found with
    conversations.open) for our metadata marker. If Slack can't say (no history scope, an
    error), False: the message is sent again rather than lost.
    """
    channel = str(uncertain.get("channel") or bundle.recipient_external_id)
    try:
        if channel.startswith(("U", "W")):  # a person: their DM with the bot
            channel = str(client.conversations_open(users=channel)["channel"]["id"])
        resp = client.conversations_history(
            channel=channel,
            oldest=f"{float(uncertain.get('since', 0)):.6f}",
            include_all_metadata=True,
            limit=HISTORY_PAGE,
        )
    except (SlackApiError, OSError) as exc:
        log.warning("could not check whether a message landed (%s); sending it again", exc)
        return False
    found: set[int] = set()
    for message in resp.get("messages") or []:
        meta = message.get("metadata") or {}
        if meta.get("event_type") == MARKER_EVENT:
            found.update(int(r) for r in (meta.get("event_payload") or {}).get("rows", []))
    return bool(bundle.rows) and set(bundle.rows) <= found


class SlackNotifier:
    """Sends bundles with the right workspace's client, at most one post a second per channel."""

    def __init__(self, client_for: Callable[[str], WebClient], *, pace: float = PACE_SECONDS):
        self.client_for = client_for
        self.pace = pace
        self._last: dict[str, float] = {}
        self._lock = threading.Lock()

    def _wait_turn(self, channel: str) -> None:
        with self._lock:
            wait = self._last.get(channel, 0.0) + self.pace - time.monotonic()
            self._last[channel] = time.monotonic() + max(0.0, wait)
        if wait > 0:
            time.sleep(wait)

    def send(self, bundle: Bundle) -> dict[str, Any] | None:
        """Post one DM (or channel message) for the bundle or raise DeliveryError."""
        channel = bundle.recipient_external_id
        progress = dict(bundle.progress)
        try:
            client = self.client_for(bundle.workspace_external_id)
            if isinstance(bundle.attachment, Report):
                self._post_report(client, channel, bundle.attachment, progress)
                return None
            if isinstance(bundle.attachment, FinalMinutes):
                return self._post_minutes(client, channel, bundle, bundle.attachment, progress)
            msg = reminder_message(bundle)
            if "uncertain" in progress and landed(client, bundle, progress["uncertain"]):
                return None  # the last attempt did go out; its answer never came
            self._wait_turn(channel)
            try:
                client.chat_postMessage(
                    channel=channel, text=msg.text, blocks=msg.blocks, metadata=marker(bundle)
                )
            except (TimeoutError, URLError) as exc:
                if not timed_out(exc):
                    raise
                progress["uncertain"] = {"channel": channel, "since": time.time() - CLOCK_SLACK}
                raise DeliveryError(f"no answer from Slack: {exc}", progress=progress) from None
            return None
        except SlackApiError as exc:
            code = slack_error_code(exc)
            if code == "ratelimited":
                retry_after = float(exc.response.headers.get("Retry-After", 30))
                raise DeliveryError(
                    "ratelimited", retry_after=retry_after, progress=progress or None
                ) from None
            reason = f"{code}: {ADVICE.get(code, 'Slack refused the message.')}"
            raise DeliveryError(
                reason, permanent=code in PERMANENT, progress=progress or None
            ) from None
        except (OSError, TimeoutError) as exc:
            raise DeliveryError(f"network: {exc}", progress=progress or None) from None
        except LookupError as exc:
            raise DeliveryError(
                f"no installation for this workspace: {exc}", permanent=True
            ) from None

    def _post_report(
        self, client: WebClient, channel: str, report: Report, progress: dict[str, Any]
    ) -> None:
        """The parent message, one thread reply per project, then the chart in the thread.

        `progress` is updated after each part, so a retry after a failure resumes where this
        attempt stopped: the parent and the replies already posted are not posted again.
        """
        if "ts" not in progress:
            parent = reports.report_parent(report)
            self._wait_turn(channel)
            resp = client.chat_postMessage(channel=channel, text=parent.text, blocks=parent.blocks)
            progress.update(channel=resp["channel"], ts=resp["ts"], replies=0)
        where, ts = str(progress["channel"]), str(progress["ts"])
        for n, reply in enumerate(reports.report_replies(report)):
            if n < int(progress.get("replies", 0)):
                continue
            self._wait_turn(where)
            client.chat_postMessage(
                channel=where, thread_ts=ts, text=reply.text, blocks=reply.blocks
            )
            progress["replies"] = n + 1
        png = charts.rag_heatmap(report)
        self._wait_turn(where)
        client.files_upload_v2(
            channel=where,
            thread_ts=ts,
            content=png,
            filename=f"rag-{report.period}.png",
            title=f"RAG by project, last {len(report.periods)} cycles",
        )
        if report.raid is not None and report.raid.open_risks:
            self._wait_turn(where)
            client.files_upload_v2(
                channel=where,
                thread_ts=ts,
                content=heat_map(report.raid, report.period),
                filename=f"risks-{report.period}.png",
                title=f"Open risks by probability and impact, {report.period}",
            )

    def _post_minutes(
        self,
        client: WebClient,
        channel: str,
        bundle: Bundle,
        final: FinalMinutes,
        progress: dict[str, Any],
    ) -> dict[str, Any]:
        """Final minutes: the first part in the channel, the rest in its thread. An amendment
        edits the posted parts in place (adding or blanking parts as the length changed).
        `progress` records each part posted so a retry never posts one twice."""
        v = final.minutes
        parts = minutes_render.final_messages(v, bundle.today)
        if final.amend and "ts" not in progress:
            posted = next((p for p in v.posts if p.get("channel") == channel), None)
            if posted and posted.get("ts"):
                progress.update(channel=channel, ts=list(posted["ts"]), edit=True)
        ts: list[str] = list(progress.get("ts", []))
        where = str(progress.get("channel", channel))
        editing = bool(progress.get("edit"))
        done = int(progress.get("done", 0))
        for i, msg in enumerate(parts):
            if i < done:
                continue
            self._wait_turn(where)
            if editing and i < len(ts):
                client.chat_update(channel=where, ts=ts[i], text=msg.text, blocks=msg.blocks)
            else:
                resp = client.chat_postMessage(
                    channel=where, text=msg.text, blocks=msg.blocks, thread_ts=ts[0] if ts else None
                )
                where = str(resp["channel"])
                ts.append(str(resp["ts"]))
            progress.update(channel=where, ts=ts, done=i + 1)
        if editing:
            for old in ts[len(parts) :]:
                gone = minutes_render.superseded()
                client.chat_update(channel=where, ts=old, text=gone.text, blocks=gone.blocks)
        if v.live_ts and channel == v.channel and not final.amend:
            closed = minutes_render.live_message(v, bundle.today)  # no buttons any more
            with contextlib.suppress(SlackApiError):  # a convenience; the minutes are posted
                client.chat_update(
                    channel=channel, ts=v.live_ts, text=closed.text, blocks=closed.blocks
                )
        return {"channel": where, "ts": ts}
