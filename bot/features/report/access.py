"""Who may see and do what with a report. Reports are the reporter's own: the rules live in
``flow.own_report`` (used by every button and form), and other people see a report only
through the escalation feature (``bot/features/escalation/access.py``).

| who | sees it | withdraw, delete, other words, escalate, ask for a chaperone with it |
|---|---|---|
| the reporter | yes, in `status` and on its card | yes (escalate: while open) |
| the people an escalation of it goes to | its facts in the notice; the narrative on request, audited, never after it is withdrawn | no |
| anyone else (managers, admins, auditors, volunteers) | no: the same "I can't find that report among yours" as for one that does not exist | no |

After the fact (decided here once, tested in tests/features/test_authorisation_table.py):

| the report is | the reporter | the people its escalation went to |
|---|---|---|
| withdrawn | still in their history; withdrawing again says it already is | the escalation stays (they may resolve it); its narrative is no longer shown |
| deleted (by the reporter, or by retention) | gone: "can't find it", like any other | the escalation and its notices go with it: "can't find it" |
| count-only ("don't record who I am") | nothing to find: it was never linked to them | only the counts |

The console's audit log and exports name a confidential reporter only to the people chat
would name them to (``escalation.hidden_reporters``).
"""
