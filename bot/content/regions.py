"""Where an organisation works, and where each cited rule applies.

An organisation names one region (``US``, ``UK-England``, ``UK-Scotland``, ``UK-Wales``,
``UK-Northern-Ireland``), or ``UK`` when it works across the UK or has not said which nation,
or nothing (``any``). A source names the places it applies in: a region, or one of the
groups ``UK`` (all four nations) and ``GB`` (England, Scotland and Wales: not Northern
Ireland). A source is shown only where it applies: the NHS England standard only in England,
the Worker Protection Act only in Great Britain.
"""

from __future__ import annotations

from enum import StrEnum


class Region(StrEnum):
    US = "US"
    UK = "UK"
    GB = "GB"
    ENGLAND = "UK-England"
    SCOTLAND = "UK-Scotland"
    WALES = "UK-Wales"
    NORTHERN_IRELAND = "UK-Northern-Ireland"
    ANY = "any"

    @property
    def label(self) -> str:
        return REGION_LABELS[self]


REGION_LABELS: dict[Region, str] = {
    Region.US: "United States",
    Region.UK: "United Kingdom",
    Region.GB: "Great Britain (England, Scotland, Wales)",
    Region.ENGLAND: "England",
    Region.SCOTLAND: "Scotland",
    Region.WALES: "Wales",
    Region.NORTHERN_IRELAND: "Northern Ireland",
    Region.ANY: "anywhere",
}

NATIONS = (Region.ENGLAND, Region.SCOTLAND, Region.WALES, Region.NORTHERN_IRELAND)
# The places each source region covers.
COVERS: dict[Region, frozenset[Region]] = {
    Region.US: frozenset({Region.US}),
    Region.UK: frozenset({Region.UK, *NATIONS}),
    Region.GB: frozenset({Region.ENGLAND, Region.SCOTLAND, Region.WALES}),
    **{nation: frozenset({nation}) for nation in NATIONS},
}
# Regions an organisation may set (GB is for sources: an organisation works in one nation,
# or says UK when it works in several).
ORG_REGIONS = (Region.US, Region.ENGLAND, Region.SCOTLAND, Region.WALES, Region.NORTHERN_IRELAND,
               Region.UK, Region.ANY)
# Every place a script must have something to cite for.
PLACES = (Region.US, *NATIONS)


def applies(source_regions: tuple[Region, ...] | frozenset[Region], where: Region | None) -> bool:
    """Whether a source that applies in ``source_regions`` may be cited in ``where``.

    Anywhere (``None`` or ``any``): every source, each labelled with its region. ``UK`` with no
    nation: only sources that apply in the whole UK, since a nation's own rule may not.
    """
    if where is None or where is Region.ANY:
        return True
    if Region.ANY in source_regions:
        return True
    if where is Region.UK:
        return Region.UK in source_regions
    return any(where in COVERS[r] for r in source_regions)


def parse_org_region(value: str | None) -> tuple[Region | None, str | None]:
    """An organisation file's ``region`` (or the older ``jurisdiction``), and a note when an
    older value was read in a narrower way than it might have been meant."""
    if value is None:
        return None, None
    text = str(value).strip()
    for region in ORG_REGIONS:
        if text.lower() == region.value.lower():
            if region is Region.UK:
                return region, (
                    "region UK (no nation given): sources that apply in one nation only, such as "
                    "the NHS England standard, are left out; set region to UK-England, "
                    "UK-Scotland, UK-Wales or UK-Northern-Ireland to include them"
                )
            return (None if region is Region.ANY else region), None
    raise ValueError(
        f"unknown region {text!r}; use one of " + ", ".join(r.value for r in ORG_REGIONS)
    )
