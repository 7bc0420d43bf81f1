"""The Slack side of the Notifier port: reminders as DMs, errors sorted into retry or give up."""

from __future__ import annotations

import contextlib
import threading
import time
from collections.abc import Callable, Iterator
from typing import Any
from urllib.error import URLError

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from handlers.slack.blocks import Message
from handlers.slack.digests.render import reminder_message
from handlers.slack.errors import ADVICE, slack_error_code
from handlers.slack.landing import CLOCK_SLACK, find, marker, timed_out
from handlers.slack.meetings import render as minutes_render
from handlers.slack.parts import split
from handlers.slack.status import render as reports
from services.meetings.outbox import FinalMinutes
from services.outbox.port import REFUSED, Bundle, DeliveryError
from services.raid.charts import heat_map
from services.status import charts
from services.status.report import Report

PERMANENT = {  # Slack's errors that no retry can cure
    *("user_not_found", "account_inactive", "is_archived", "channel_not_found"),
    *("not_in_channel", "invalid_auth", "not_authed", "token_revoked", "missing_scope"),
    *("invalid_blocks", "msg_too_long", "restricted_action", "cannot_dm_bot", "user_disabled"),
}
PACE_SECONDS = 1.0  # Slack: about one message per second per channel


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
                self._post_report(client, bundle, bundle.attachment, progress)
                return None
            if isinstance(bundle.attachment, FinalMinutes):
                return self._post_minutes(client, channel, bundle, bundle.attachment, progress)
            shown, refused = split(bundle)  # a part Slack would refuse fails alone
            self._post(client, shown, progress, "", channel=channel, msg=reminder_message(shown))
            return {REFUSED: refused} if refused else None
        except SlackApiError as exc:
            code = slack_error_code(exc)
            if code == "ratelimited":
                retry_after = float(exc.response.headers.get("Retry-After", 30))
                raise DeliveryError(
                    "ratelimited", retry_after=retry_after, progress=_said(bundle, progress)
                ) from None
            reason = f"{code}: {ADVICE.get(code, 'Slack refused the message.')}"
            raise DeliveryError(
                reason, permanent=code in PERMANENT, progress=_said(bundle, progress)
            ) from None
        except (OSError, TimeoutError) as exc:
            raise DeliveryError(f"network: {exc}", progress=_said(bundle, progress)) from None
        except LookupError as exc:
            raise DeliveryError(
                f"no installation for this workspace: {exc}", permanent=True
            ) from None

    def _post(
        self,
        client: WebClient,
        bundle: Bundle,
        progress: dict[str, Any],
        part: str,
        *,
        channel: str,
        msg: Message,
        thread_ts: str | None = None,
    ) -> dict[str, str]:
        """Every post of an outbox delivery goes through here: marked with its rows and part,
        and, if the last attempt at this very part got no answer, first looked for in the
        conversation (or thread). Returns where the message is (`channel`, `ts`)."""
        again = self._landed(client, bundle, progress, part)
        if again is not None:
            return again
        self._wait_turn(channel)
        self._in_flight(bundle, progress, part, channel=channel, thread_ts=thread_ts)
        with self._uncertain(progress, part, channel=channel, thread_ts=thread_ts):
            resp = client.chat_postMessage(
                channel=channel,
                text=msg.text,
                blocks=msg.blocks,
                thread_ts=thread_ts,
                metadata=marker(bundle, part),
            )
        return {"channel": str(resp.get("channel") or channel), "ts": str(resp.get("ts") or "")}

    def _upload(
        self,
        client: WebClient,
        bundle: Bundle,
        progress: dict[str, Any],
        part: str,
        *,
        channel: str,
        thread_ts: str,
        content: bytes,
        filename: str,
        title: str,
    ) -> None:
        """A file in a report's thread. Files carry no metadata: a resend after no answer
        looks in that thread (this row's alone) for a file of the same name."""
        if self._landed(client, bundle, progress, part) is not None:
            return
        self._wait_turn(channel)
        where = {"channel": channel, "thread_ts": thread_ts, "file": filename}
        self._in_flight(bundle, progress, part, **where)
        with self._uncertain(progress, part, channel=channel, thread_ts=thread_ts, file=filename):
            client.files_upload_v2(
                channel=channel,
                thread_ts=thread_ts,
                content=content,
                filename=filename,
                title=title,
            )

    def _in_flight(
        self, bundle: Bundle, progress: dict[str, Any], part: str, **where: str | None
    ) -> None:
        """Before a part of a multi-part message goes out, record (committed) the parts that
        went out and this one as uncertain: a retry after a crash, which never reports, looks
        for this part before posting it again, and resumes after the others. One UPDATE a
        part; no transaction stays open across the call."""
        if part and bundle.checkpoint is not None:
            since = time.time() - CLOCK_SLACK
            pending = {"part": part, "since": since, **{k: v for k, v in where.items() if v}}
            bundle.checkpoint({**progress, "uncertain": pending})

    def _landed(
        self, client: WebClient, bundle: Bundle, progress: dict[str, Any], part: str
    ) -> dict[str, str] | None:
        uncertain = progress.get("uncertain")
        if not isinstance(uncertain, dict) or str(uncertain.get("part", "")) != part:
            return None
        del progress["uncertain"]  # settled here, one way or the other
        return find(client, bundle, uncertain)

    @contextlib.contextmanager
    def _uncertain(
        self, progress: dict[str, Any], part: str, **where: str | None
    ) -> Iterator[None]:
        """A call that got no answer may have been carried out: remember what to look for."""
        try:
            yield
        except (TimeoutError, URLError) as exc:
            if not timed_out(exc):
                raise
            since = time.time() - CLOCK_SLACK
            progress["uncertain"] = {
                "part": part,
                "since": since,
                **{k: v for k, v in where.items() if v},
            }
            raise DeliveryError(f"no answer from Slack: {exc}", progress=progress) from None

    def _post_report(
        self, client: WebClient, bundle: Bundle, report: Report, progress: dict[str, Any]
    ) -> None:
        """The parent message, one thread reply per project, then the charts in the thread.

        `progress` is updated after each part (and recorded before the next one goes out), so
        a retry after a failure or a crash resumes where this attempt stopped: the parent,
        the replies and the files already posted are not posted again (nor the one whose
        answer never came, or was in flight at a crash, if Slack has it).
        """
        channel = bundle.recipient_external_id
        if "ts" not in progress:
            posted = self._post(
                client,
                bundle,
                progress,
                "parent",
                channel=channel,
                msg=reports.report_parent(report),
            )
            progress.update(channel=posted["channel"], ts=posted["ts"], replies=0)
        where, ts = str(progress["channel"]), str(progress["ts"])
        for n, reply in enumerate(reports.report_replies(report)):
            if n < int(progress.get("replies", 0)):
                continue
            self._post(
                client, bundle, progress, f"reply:{n}", channel=where, msg=reply, thread_ts=ts
            )
            progress["replies"] = n + 1
        files: list[tuple[str, str, Callable[[], bytes]]] = [
            (
                f"rag-{report.period}.png",
                f"RAG by project, last {len(report.periods)} cycles",
                lambda: charts.rag_heatmap(report),
            ),
        ]
        if report.raid is not None and report.raid.open_risks:
            raid = report.raid
            files.append(
                (
                    f"risks-{report.period}.png",
                    f"Open risks by probability and impact, {report.period}",
                    lambda: heat_map(raid, report.period),
                )
            )
        for n, (filename, title, draw) in enumerate(files):
            if n < int(progress.get("files", 0)):
                continue
            self._upload(
                client,
                bundle,
                progress,
                f"file:{n}",
                channel=where,
                thread_ts=ts,
                content=draw(),
                filename=filename,
                title=title,
            )
            progress["files"] = n + 1

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
        `progress` records each part posted (committed before the next goes out, with that
        one in flight) so a retry, even after a crash, never posts one twice."""
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
                posted = self._post(
                    client,
                    bundle,
                    progress,
                    f"part:{i}",
                    channel=where,
                    msg=msg,
                    thread_ts=ts[0] if ts else None,
                )
                where = posted["channel"]
                ts.append(posted["ts"])
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


def _said(bundle: Bundle, progress: dict[str, Any]) -> dict[str, Any] | None:
    """The progress a failed attempt reports: a multi-part message's, even none (it replaces
    the part that was recorded in flight, which was refused, not lost in a crash)."""
    return progress if bundle.attachment is not None else progress or None
