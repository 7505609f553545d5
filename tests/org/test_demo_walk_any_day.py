"""The README's try-it walk works at any hour on any day: on a Saturday evening, the demo's
chaperone step ("tomorrow at 10:00") still reaches both volunteers."""

from datetime import timedelta
from zoneinfo import ZoneInfo

from bot.org import orgfile
from bot.port.events import FormSubmitted, Identity
from tests.world import World


async def test_the_chaperone_step_works_on_a_saturday_evening(db, sealer, library, clock):
    clock.advance(days=5, hours=12)  # Monday 09:00 → Saturday 21:00 in London
    now = clock.now().astimezone(ZoneInfo("Europe/London"))
    assert (now.strftime("%a"), now.hour) == ("Sat", 21)
    async with db.transaction() as tx:
        await orgfile.apply(tx, orgfile.demo(), now=clock.now())
    world = World(db, sealer, library, clock)
    tomorrow = (now + timedelta(days=1)).date().isoformat()
    [answer] = await world.bot.handle(FormSubmitted(Identity("web", "demo", "asha"), "chaperone", {
        "date": tomorrow, "start": "10:00", "minutes": "30", "setting": "in_person",
        "site": "Main building", "room": "Room 2", "urgent": "no"}))
    await world.settle()
    assert "asked 2 matching volunteers" in " ".join(answer.paragraphs)
    assert len(world.inbox("sam")) == 1 and len(world.inbox("priya")) == 1
