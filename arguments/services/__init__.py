"""Every change to a map goes through here: one transaction, one Event, one bump of the map's revision.

Views, the API, importers and commands call these keyword-only functions as `services.<name>`; they
never write models directly, so the activity log, the audit trail and live updates can rely on the
Event table being complete. One module per part of a map:

- events.py       recording a change (record_event) and the edit conflict every versioned change raises
- maps.py         creating, changing and deleting maps; adding and removing their sources
- claims.py       claims, relations, evidence and comments
- members.py      members, roles and invitations
- source_text.py  changing a source's text: in place for every map, or a copy for one (re-anchoring passages)
- reattach.py     re-attaching an orphaned passage to new words
"""

from .claims import (
    add_comment,
    add_evidence,
    add_response,
    claim_dependents,
    create_claim,
    create_relation,
    delete_claim,
    delete_evidence,
    delete_relation,
    update_claim,
    update_evidence,
    update_relation,
)
from .events import EditConflict, record_event
from .maps import (
    add_source,
    create_map,
    delete_map,
    map_dependents,
    remove_source,
    source_dependents,
    unique_map_slug,
    update_map,
)
from .members import (
    MembershipError,
    accept_invitation,
    add_member,
    change_role,
    create_invitation,
    remove_member,
    revoke_invitation,
)

__all__ = [
    "EditConflict",
    "MembershipError",
    "accept_invitation",
    "add_comment",
    "add_evidence",
    "add_member",
    "add_response",
    "add_source",
    "change_role",
    "claim_dependents",
    "create_claim",
    "create_invitation",
    "create_map",
    "create_relation",
    "delete_claim",
    "delete_evidence",
    "delete_map",
    "delete_relation",
    "map_dependents",
    "record_event",
    "remove_member",
    "remove_source",
    "revoke_invitation",
    "source_dependents",
    "unique_map_slug",
    "update_claim",
    "update_evidence",
    "update_map",
    "update_relation",
]
