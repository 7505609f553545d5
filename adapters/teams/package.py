"""The Teams app package: ``manifest.json`` and two icons in a zip, ready to upload.

The icons are drawn here (a white ring on teal; the outline icon a white ring on a
transparent background, as Teams requires) so no binary files need to be kept in git.
"""

from __future__ import annotations

import io
import json
import struct
import zipfile
import zlib
from urllib.parse import urlparse

from bot.features import registry

MANIFEST_SCHEMA = "https://developer.microsoft.com/en-us/json-schemas/teams/v1.17/MicrosoftTeams.schema.json"
MANIFEST_VERSION = "1.17"
ACCENT = (0x0F, 0x76, 0x6E)  # teal

# Teams shows at most 10 commands; titles up to 32 characters, descriptions up to 128.
MAX_COMMANDS = 10


def commands() -> list[dict[str, str]]:
    """The command menu: every verb the features declare, in menu order."""
    return [{"title": verb.name[:32], "description": verb.help[:128]}
            for verb in registry().verbs[:MAX_COMMANDS]]


def manifest(app_id: str, website: str, *, version: str = "1.0.0", name: str = "Boundary Bot") -> dict:
    host = urlparse(website).hostname or ""
    return {
        "$schema": MANIFEST_SCHEMA,
        "manifestVersion": MANIFEST_VERSION,
        "version": version,
        "id": app_id,
        "developer": {
            "name": name,
            "websiteUrl": website,
            "privacyUrl": website,
            "termsOfUseUrl": website,
        },
        "name": {"short": name[:30], "full": f"{name}: private support with difficult client interactions"[:100]},
        "description": {
            "short": "Privately report uncomfortable client behaviour and get words to say."[:80],
            "full": (
                "Boundary Bot helps clinicians deal with an uncomfortable client or patient "
                "interaction: report it privately, get a suggested boundary script and the next "
                "step, ask a colleague to chaperone, start a referral and escalate to a manager. "
                "It works only in your private chat with the bot; what you write is encrypted and "
                "never posted in chat."
            ),
        },
        "icons": {"color": "color.png", "outline": "outline.png"},
        "accentColor": "#{:02X}{:02X}{:02X}".format(*ACCENT),
        "bots": [{
            "botId": app_id,
            "scopes": ["personal"],
            "supportsFiles": False,
            "isNotificationOnly": False,
            "commandLists": [{
                "scopes": ["personal"],
                "commands": commands(),
            }],
        }],
        "permissions": ["identity", "messageTeamMembers"],
        "validDomains": [host] if host else [],
    }


def _png(size: int, pixel) -> bytes:
    rows = b"".join(
        b"\x00" + b"".join(bytes(pixel(x, y, size)) for x in range(size)) for y in range(size)
    )

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    header = struct.pack(">IIBBBBB", size, size, 8, 6, 0, 0, 0)  # 8-bit RGBA
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(rows, 9)) + chunk(b"IEND", b"")


def _in_ring(x: int, y: int, size: int) -> bool:
    c = (size - 1) / 2
    r = ((x - c) ** 2 + (y - c) ** 2) ** 0.5
    # A ring (a boundary) around a dot (the person it protects).
    return size * 0.24 <= r <= size * 0.36 or r <= size * 0.11


def color_icon() -> bytes:
    return _png(192, lambda x, y, s: (255, 255, 255, 255) if _in_ring(x, y, s) else (*ACCENT, 255))


def outline_icon() -> bytes:
    return _png(32, lambda x, y, s: (255, 255, 255, 255) if _in_ring(x, y, s) else (0, 0, 0, 0))


def build(app_id: str, website: str, *, version: str = "1.0.0") -> bytes:
    """The zip to upload to Teams (Apps → Manage your apps → Upload an app)."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("manifest.json", json.dumps(manifest(app_id, website, version=version), indent=2))
        archive.writestr("color.png", color_icon())
        archive.writestr("outline.png", outline_icon())
    return buffer.getvalue()
