"""The report workflow through the core, on a real database and a manual clock."""

from sqlalchemy import select, text

from bot.machinery.storage.models import AuditEntry, Report
from bot.port.events import ButtonPressed, Command, FormSubmitted, Identity
from bot.port.views import Card, Form, Notice

ASHA = Identity("web", "demo", "asha")
JORDAN = Identity("web", "demo", "jordan")
SECRET = "kept stroking my arm while I took bloods"
VALID = {
    "category": "ROMANTIC",
    "setting": "in_person",
    "occurrence": "repeated",
    "felt_unsafe": "no",
    "client_ref": "Blue heron",
    "details": SECRET,
}


async def file_report(bot, identity=ASHA, **changes):
    values = {**VALID, **changes}
    return await bot.handle(FormSubmitted(identity, "report", values))


def text_of(views) -> str:
    out = []
    for view in views:
        if isinstance(view, Card):
            out += [view.title, *view.paragraphs, *(f"{a}: {b}" for a, b in view.facts), *(b.label for b in view.buttons)]
        elif isinstance(view, Notice):
            out.append(view.text)
        elif isinstance(view, Form):
            out += [view.title, *view.errors.values()]
    return "\n".join(out)


async def test_report_verb_opens_the_private_form(demo_bot):
    [form] = await demo_bot.handle(Command(ASHA, "report"))
    assert isinstance(form, Form) and form.form_id == "report"
    names = [f.name for f in form.fields]
    # A short first step: safety first, then what happened; the rest comes after the advice.
    assert names == ["felt_unsafe", "category", "details", "condition", "keep"]
    assert [f.name for f in form.fields if f.required] == ["felt_unsafe", "category"]
    unsafe = form.fields[0]
    # Before anyone chooses, the form says who a yes alerts, and when (the team's real ladder).
    assert "Yes: I alert Morgan Reyes now" in unsafe.help and "at once" in unsafe.help
    assert "I alert Morgan Reyes now" in form.intro
    what = [o.value for o in next(f for f in form.fields if f.name == "category").options]
    # A few plain groups; the exact kind comes from their words (test_what_happened.py).
    assert what == ["SEXUAL", "CONTACT", "GIFT", "THREAT", "OTHER"]
    condition = next(f for f in form.fields if f.name == "condition")
    assert condition.label == "Could this be linked to the client's age or condition? (optional)"
    assert [o.value for o in condition.options][:2] == ["no", "unsure"]


async def test_a_half_filled_form_comes_back_with_errors_and_nothing_is_saved(demo_bot, db):
    views = await demo_bot.handle(
        FormSubmitted(ASHA, "report", {"category": "ROMANTIC", "details": SECRET})
    )
    [form] = views
    assert set(form.errors) == {"felt_unsafe"}
    assert form.values["details"] == SECRET  # what was typed is kept
    async with db.transaction() as tx:
        assert await tx.reports.by_author((await tx.people.by_key("asha")).id) == []


async def test_identifiers_in_free_text_are_refused_without_echoing_them(demo_bot, db):
    [form] = await file_report(demo_bot, details="he asked me to call 07700 900123", client_ref="J.S.")
    assert "a phone number" in form.errors["details"]
    assert "initials" in form.errors["client_ref"]
    assert "07700" not in text_of([form])
    async with db.transaction() as tx:
        assert (await tx.session.scalars(select(Report))).all() == []


async def test_a_report_is_stored_sealed_and_answered_with_step_and_script(demo_bot, db, clock):
    [card] = await file_report(demo_bot)
    body = text_of([card])
    assert card.title.startswith("Your report is saved privately")
    assert any(p.startswith("> ") for p in card.paragraphs), "no script words"
    # A plain card: the words, one line on why; the step and sources behind "Why this advice?".
    assert "Why:" in body and "Recommended step" not in body and "Based on:" not in body
    assert "Written for" not in body and "because" not in body
    [why] = await demo_bot.handle(ButtonPressed(ASHA, "report.why", "1"))
    why_text = text_of([why])
    assert "Step 2 of 5" in why_text and "it has happened before" in why_text and "Based on:" in why_text
    assert SECRET not in body and "Blue heron" not in body  # never echoed into chat
    async with db.transaction() as tx:
        raw = (await tx.session.execute(text("SELECT details_sealed, client_ref_sealed, created_at FROM reports"))).one()
        assert SECRET.encode() not in bytes(raw[0]) and b"heron" not in bytes(raw[1])
        report = await tx.reports.get(1)
        assert demo_bot.sealer.open(report.details_sealed) == SECRET
        assert report.created_at == clock.now()
        [entry] = (await tx.session.scalars(select(AuditEntry))).all()
        assert (entry.action, entry.subject_id) == ("report.created", 1)


async def test_feeling_unsafe_puts_safety_first_and_names_the_manager(demo_bot):
    [card] = await file_report(demo_bot, category="GIFT", felt_unsafe="yes")
    body = text_of([card])
    assert card.title == "Your safety first"
    assert body.index("Security desk (demo): ext. 2222") < body.index("I have alerted Morgan Reyes now")
    assert "Dr Chris Osei (clinical lead) is told" in body  # who next, if nobody answers
    assert "tell your manager" not in body.lower()  # they have been told
    labels = [b.label for b in card.buttons]
    assert labels[:3] == ["Call ext. 2222", "Get a colleague with me now", "I'm safe now"]
    assert not any("gently" in label or "Other words" in label for label in labels), "tone buttons on a safety card"
    assert card.buttons[0].url == "tel:2222"


async def test_the_reporter_can_ask_for_another_tone(demo_bot):
    [card] = await file_report(demo_bot, occurrence="first")  # ROMANTIC step 1: several tones
    first_words = next(p for p in card.paragraphs if p.startswith("> "))
    labels = {b.label: b for b in card.buttons}
    assert "Say it more firmly" in labels or "With a light touch of humour" in labels
    seen = {first_words}
    for label in ("Say it more firmly", "With a light touch of humour", "Other words"):
        if label not in labels:
            continue
        [other] = await demo_bot.handle(ButtonPressed(ASHA, "report.tone", labels[label].value))
        words = next(p for p in other.paragraphs if p.startswith("> "))
        assert words not in seen, label
        seen.add(words)
        if label == "Say it more firmly":
            assert other.title.endswith("(firm)")
            assert "Say it more gently" in {b.label for b in other.buttons}
    assert len(seen) >= 2


async def test_asking_for_a_tone_by_position_or_unknown_value_still_answers(demo_bot):
    await file_report(demo_bot)
    for value in ("1:0", "1:5", "1:nonsense"):
        [card] = await demo_bot.handle(ButtonPressed(ASHA, "report.tone", value))
        assert any(p.startswith("> ") for p in card.paragraphs)


async def test_status_lists_my_open_reports_newest_first(demo_bot, clock):
    [empty] = await demo_bot.handle(Command(ASHA, "status"))
    assert "no open reports" in empty.text
    await file_report(demo_bot, category="GIFT", occurrence="first")
    clock.advance(hours=2)
    await file_report(demo_bot, category="CONTACT")
    views = await demo_bot.handle(Command(ASHA, "status"))
    assert views[0].text.startswith("You have 2 open reports")
    assert [v.title for v in views[1:]] == ["Requests for personal contact", "Gifts"]
    assert ("Filed", "5 Jan 2026, 11:00") in views[1].facts  # Europe/London in January
    [others] = await demo_bot.handle(Command(JORDAN, "status"))
    assert "no open reports" in others.text


async def test_withdraw_and_delete_are_for_the_author_only_and_audited(demo_bot, db):
    await file_report(demo_bot)
    for action in ("report.withdraw", "report.ask_delete", "report.delete", "report.tone"):
        [refused] = await demo_bot.handle(ButtonPressed(JORDAN, action, "1"))
        assert "can't find that report" in refused.text
    [gone] = await demo_bot.handle(ButtonPressed(ASHA, "report.withdraw", "1"))
    assert "withdrawn" in gone.text
    [again] = await demo_bot.handle(ButtonPressed(ASHA, "report.withdraw", "1"))
    assert "already withdrawn" in again.text
    [ask] = await demo_bot.handle(ButtonPressed(ASHA, "report.ask_delete", "1"))
    assert "cannot be undone" in ask.paragraphs[0]
    [deleted] = await demo_bot.handle(ButtonPressed(ASHA, "report.delete", "1"))
    assert "deleted" in deleted.text
    async with db.transaction() as tx:
        assert await tx.reports.get(1) is None
        actions = [e.action for e in await tx.audit.entries("report")]
        assert actions == ["report.created", "report.withdrawn", "report.deleted"]


async def test_forged_button_values_are_harmless(demo_bot):
    for value in ("", "abc", "-1", "99999", "1:2:3"):
        [notice] = await demo_bot.handle(ButtonPressed(ASHA, "report.delete", value))
        assert "can't find that report" in notice.text
    [stale] = await demo_bot.handle(ButtonPressed(ASHA, "no.such.action", "1"))
    assert "no longer does anything" in stale.text
    [stale_form] = await demo_bot.handle(FormSubmitted(ASHA, "no-such-form", {}))
    assert "no longer in use" in stale_form.text


async def test_unknown_verbs_get_short_help_without_echoing_the_words(demo_bot):
    [notice] = await demo_bot.handle(Command(ASHA, "reprot"))
    assert "Did you mean report?" in notice.text
    [card] = await demo_bot.handle(Command(ASHA, "reprot", "John Smith asked me out"))
    assert "Did you mean report?" in text_of([card]) and "John" not in text_of([card])
    [referral_form] = await demo_bot.handle(Command(ASHA, "refer"))  # no longer planned: it exists
    assert referral_form.title == "Refer a client to a colleague"
    [card] = await demo_bot.handle(Command(ASHA, "help"))
    assert "private" in " ".join(card.paragraphs)
    [card2] = await demo_bot.handle(Command(ASHA, ""))
    assert card2.title == card.title


async def test_strangers_and_deactivated_people_are_told_politely(demo_bot):
    [notice] = await demo_bot.handle(Command(Identity("web", "demo", "nobody"), "report"))
    assert "don't recognise you" in notice.text


async def test_an_internal_failure_answers_politely_and_logs_no_free_text(demo_bot, caplog, monkeypatch):
    def broken(*args, **kwargs):
        raise ValueError(f"boom with {SECRET}")

    monkeypatch.setattr(demo_bot.sealer, "seal", broken)
    [notice] = await file_report(demo_bot)
    assert "nothing was saved" in notice.text
    assert "ValueError" in caplog.text and SECRET not in caplog.text
