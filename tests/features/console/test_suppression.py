"""Small-number suppression, rule by rule (no database: the rules are pure)."""

from bot.features.console.suppression import combined_table, primary, single_team_table

VALUES = [("a", "A"), ("b", "B"), ("c", "C")]


def people(count: int, first: int = 1, distinct: int = 2) -> tuple[int, int, int]:
    """A tally of ``count`` reports from ``distinct`` people (ids first..first+distinct-1)."""
    return count, first, first + distinct - 1


def test_fewer_than_five_or_a_single_person_is_never_shown():
    assert primary((0, 0, 0)).label == "0"
    assert primary((4, 1, 9)).label == "fewer than 5"
    assert primary((9, 7, 7)).label == "hidden"  # nine reports, all from one person
    assert primary((5, 1, 2)).label == "5"


def test_a_lone_suppressed_cell_in_a_row_takes_another_with_it():
    atoms = {("w1", "a"): people(7), ("w1", "b"): people(3), ("w1", "c"): people(6)}
    table = single_team_table(atoms, ["w1"], VALUES)
    assert table.row_totals["w1"].label == "16"
    assert table.cell("w1", "b").label == "fewer than 5"
    assert table.cell("w1", "c").label == "hidden"  # else 16 - 7 - 6 = 3
    assert table.cell("w1", "a").label == "7"


def test_when_nothing_else_can_be_hidden_the_total_is():
    table = single_team_table({("w1", "a"): people(5, distinct=1)}, ["w1"], VALUES)
    assert table.cell("w1", "a").label == "hidden"
    assert table.row_totals["w1"].label == "hidden"


def test_a_range_total_needs_every_period_shown():
    atoms = {("w1", "a"): people(9), ("w2", "a"): people(2), ("w1", "b"): people(6), ("w2", "b"): people(7),
             ("w2", "c"): people(3)}
    table = single_team_table(atoms, ["w1", "w2"], VALUES)
    # a: week 2 is suppressed, so the range total would give it away (11 - 9).
    assert table.column_totals["a"].label == "hidden"
    assert table.column_totals["b"].label == "13"  # both weeks shown
    assert table.total.label == "27"  # both weeks' totals are shown


def test_all_teams_together_never_reveal_one_teams_suppressed_figure():
    north = {("w1", "a"): people(10, 1)}
    south = {("w1", "a"): people(3, 50)}
    together = combined_table({1: north, 2: south}, ["w1"], VALUES)
    # 13 is more than 5, but 13 minus North's 10 would give South's 3.
    assert together.cell("w1", "a").label == "hidden"
    alone = combined_table({1: north}, ["w1"], VALUES)
    assert alone.cell("w1", "a").label == "10"


def test_every_shown_figure_is_a_sum_of_shown_figures():
    """Whatever the mix, a shown total only adds up shown cells (so subtraction reveals nothing)."""
    import itertools

    for counts in itertools.product([0, 2, 5, 9], repeat=4):
        atoms = {("w1", "a"): people(counts[0]), ("w1", "b"): people(counts[1]),
                 ("w2", "a"): people(counts[2]), ("w2", "b"): people(counts[3])}
        table = single_team_table({k: v for k, v in atoms.items() if v[0]}, ["w1", "w2"], VALUES[:2])
        for p in table.periods:
            if table.row_totals[p].shown:
                hidden = [table.cell(p, v) for v, _ in table.values if not table.cell(p, v).shown]
                assert len(hidden) != 1, (counts, p)
        for v, _ in table.values:
            if table.column_totals[v].shown:
                assert all(table.cell(p, v).shown for p in table.periods)
