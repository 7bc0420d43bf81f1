"""Examples shown to people, kept where even the help can read them without loading the rest."""

DATE_EXAMPLES = "2026-12-04, friday, next tue, tomorrow, in 3 days, end of month, 4 Dec"
