"""Nobody in the management line — managers, the people in an escalation policy, admins, the
console's queries — can see who asked for peer support: only suppressed counts leave it."""

from datetime import timedelta

from sqlalchemy import select

from bot.features import support
from bot.features.escalation.storage import Escalation
from bot.machinery.storage.models import AuditEntry
from bot.port.events import Command, FormSubmitted
from tests.support_harness import ask, press, who, world  # noqa: F401
from tests.world import text_of

UNSAFE = {"category": "THREAT", "setting": "in_person", "occurrence": "first", "felt_unsafe": "yes"}
TELLTALES = ("peer support", "Peer support", "S-1", "supporter", "Supporter will", "check in with", "How are you")


async def everything_seen_by(world, key: str) -> str:
    status = await world.bot.handle(Command(who(key), "status"))
    return " ".join(text_of(v) for v in [*status, *world.inbox(key), *world.updates(key)])


async def test_managers_policy_people_and_admins_never_see_who_asked(world, clock):
    # Rosa reports a threat (a safety escalation reaches Morgan and, later, Chris), then asks
    # for peer support from the report's confirmation, sets a check-in, and is supported.
    # Peer support is offered on the safety card (last, after the safety actions) and again
    # once she says she is safe.
    [confirmation] = await world.bot.handle(FormSubmitted(who("rosa"), "report", UNSAFE))
    assert confirmation.buttons[-1].action == "support.start"
    await ask(world, shared="I can't stop shaking", about="THREAT")
    await press(world, "rosa", "support.check_in", "2d")
    await press(world, "sol", "support.accept", "1")
    await world.later(minutes=50)  # the escalation climbs to Chris
    await world.later(days=2)  # the check-in fires

    for key in ("morgan", "chris", "alex"):
        seen = await everything_seen_by(world, key)
        assert "Rosa" in seen or key == "alex"  # they do see the report's escalation...
        assert not [t for t in TELLTALES if t in seen], key  # ...and nothing of the support
    notices = [v for v in world.inbox("morgan") if text_of(v).startswith("Escalation")]
    assert notices and all("support" not in text_of(n).lower() for n in notices)

    async with world.db.transaction() as tx:
        audit = (await tx.session.scalars(select(AuditEntry))).all()
        escalations = (await tx.session.scalars(select(Escalation))).all()
    assert [a for a in audit if a.subject_type.startswith("support") or a.action.startswith("support")] == []
    assert {e.subject_type for e in escalations} == {None}  # only the report's own


async def test_counts_are_all_that_leaves_and_small_numbers_are_suppressed(world, clock):
    since = clock.now() - timedelta(days=1)
    async with world.db.transaction() as tx:
        empty = await support.counts(tx, since, clock.now() + timedelta(days=30))
    assert empty.requested.label == "0" and empty.requested.value == 0

    await ask(world)
    await press(world, "rosa", "support.check_in", "1d")
    async with world.db.transaction() as tx:
        few = await support.counts(tx, since, clock.now() + timedelta(days=30))
    assert few.rows() == [("Peer support requested", support.FEWER_THAN_5),
                          ("Conversations taken on by a supporter", "0"), ("Check-ins set", support.FEWER_THAN_5)]
    assert few.requested.value is None and "1" not in repr(few.requested)

    for key in ("rosa", "una", "sol", "tam", "chris"):
        await ask(world, key)
    async with world.db.transaction() as tx:
        many = await support.counts(tx, since, clock.now() + timedelta(days=30))
    assert many.requested.label == "6" and many.requested.value == 6


SUPPORT_OWN = {"support_requests", "support_offers", "support_check_ins", "peer_supporters"}
QUEUES = {"notifications", "timers", "inbound_events"}  # delivery machinery, never shown on any page


async def snapshot(world) -> dict[str, list]:
    from bot.machinery.storage.models import Base

    tables = {}
    async with world.db.transaction() as tx:
        for table in Base.metadata.sorted_tables:
            if table.name in SUPPORT_OWN | QUEUES:
                continue
            columns = [c for c in table.columns if c.name != "last_seen_at"]  # when someone last used the bot
            rows = (await tx.session.execute(select(*columns))).all()
            tables[table.name] = sorted(map(tuple, rows), key=repr)
    return tables


async def test_no_other_table_changes_so_no_console_page_or_export_can_see_who_asked(world, clock):
    """Every manager path, console page and export reads the shared and feature tables; a whole
    support story — request, waves, accept, hand back, check-in asked and stopped, closed —
    leaves every one of them exactly as it was."""
    before = await snapshot(world)
    await ask(world, shared="It shook me", about="THREAT")
    await world.later(minutes=30)
    await press(world, "sol", "support.accept", "1")
    await press(world, "sol", "support.hand_back", "1")
    await press(world, "tam", "support.accept", "1")
    await press(world, "rosa", "support.check_in", "1d")
    await world.later(days=1)
    await press(world, "rosa", "support.answer", "1:not_ok")
    await press(world, "rosa", "support.done", "1")
    await ask(world, "una")
    await press(world, "una", "support.cancel", "2")
    assert await snapshot(world) == before
