"""What the audit log's identifiers mean to a reader: an action's label (``user.create`` is
"Created a user", 新建用户), a target as "<kind> #id" (``user:8`` is "User #8", 用户 #8) and a
changed field's label (``unit_id`` is "Unit", 单位). The one table of them; the message ids are
in the core's catalogue (``core/locales/*/LC_MESSAGES/audit.po``, or ``messages.po`` for the
common words). A plugin's action (``goals.published``) is labelled by the plugin its first part
names, with the message id ``audit action: goals.published`` in that plugin's own catalogue (so
the core names no plugin's actions). An identifier without a label is shown as it is.
"""

from __future__ import annotations

from typing import Any

from core.i18n import Translator
from core.plugins import plugin_locales_dirs

ACTIONS = {
    "account.replace": "Replaced an account",
    "account.revoke": "Revoked an account",
    "accounts.issue": "Issued accounts",
    "adapter_source.create": "Created a data source",
    "adapter_source.delete": "Deleted a data source",
    "adapter_source.update": "Changed a data source",
    "adapter_source.upload": "Uploaded a file to a data source",
    "api.create": "Issued an API token",
    "attachment.delete": "Deleted an attachment",
    "audit.rekey": "Re-keyed the audit log's hashes",
    "campaign.adjust": "Adjusted a campaign's results",
    "campaign.close": "Closed a campaign",
    "campaign.create": "Created a campaign",
    "campaign.open": "Opened a campaign",
    "campaign.publish": "Published a campaign's results",
    "campaign.subjects": "Changed a campaign's subjects",
    "campaign.tally": "Tallied a campaign",
    "campaign.update": "Changed a campaign",
    "comment.delete": "Deleted a comment",
    "import.people": "Imported people",
    "import.teams": "Imported teams",
    "import.units": "Imported units",
    "indicator_values.clear": "Cleared indicator values",
    "indicator_values.upsert": "Entered indicator values",
    "locality.create": "Created a locality",
    "locality.settings": "Changed the locality's settings",
    "paper_ballot.entered": "Entered a paper ballot",
    "paper_ballot.mismatch": "A paper ballot's two entries differed",
    "people_accounts.activate": "Activated a personal account",
    "people_accounts.issue": "Issued personal accounts",
    "people_accounts.reissue": "Reissued a personal account",
    "people_accounts.revoke": "Revoked a personal account",
    "person.create": "Created a person",
    "person.delete": "Deleted a person",
    "person.update": "Changed a person",
    "plugin.set": "Changed a plugin's settings",
    "session.create": "Signed in",
    "slips.print": "Printed account slips",
    "subject.create": "Created a subject",
    "subject.delete": "Deleted a subject",
    "subject.update": "Changed a subject",
    "team.create": "Created a team",
    "team.delete": "Deleted a team",
    "team.update": "Changed a team",
    "template.copy": "Copied a template",
    "template.create": "Created a template",
    "template.update": "Changed a template",
    "unit.create": "Created a unit",
    "unit.delete": "Deleted a unit",
    "unit.update": "Changed a unit",
    "user.assign_campaigns": "Assigned campaigns to a user",
    "user.change_own_password": "Changed own password",
    "user.create": "Created a user",
    "user.grant_child_localities": "Granted reading child localities",
    "user.set_password": "Set a user's password",
    "user.update": "Changed a user",
}

TARGETS = {
    "account": "Account",
    "adapter_source": "Adapter source",  # not "Data source": an indicator's 数据来源
    "ballot_account": "Ballot account",
    "campaign": "Campaign",
    "indicator": "Indicator",
    "indicator_values": "Indicator values",
    "locality": "Locality",
    "person": "Person",
    "plugin": "Plugin",
    "subject": "Subject",
    "team": "Team",
    "template": "Template",
    "unit": "Unit",
    "user": "User",
}

FIELDS = {
    "active": "Active",
    "adapter": "Adapter",
    "batch_id": "Batch",
    "category": "Category",
    "code": "Code",
    "enabled": "Enabled",
    "gender": "Gender",
    "kind": "Kind",
    "mapping": "Mapping",
    "name": "Name",
    "options": "Options",
    "parent_id": "Parent unit",
    "period": "Period",
    "phone": "Phone",
    "post": "Post",
    "rank": "Rank",
    "reads_child_localities": "Reads child localities",
    "role": "Role",
    "schedule": "Schedule",
    "status": "Status",
    "team_id": "Team",
    "unit_id": "Unit",
    "user_id": "User",
    "username": "User name",
    "weight": "Weight",
    "year": "Year",
}


def action_label(tr: Translator, action: str) -> str:
    """An action's label in the reader's language; the identifier itself when it has none."""
    msgid = ACTIONS.get(action)
    if msgid:
        return tr.gettext(msgid)
    plugin, dot, _rest = action.partition(".")
    if dot and plugin in plugin_locales_dirs():
        own = f"audit action: {action}"
        label = tr.of(plugin).gettext(own)
        if label != own:
            return label
    return action


def target_label(tr: Translator, target_type: str, target_id: Any) -> str:
    """ "User #8" (用户 #8); the kind's identifier when it has no label, the kind alone without an id."""
    msgid = TARGETS.get(target_type)
    kind = tr.gettext(msgid) if msgid else target_type
    return f"{kind} #{target_id}" if target_id not in (None, "") else kind


def field_label(tr: Translator, name: str) -> str:
    """A changed field's label in the reader's language; its name when it has none."""
    msgid = FIELDS.get(name)
    return tr.gettext(msgid) if msgid else name
