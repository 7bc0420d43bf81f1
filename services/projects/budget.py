"""A project's budget in the register: planned and actual amounts in one currency, kept in
minor units (cents). Read from what people type: 120000, 120,000.50, 120k, 1.2m, 80000 EUR."""

from __future__ import annotations

import re
from datetime import datetime
from decimal import Decimal, InvalidOperation

from sqlalchemy.orm import Session

from services.core import audit
from services.core.access import Actor, get_project, project_role, require_manager
from services.core.errors import InvalidInput
from services.core.views import ProjectView
from services.projects.register import show

FIELDS = {"budget": "budget_planned", "planned": "budget_planned", "actual": "budget_actual"}
CURRENCY = re.compile(r"^[A-Za-z]{3}$")
SYMBOLS = {"€": "EUR", "$": "USD", "£": "GBP", "¥": "JPY", "₹": "INR", "CHF": "CHF"}
MAX_MINOR = 10**15
CLEAR = ("none", "-", "clear", "unknown")


def parse_amount(text: str) -> tuple[int | None, str | None]:
    """(minor units, currency or None) from typed text; `none` clears."""
    raw = text.strip()
    if raw.lower() in CLEAR:
        return None, None
    currency = None
    words = raw.replace(",", "").split()
    rest: list[str] = []
    for w in words:
        for sym, code in SYMBOLS.items():
            if w.startswith(sym) or w.endswith(sym):
                currency, w = code, w.replace(sym, "")
        if CURRENCY.match(w):
            currency = w.upper()
        elif w:
            rest.append(w)
    number = "".join(rest).lower()
    scale = Decimal(1)
    if number.endswith("k"):
        number, scale = number[:-1], Decimal(1000)
    elif number.endswith("m"):
        number, scale = number[:-1], Decimal(1_000_000)
    try:
        value = Decimal(number) * scale
    except InvalidOperation:
        raise InvalidInput(
            f"{text[:40]!r} is not an amount.", "e.g. 120000, 120k, 1.2m or 80000 EUR."
        ) from None
    minor = int((value * 100).quantize(Decimal(1)))
    if minor < 0 or minor >= MAX_MINOR:
        raise InvalidInput(f"{text[:40]!r} is out of range.")
    return minor, currency


def set_money(
    session: Session, actor: Actor, *, key: str, field: str, value: str, now: datetime
) -> ProjectView:
    """Set the planned or actual budget, or the currency (PM or PMO lead)."""
    project = get_project(session, actor, key)
    require_manager(
        actor, project_role(session, actor.person_id, project.id), project, "change its budget"
    )
    names = ("budget_planned", "budget_actual", "currency")
    before = audit.snapshot(project, names)
    if field == "currency":
        code = SYMBOLS.get(value.strip(), value.strip().upper())
        if value.strip().lower() in CLEAR:
            project.currency = None
        elif not CURRENCY.match(code):
            raise InvalidInput(f"{value[:20]!r} is not a currency code.", "e.g. EUR, USD, GBP.")
        else:
            project.currency = code
    else:
        minor, currency = parse_amount(value)
        setattr(project, FIELDS[field], minor)
        if currency:
            project.currency = currency
    session.flush()
    audit.record_by(
        session,
        actor,
        entity_type="project",
        entity_id=project.id,
        action="budget",
        before=before,
        after=audit.snapshot(project, names),
        now=now,
    )
    return show(session, actor, key=project.key, now=now)


def money(minor: int | None, currency: str | None) -> str:
    """An amount as people read it: 'EUR 120,000' (cents only when there are some)."""
    if minor is None:
        return ""
    whole, cents = divmod(minor, 100)
    text = f"{whole:,}" + (f".{cents:02d}" if cents else "")
    return f"{currency} {text}" if currency else text
