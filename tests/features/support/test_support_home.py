"""A peer supporter's home lists the request offered to them until they answer it; the
clinician's manager never sees it there."""

from bot.port.views import Card
from tests.support_harness import ask, press, say, world  # noqa: F401 (fixtures)


def waiting_titles(views) -> list[str]:
    return [v.title for v in views if isinstance(v, Card) and v.title.startswith("Answer a peer support")]


async def test_the_supporters_home_lists_the_request_until_answered(world):
    await ask(world)
    asked = [p for p in ("sol", "tam") if any(v.title.startswith("A colleague would like peer support") for v in world.inbox(p)
                                              if isinstance(v, Card))]
    assert len(asked) == 1
    supporter = asked[0]
    assert waiting_titles(await say(world, supporter, "home")) == [
        "Answer a peer support request (a message in chat first, in the next few days)"]
    assert waiting_titles(await say(world, "morgan", "home")) == []
    await press(world, supporter, "support.accept", "1")
    assert waiting_titles(await say(world, supporter, "home")) == []
