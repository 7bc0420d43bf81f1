"""Typed RAID-log commands (risks, issues, assumptions, dependencies, decisions): what the
text means, before anything is looked up. Part of `ast.Command`."""

from __future__ import annotations

from dataclasses import dataclass

from services.core.people import Mention

LETTERS = {"risk": "R", "assumption": "A", "issue": "I", "dependency": "D", "decision": "DEC"}
KIND_OF_LETTER = {letter: kind for kind, letter in LETTERS.items()}


@dataclass(frozen=True)
class RaidRef:
    """An entry as typed (`R-3`, `APOLLO R-3`), or by its row id (from a button)."""

    kind: str = ""  # risk | assumption | issue | dependency | decision
    number: int = 0
    key: str | None = None
    entry_id: int | None = None

    @property
    def label(self) -> str:
        """How the entry is named to people: `R-3`, `APOLLO R-3`."""
        if self.entry_id is not None and not self.kind:
            return f"entry {self.entry_id}"
        ref = f"{LETTERS.get(self.kind, '?')}-{self.number}"
        return f"{self.key} {ref}" if self.key else ref


@dataclass(frozen=True)
class RaidAdd:
    """`risk|issue|assumption|dependency add <KEY> "<title>" …`."""

    kind: str
    key: str
    title: str
    owner: Mention | None = None
    due: str | None = None  # a risk's review date, an issue's due date, validate/needed by
    probability: int | None = None
    impact: int | None = None
    severity: str | None = None
    priority: str | None = None
    issue_type: str | None = None
    category: str | None = None
    proximity: str | None = None
    opportunity: bool = False


@dataclass(frozen=True)
class RaidForm:
    """Open the new-entry form of a kind (`risk add` alone), for a project if given."""

    kind: str
    key: str | None = None


@dataclass(frozen=True)
class RaidEditForm:
    ref: RaidRef


@dataclass(frozen=True)
class RiskScore:
    """`risk score R-3 p:4 i:3 [residual p:2 i:2] ["why"]`."""

    ref: RaidRef
    probability: int
    impact: int
    residual_probability: int | None = None
    residual_impact: int | None = None
    note: str = ""


@dataclass(frozen=True)
class RaidRescoreForm:
    ref: RaidRef


@dataclass(frozen=True)
class RaidSetStatus:
    """Close, accept, resolve, confirm … an entry (`to` is a RaidStatus value)."""

    ref: RaidRef
    to: str
    text: str = ""  # an issue's resolution


@dataclass(frozen=True)
class RaidResolveForm:
    ref: RaidRef


@dataclass(frozen=True)
class RaidReview:
    """The owner says the entry still stands as it is (`risk review R-3`, Still valid)."""

    ref: RaidRef


@dataclass(frozen=True)
class RiskRespond:
    """`risk respond R-3 reduce ["<action>" @owner due:<date>]`."""

    ref: RaidRef
    strategy: str
    action: str = ""
    owner: Mention | None = None
    due: str | None = None


@dataclass(frozen=True)
class RaidAssign:
    ref: RaidRef
    owner: Mention


@dataclass(frozen=True)
class RaidList:
    """`raid [<KEY>|mine|all] [risks|issues|…] [closed] [page N]`."""

    scope: str = "mine"  # mine | all | project
    key: str | None = None
    kinds: tuple[str, ...] = ()
    closed: bool = False
    page: int = 1


@dataclass(frozen=True)
class RaidShow:
    ref: RaidRef


@dataclass(frozen=True)
class DecisionAdd:
    key: str
    text: str
    decided: str | None = None  # when, if not today


@dataclass(frozen=True)
class DecisionList:
    key: str
    page: int = 1


@dataclass(frozen=True)
class RaidOffer:
    """Log an offered entry (`raid log 4`), open its form first, or dismiss it."""

    offer_id: int
    op: str = "log"  # log | edit | dismiss


@dataclass(frozen=True)
class RaidSettings:
    """`settings raid [bands <red> <amber> | review <band> <days> | budget <n>]`."""

    words: tuple[str, ...] = ()


RaidCommand = (
    RaidAdd
    | RaidForm
    | RaidEditForm
    | RiskScore
    | RaidRescoreForm
    | RaidSetStatus
    | RaidResolveForm
    | RaidReview
    | RiskRespond
    | RaidAssign
    | RaidList
    | RaidShow
    | DecisionAdd
    | DecisionList
    | RaidOffer
    | RaidSettings
)
