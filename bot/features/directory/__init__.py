"""Directory sync's audit trail: what SCIM and ``org sync`` did to people and teams. The rules
live in ``bot.org.directory`` (they are the organisation's, not a verb's); this declaration
gives their audit entries words an auditor reads."""

from bot.feature import Feature

FEATURE = Feature(
    name="directory",
    audit_actions={
        "directory.person_created": "the directory added a person",
        "directory.person_updated": "the directory changed a person's name, email or account",
        "directory.person_reactivated": "the directory turned a person's account back on",
        "directory.person_left": "a person left (deactivated): their open work went to others",
        "directory.team_created": "the directory added a team (a directory group)",
        "directory.team_updated": "the directory changed a team's name or members",
        "directory.team_removed": "the directory removed a group: its members left the team",
        "directory.synced": "an admin applied `org sync` (what changed is in the entries around it)",
    },
)
