"""A person's date order (DMY, MDY, YMD): from their own choice, their platform's locale or
their workspace's setting.

`date_order_for_locale` is what every channel calls with the locale its platform gives (Slack's
`users.info` with `include_locale`, Teams' `clientInfo.locale`).
"""

from __future__ import annotations

from models.enums import DateOrder

DEFAULT_ORDER = DateOrder.DMY
# Locales that write numeric dates month first or year first (CLDR's short date patterns);
# every other known language writes day first.
_MDY = {"en-us", "en-as", "en-gu", "en-mp", "en-pr", "en-um", "en-vi", "en-ph", "en-fm", "en-mh"}
_YMD_LANGS = {"zh", "ja", "ko", "hu", "lt", "mn", "sv", "eu", "af", "fa", "ii", "bo"}
_YMD = {"en-ca", "fr-ca", "en-za", "en-se"}


def date_order_for_locale(locale: str) -> DateOrder | None:
    """The numeric date order of a platform locale ("en-US" → MDY, "de-DE" → DMY, "ja-JP" →
    YMD), or None when the locale says nothing (empty, unreadable). Slack's users.info and
    Teams' clientInfo.locale both give BCP 47 tags; "en_US" is read too."""
    tag = locale.strip().lower().replace("_", "-").split(".")[0]
    parts = [p for p in tag.split("-") if p]
    if not parts or not parts[0].isalpha() or not 2 <= len(parts[0]) <= 3:
        return None
    lang = parts[0]
    region = next((p for p in parts[1:] if len(p) == 2 and p.isalpha()), "")
    pair = f"{lang}-{region}" if region else lang
    if pair in _MDY:
        return DateOrder.MDY
    if pair in _YMD or lang in _YMD_LANGS:
        return DateOrder.YMD
    if lang == "en" and not region:
        return None  # "en" alone: US or UK?
    return DateOrder.DMY


def effective_order(own: str | None, locale: str | None, workspace: str | None) -> DateOrder:
    """A person's date order: their own choice, else their locale's, else the workspace's."""
    if own is not None and own in DateOrder.__members__:
        return DateOrder(own)
    from_locale = date_order_for_locale(locale) if locale else None
    if from_locale is not None:
        return from_locale
    if workspace is not None and workspace in DateOrder.__members__:
        return DateOrder(workspace)
    return DEFAULT_ORDER


def stored_order(value: str | None) -> DateOrder | None:
    """A stored date order ("DMY") as the enum; None when unset or not one."""
    return DateOrder(value) if value is not None and value in DateOrder.__members__ else None
