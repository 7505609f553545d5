"""The authorisation table: every role against every button, form and verb, in the state each
is pressed in (including old buttons replayed after the state changed).

Columns (who presses; all Slack unless said):

  own  the owner (the reporter, the requester)        cli  another clinician of the team
  vno  a volunteer who was not asked                  vas  a volunteer who was asked
  mgr  the team's manager                             omg  a manager of another team
  adm  an admin                                       aud  an auditor
  rem  someone removed from the organisation          unk  a platform user nobody knows
  fid  another workspace, the manager's user id and email
  fem  another workspace, a different user with the manager's email
  dup  this workspace, a second account with the manager's email
  ftn  another Teams tenant, with the manager's email

Answers:

  Y  done or shown (a form, a card, a notice that moves things on)
  S  the sensitive details shown (the narrative; a session's note and join link), audited
  X  refused because of the state it is in now ("already resolved", "withdrawn", "cancelled",
     "nothing to decline")
  N  refused as not theirs: the same "I can't find that" as for something that does not exist
  U  not recognised at all: nothing is looked up for them
"""

ROLES = ("own", "cli", "vno", "vas", "mgr", "omg", "adm", "aud", "rem", "unk", "fid", "fem", "dup", "ftn")
REFUSED_IDENTITIES = "U U U U U U"  # rem, unk, fid, fem, dup, ftn: the same in every row

# (row name, state the subject is in, what is pressed, the answers in ROLES order but the
# last six, which are REFUSED_IDENTITIES in every row)
CASES: list[tuple[str, str, str, str]] = [
    # --- an escalation (a report that felt unsafe goes to the team's managers) -------------
    ("escalation: view details", "escalation open", "escalation.view", "N N N N S N N N"),
    ("escalation: acknowledge", "escalation open", "escalation.ack", "N N N N Y N N N"),
    ("escalation: resolve button", "escalation open", "escalation.resolve", "N N N N Y N N N"),
    ("escalation: resolve form", "escalation open", "form:escalation.resolve", "N N N N Y N N N"),
    ("escalation: snooze the reminder", "escalation plain acknowledged", "escalation.snooze", "N N N N Y N N N"),
    ("escalation: snooze a safety one's reminder (never)", "escalation acknowledged", "escalation.snooze",
     "N N N N X N N N"),
    ("escalation: send a waiting one now", "escalation open", "escalation.now", "X N N N N N N N"),
    ("escalation: old acknowledge after resolve", "escalation resolved", "escalation.ack", "N N N N X N N N"),
    ("escalation: old resolve form after resolve", "escalation resolved", "form:escalation.resolve",
     "N N N N X N N N"),
    ("escalation: old snooze after resolve", "escalation resolved", "escalation.snooze", "N N N N X N N N"),
    ("escalation: details after resolve", "escalation resolved", "escalation.view", "N N N N S N N N"),
    ("escalation: details after the reporter withdrew", "escalation report withdrawn", "escalation.view",
     "N N N N X N N N"),
    ("escalation: details after the reporter deleted", "escalation report deleted", "escalation.view",
     "N N N N N N N N"),
    # the reporter's closure card once it is resolved ("Is this resolved for you?")
    ("escalation: what was done (the resolver's words)", "escalation resolved", "escalation.told",
     "S N N N N N N N"),
    ("escalation: resolved for me, yes", "escalation resolved", "escalation.confirm", "Y N N N N N N N"),
    ("escalation: no, reopen", "escalation resolved", "escalation.reopen", "Y N N N N N N N"),
    ("escalation: is it resolved? while still open", "escalation open", "escalation.confirm", "X N N N N N N N"),
    ("escalation: reopen while still open", "escalation open", "escalation.reopen", "X N N N N N N N"),
    ("escalation: old yes after reopening", "escalation reopened", "escalation.confirm", "X N N N N N N N"),
    ("escalation: old reopen after reopening", "escalation reopened", "escalation.reopen", "X N N N N N N N"),
    # --- a chaperone request (telehealth, with a note and a join link) ----------------------
    ("chaperone: accept", "chaperone open", "chaperone.accept", "N N N Y N N N N"),
    ("chaperone: decline", "chaperone open", "chaperone.decline", "N N N Y N N N N"),
    ("chaperone: details while open", "chaperone open", "chaperone.details", "S N N N N N N N"),
    ("chaperone: details once covered", "chaperone covered", "chaperone.details", "S N N S N N N N"),
    ("chaperone: details after cancel", "chaperone cancelled", "chaperone.details", "S N N X N N N N"),
    ("chaperone: cancel", "chaperone covered", "chaperone.cancel", "Y N N N N N N N"),
    ("chaperone: old cancel after cancel", "chaperone cancelled", "chaperone.cancel", "X N N N N N N N"),
    ("chaperone: withdraw", "chaperone covered", "chaperone.withdraw", "N N N Y N N N N"),
    ("chaperone: old accept after cancel", "chaperone cancelled", "chaperone.accept", "N N N X N N N N"),
    ("chaperone: old accept once covered", "chaperone covered", "chaperone.accept", "N N N X N N N N"),
    ("chaperone: old withdraw after cancel", "chaperone cancelled", "chaperone.withdraw", "N N N N N N N N"),
    ("chaperone: old decline once covered", "chaperone covered", "chaperone.decline", "N N N X N N N N"),
    ("chaperone: record who observed", "chaperone covered", "chaperone.record:observed", "Y N N N N N N N"),
    ("chaperone: is it resolved? while still going", "chaperone covered", "chaperone.confirm", "X N N N N N N N"),
    ("chaperone: still need someone while still going", "chaperone covered", "chaperone.still_need",
     "X N N N N N N N"),
    ("chaperone: request form", "nothing", "form:chaperone", "Y Y Y Y Y Y Y Y"),
    ("chaperone: a colleague now (safety card; the report linked only for its author)", "report unsafe",
     "chaperone.now", "Y Y Y Y Y Y Y Y"),
    ("chaperone: message the chaperone (a link)", "nothing", "chaperone.message", "Y Y Y Y Y Y Y Y"),
    ("chaperone: resolved for me, yes", "chaperone recorded", "chaperone.confirm", "Y N N N N N N N"),
    ("chaperone: still need someone", "chaperone recorded", "chaperone.still_need", "Y N N N N N N N"),
    ("chaperone: details once recorded", "chaperone recorded", "chaperone.details", "S N N S N N N N"),
    # --- a referral (to Carl by name: here "cli" is the receiver asked; the referrer pressing a
    # receiver's or an approver's button is told where it stands, as referral/access.py says)
    ("referral: accept", "referral open", "referral.accept", "X Y N N N N N N"),
    ("referral: decline", "referral open", "referral.decline", "X Y N N N N N N"),
    ("referral: read the handoff note", "referral open", "referral.note", "S S N N N N N N"),
    ("referral: ask a question", "referral open", "referral.ask", "X Y N N N N N N"),
    ("referral: withdraw (asks to confirm)", "referral open", "referral.withdraw", "Y N N N N N N N"),
    ("referral: withdraw, confirmed", "referral open", "referral.withdraw_yes", "Y N N N N N N N"),
    ("referral: approve (approval not needed)", "referral open", "referral.approve", "X X N N N N N N"),
    ("referral: decline form", "referral open", "form:referral.decline", "X Y N N N N N N"),
    ("referral: question form", "referral open", "form:referral.ask", "X Y N N N N N N"),
    ("referral: return form (no approval asked)", "referral open", "form:referral.return", "X X N N N N N N"),
    ("referral: old decline form after withdraw", "referral withdrawn", "form:referral.decline", "X X N N N N N N"),
    ("referral: old accept after withdraw", "referral withdrawn", "referral.accept", "X X N N N N N N"),
    ("referral: note after withdraw", "referral withdrawn", "referral.note", "S X N N N N N N"),
    ("referral: old accept once accepted", "referral accepted", "referral.accept", "X X N N N N N N"),
    ("referral: note once accepted", "referral accepted", "referral.note", "S S N N N N N N"),
    ("referral: close with a note for the referrer", "referral accepted", "form:referral.close", "N Y N N N N N N"),
    ("referral: is it resolved? before it is closed", "referral accepted", "referral.confirm", "X N N N N N N N"),
    ("referral: reopen before it is closed", "referral accepted", "referral.reopen", "X N N N N N N N"),
    ("referral: the form from a button", "report filed", "referral.start", "Y Y Y Y Y Y Y Y"),
    ("referral: submit the form", "nothing", "form:referral", "Y Y Y Y Y Y Y Y"),
    ("referral: approve", "referral awaiting approval", "referral.approve", "X N N N Y N N N"),
    ("referral: return (asks why)", "referral awaiting approval", "referral.return", "X N N N Y N N N"),
    ("referral: return form", "referral awaiting approval", "form:referral.return", "X N N N Y N N N"),
    ("referral: accept before approval", "referral awaiting approval", "referral.accept", "X N N N X N N N"),
    ("referral: note while awaiting approval", "referral awaiting approval", "referral.note", "S N N N S N N N"),
    ("referral: snooze the reminder", "referral open", "referral.snooze", "X Y N N N N N N"),
    ("referral: old snooze once accepted", "referral accepted", "referral.snooze", "X X N N N N N N"),
    ("referral: choose someone else (asks whom)", "referral declined", "referral.reroute", "Y N N N N N N N"),
    ("referral: choose someone else, form", "referral declined", "form:referral.reroute", "Y N N N N N N N"),
    ("referral: choose someone else while still offered", "referral open", "referral.reroute", "X N N N N N N N"),
    ("referral: note after decline (with the reason)", "referral declined", "referral.note", "S X N N N N N N"),
    ("referral: read the receiver's question", "referral questioned", "referral.question", "S S N N N N N N"),
    ("referral: answer the question (asks what)", "referral questioned", "referral.answer", "Y N N N N N N N"),
    ("referral: answer form", "referral questioned", "form:referral.answer", "Y N N N N N N N"),
    ("referral: old answer once answered", "referral answered", "referral.answer", "X N N N N N N N"),
    ("referral: old answer form once answered", "referral answered", "form:referral.answer", "X N N N N N N N"),
    ("referral: read the answer", "referral answered", "referral.question", "S S N N N N N N"),
    ("referral: the client has been told (asks how)", "referral accepted", "referral.told", "Y Y N N N N N N"),
    ("referral: the client has been told, form", "referral accepted", "form:referral.told", "Y Y N N N N N N"),
    ("referral: tick a step", "referral accepted", "referral.tick:summary_handed", "Y Y N N N N N N"),
    ("referral: close (the receiver gets the form)", "referral accepted", "referral.tick:closed", "Y Y N N N N N N"),
    ("referral: tick before it is accepted", "referral open", "referral.tick:summary_handed", "X N N N N N N N"),
    ("referral: told form before it is accepted", "referral open", "form:referral.told", "X N N N N N N N"),
    ("referral: old tick once closed", "referral closed", "referral.tick:summary_handed", "X X N N N N N N"),
    ("referral: old close form once closed", "referral closed", "form:referral.close", "N X N N N N N N"),
    ("referral: what was done (the receiver's words)", "referral closed", "referral.what_was_done",
     "S N N N N N N N"),
    ("referral: resolved for me, yes", "referral closed", "referral.confirm", "Y N N N N N N N"),
    ("referral: no, reopen", "referral closed", "referral.reopen", "Y N N N N N N N"),
    # --- a peer-support request (Vic is the supporter asked; the manager is never told) ------
    ("support: accept", "support open", "support.accept", "N N N Y N N N N"),
    ("support: decline", "support open", "support.decline", "N N N Y N N N N"),
    ("support: cancel", "support open", "support.cancel", "Y N N N N N N N"),
    ("support: what was shared, once accepted", "support accepted", "support.shared", "S N N S N N N N"),
    ("support: hand back", "support accepted", "support.hand_back", "N N N Y N N N N"),
    ("support: we've talked", "support accepted", "support.done", "Y N N Y N N N N"),
    ("support: what was shared after cancel", "support cancelled", "support.shared", "S N N X N N N N"),
    ("support: old accept after cancel", "support cancelled", "support.accept", "N N N X N N N N"),
    ("support: old hand back after cancel", "support cancelled", "support.hand_back", "N N N N N N N N"),
    ("support: the form from a report", "report filed", "support.start", "Y Y Y Y Y Y Y Y"),
    ("support: submit the form", "nothing", "form:support", "Y Y Y Y Y Y Y Y"),
    # check-ins are the clinician's alone; to anyone else one looks finished, whoever's it is
    ("support: ask me in two days", "nothing", "support.check_in:2d", "Y Y Y Y Y Y Y Y"),
    ("support: check-in, I'm OK", "check-in sent", "support.answer:ok", "Y X X X X X X X"),
    ("support: check-in, ask me later", "check-in sent", "support.answer:later", "Y X X X X X X X"),
    ("support: check-in answered before it asked", "check-in set", "support.answer:ok", "X X X X X X X X"),
    ("support: stop checking in", "check-in set", "support.stop", "Y X X X X X X X"),
    ("support: old check-in answer once answered", "check-in answered", "support.answer:not_ok", "X X X X X X X X"),
    ("support: old stop once stopped", "check-in stopped", "support.stop", "X X X X X X X X"),
    # --- a report ------------------------------------------------------------------------
    ("report: withdraw", "report filed", "report.withdraw", "Y N N N N N N N"),
    ("report: old withdraw after withdraw", "report withdrawn", "report.withdraw", "X N N N N N N N"),
    ("report: ask to delete", "report filed", "report.ask_delete", "Y N N N N N N N"),
    ("report: delete", "report filed", "report.delete", "Y N N N N N N N"),
    ("report: old delete after delete", "report deleted", "report.delete", "N N N N N N N N"),
    ("report: escalate to my manager", "report filed", "report.escalate", "Y N N N N N N N"),
    ("report: old escalate after withdraw", "report withdrawn", "report.escalate", "N N N N N N N N"),
    ("report: old other words after delete", "report deleted", "report.tone:firm", "N N N N N N N N"),
    ("report: other words", "report filed", "report.tone:firm", "Y N N N N N N N"),
    ("report: the form from a button", "nothing", "report.open", "Y Y Y Y Y Y Y Y"),
    ("report: submit the form", "nothing", "form:report", "Y Y Y Y Y Y Y Y"),
    ("report: add details (asks which)", "report filed", "report.add_details", "Y N N N N N N N"),
    ("report: add details, form", "report filed", "form:report.more", "Y N N N N N N N"),
    ("report: old add details after delete", "report deleted", "report.add_details", "N N N N N N N N"),
    ("report: old details form after delete", "report deleted", "form:report.more", "N N N N N N N N"),
    ("report: why this advice", "report filed", "report.why", "Y N N N N N N N"),
    ("report: tell the safeguarding lead", "report filed", "report.safeguard", "Y N N N N N N N"),
    ("report: I'm safe now", "report unsafe", "report.safe", "Y N N N N N N N"),
    ("report: I'm safe now after delete", "report deleted", "report.safe", "N N N N N N N N"),
    ("report: call security (a tel: link)", "nothing", "report.call", "Y Y Y Y Y Y Y Y"),
    ("report: message a colleague (a link)", "nothing", "report.link", "Y Y Y Y Y Y Y Y"),
    # (everyone gets the chaperone form; the report is chosen in it only for its author)
    ("report: ask for a chaperone for it", "report filed", "chaperone.for_report", "Y Y Y Y Y Y Y Y"),
    # --- more old buttons, replayed after the state changed ----------------------------------
    ("replay: escalation details after reopening", "escalation reopened", "escalation.view", "N N N N S N N N"),
    ("replay: what was done after reopening", "escalation reopened", "escalation.told", "S N N N N N N N"),
    ("replay: escalation resolve form after reopening", "escalation reopened", "form:escalation.resolve",
     "N N N N X N N N"),
    ("replay: support decline once accepted", "support accepted", "support.decline", "N N N X N N N N"),
    ("replay: support cancel once cancelled", "support cancelled", "support.cancel", "X N N N N N N N"),
    ("replay: chaperone decline after cancel", "chaperone cancelled", "chaperone.decline", "N N N X N N N N"),
    ("replay: chaperone record after cancel", "chaperone cancelled", "chaperone.record:observed", "X N N N N N N N"),
    ("replay: record again once recorded (a correction)", "chaperone recorded", "chaperone.record:did_not_happen",
     "Y N N N N N N N"),
    ("replay: referral question after withdraw", "referral withdrawn", "referral.ask", "X X N N N N N N"),
    ("replay: referral snooze after withdraw", "referral withdrawn", "referral.snooze", "X X N N N N N N"),
    ("replay: referral decline once accepted", "referral accepted", "referral.decline", "X X N N N N N N"),
    ("replay: referral approve once approved", "referral accepted", "referral.approve", "X X N N N N N N"),
    ("replay: what was done after withdraw (nothing written)", "referral withdrawn", "referral.what_was_done",
     "Y N N N N N N N"),
    ("replay: referral reroute once rerouted", "referral open", "form:referral.reroute", "X N N N N N N N"),
    ("replay: I'm safe now after withdraw", "report withdrawn", "report.safe", "Y N N N N N N N"),
    ("replay: other words after withdraw", "report withdrawn", "report.tone:firm", "Y N N N N N N N"),
    # --- verbs: anyone the organisation knows may type them ---------------------------------
    *[(f"verb: {verb}", "nothing", f"verb:{verb}", "Y Y Y Y Y Y Y Y")
      for verb in ("report", "script", "chaperone", "support", "volunteer", "refer", "escalate", "status",
                   "away", "help", "console", "home")],
    ("button: status", "nothing", "status.show", "Y Y Y Y Y Y Y Y"),
    ("button: home", "nothing", "status.home", "Y Y Y Y Y Y Y Y"),
    ("button: a quick action (report)", "nothing", "status.run:report", "Y Y Y Y Y Y Y Y"),
    ("button: open the console from home", "nothing", "status.console", "Y Y Y Y Y Y Y Y"),
    ("button: open the console", "nothing", "console.open", "Y Y Y Y Y Y Y Y"),
    ("button: did you mean (a situation)", "nothing", "script.pick:ROMANTIC", "Y Y Y Y Y Y Y Y"),
    ("button: why this script", "nothing", "script.why:colleague-speak-up|COLLEAGUE", "Y Y Y Y Y Y Y Y"),
    ("button: my volunteer profile", "nothing", "volunteer.open", "Y Y Y Y Y Y Y Y"),
    ("button: pause volunteering", "nothing", "volunteer.toggle:off", "Y Y Y Y Y Y Y Y"),
    ("button: resume volunteering", "nothing", "volunteer.toggle:on", "Y Y Y Y Y Y Y Y"),
    ("form: volunteer profile", "nothing", "form:volunteer", "Y Y Y Y Y Y Y Y"),
    ("form: away, with a deputy", "nothing", "form:away", "Y Y Y Y Y Y Y Y"),
    ("button: back from being away", "nothing", "away.back", "Y Y Y Y Y Y Y Y"),
]

# --- the console's URLs, signed in as each person (a session for anyone, even those the
# console refuses, to prove each page refuses them itself) or with no session at all ------
#
# Columns: own cli vno vas mgr omg adm aud rem, then "anon" (no session). Answers: 200,
# 303 (on to the first page they may use), 403 (refused, the same page for every reason),
# 400 (an export page they may use, but not that export: "You may not export that"), N (200,
# "I can't find that": the escalation belongs to a team the viewer does not act for), or
# S (200, the narrative shown, audited).
CONSOLE_ROLES = ("own", "cli", "vno", "vas", "mgr", "omg", "adm", "aud", "rem", "anon")
CONSOLE_CASES: list[tuple[str, str, str, str]] = [
    ("console home (on to the first page each may use)", "GET", "/console/", "403 403 403 403 303 303 303 303 403 403"),
    ("console home without the slash", "GET", "/console", "403 403 403 403 303 303 303 303 403 403"),
    ("dashboard", "GET", "/console/dashboard", "403 403 403 403 200 200 200 403 403 403"),
    ("open work", "GET", "/console/work", "403 403 403 403 200 200 200 403 403 403"),
    ("audit log", "GET", "/console/audit", "403 403 403 403 403 403 200 200 403 403"),
    ("exports page", "GET", "/console/exports", "403 403 403 403 200 200 200 200 403 403"),
    ("admin home", "GET", "/console/admin", "403 403 403 403 403 403 200 403 403 403"),
    ("admin: people", "GET", "/console/admin/people", "403 403 403 403 403 403 200 403 403 403"),
    ("admin: volunteers", "GET", "/console/admin/volunteers", "403 403 403 403 403 403 200 403 403 403"),
    ("admin: org file", "GET", "/console/admin/org-file", "403 403 403 403 403 403 200 403 403 403"),
    ("escalation details from open work", "POST", "/console/work/press escalation.view",
     "403 403 403 403 S N N 403 403 403"),
    ("acknowledge from open work", "POST", "/console/work/press escalation.ack", "403 403 403 403 200 N N 403 403 403"),
    ("resolve from open work (the form)", "POST", "/console/work/submit escalation.resolve",
     "403 403 403 403 200 N N 403 403 403"),
    ("admin: preview an org file", "POST", "/console/admin/org-file/preview", "403 403 403 403 403 403 200 403 403 403"),
    ("admin: apply an org file", "POST", "/console/admin/org-file/apply", "403 403 403 403 403 403 200 403 403 403"),
    # signing in and out: the same for everyone, a session or none
    ("sign-in page", "GET", "/console/signin", "200 200 200 200 303 303 303 303 200 200"),
    ("a sign-in link's page", "GET", "/console/link", "200 200 200 200 200 200 200 200 200 200"),
    ("a made-up sign-in link", "POST", "/console/link", "403 403 403 403 403 403 403 403 403 403"),
    ("sign out", "POST", "/console/signout", "403 403 403 403 303 303 303 303 403 403"),
    ("the local demo picker (local mode only)", "POST", "/console/demo", "303 303 303 303 303 303 303 303 303 303"),
    ("export the audit log", "POST", "/console/exports audit", "403 403 403 403 400 400 200 200 403 403"),
    ("export reports with narratives", "POST", "/console/exports reports", "403 403 403 403 400 400 200 400 403 403"),
]
