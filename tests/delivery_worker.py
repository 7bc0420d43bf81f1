"""A delivery process for the multi-process tests: drains the outbox against a fake Slack.

python -m tests.delivery_worker DATABASE_URL SLACK_API_URL NOW_ISO
"""

from __future__ import annotations

import sys
from datetime import datetime

from slack_sdk import WebClient

from bot.db import make_engine, make_sessionmaker
from handlers.chat import delivery
from handlers.slack.notifier import SlackNotifier


def main() -> int:
    url, api_url, now_iso = sys.argv[1:4]
    engine = make_engine(url)
    sessions = make_sessionmaker(engine)
    client = WebClient(token="xoxb-worker", base_url=api_url, timeout=30)
    notifier = SlackNotifier(lambda team: client, pace=0)
    now = datetime.fromisoformat(now_iso)
    sent = 0
    while True:
        report = delivery.deliver_due(sessions, notifier, now=now, limit=50)
        sent += report.sent
        if report.claimed == 0:
            break
    print(f"sent {sent}", flush=True)
    engine.dispose()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
