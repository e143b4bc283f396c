"""Read what a request mail says, for the drafting step: pure functions, no I/O.

Each function takes plain values (text, dates, `Settings`) and returns a value;
none of them raises on odd input. Names are kept as the users wrote them. Where
a mail cannot be read with confidence the answer is None, an empty list or a
note for a person, never a guess. The conventions come from the seeds: 000 (OLA
requests: consent, the household over 16, CHARMS and LADO answers, secure
addresses) and 001 (partner agencies' Level 2 requests, Probation).

One module per concern: `names`, `consent`, `answers`, `addresses`, `partner`,
and `facts`, which reads them all into one value; `text` holds the cutting they
share (the mail's own words, clauses, windows). Import from the module itself.
"""
