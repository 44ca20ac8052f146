"""The words of the workspace's deals, plans and compare pages, in the language of the moment
(`accountgraph.i18n`; the page's language is negotiated from the browser's `Accept-Language`).

The templates read them as `t.NAME` (a field in braces is filled with `.format` after the translation); the
stored words (stances, roles, functions) go through the glossary's `term`, numbers through `i18n.number`.
"""

from __future__ import annotations

from typing import Any

from accountgraph.i18n import N_, _
from accountgraph.i18n.glossary import joined, term

__all__ = ["STATUS", "page_texts"]

STATUS: dict[str, str] = {
    # a plan's status and a goal's state (accountgraph.plans.models)
    "done": N_("done"),
    "on_track": N_("on track"),
    "at_risk": N_("at risk"),
    "off_track": N_("off track"),
    "met": N_("met"),
    "open": N_("open"),
    "missed": N_("missed"),
}


def _texts() -> dict[str, str]:
    return {
        "back": _("Back to the account"),
        "deals": _("Deals"),
        "plans": _("Plans"),
        "compare": _("Compare two dates"),
        "no_deals": _("This account has no deals."),
        "deal": _("Deal"),
        "stage": _("Stage"),
        "amount": _("Amount"),
        "close": _("Expected close"),
        "win": _("Win probability"),
        "closed": _("closed"),
        "closed_deals": _("Closed deals"),
        "closed_on": _("Closed on"),
        "committee_size": _("Committee"),
        "risks": _("Risks"),
        "actions": _("Best actions"),
        "committee": _("Buying committee"),
        "person": _("Person"),
        "roles": _("Roles"),
        "stance": _("Stance"),
        "reached": _("Reached by us"),
        "yes": _("yes"),
        "no": _("no"),
        "show_map": _("Show the committee map"),
        "map_of": _("Committee map of {deal}"),
        "no_health": _("No health score: {reason}"),
        "no_plans": _("This account has no plans."),
        "status": _("Status"),
        "goals_met": _("{met} of {total} goals met"),
        "actions_count": _("{open} actions open, {done} done, {overdue} overdue, {stalled} stalled"),
        "goal": _("Goal"),
        "now": _("Now"),
        "target": _("Target"),
        "due": _("Due"),
        "action": _("Action"),
        "owner": _("Owner"),
        "about": _("With"),
        "flags": _("Flags"),
        "coverage_on": _("Coverage on {on}: {score}/100"),
        "before": _("First date"),
        "after": _("Second date"),
        "show": _("Compare"),
        "coverage_change": _("Coverage {before} → {after} ({delta} points)"),
        "joined_map": _("Joined the map"),
        "left_map": _("Left the map"),
        "stance_changes": _("Stance changes"),
        "role_changes": _("Role changes"),
        "ties_gained": _("Ties of ours gained"),
        "ties_lost": _("Ties of ours lost"),
        "ties_changed": _("Ties of ours that changed strength"),
        "newly_covered": _("Newly covered"),
        "no_longer_covered": _("No longer covered"),
        "rank_movers": _("Rank movers"),
        "nothing": _("none"),
        "places": _("{name}: {moved} places"),
        "invalid": _("Cannot compare: {reason}"),
    }


def page_texts() -> dict[str, Any]:
    """The pages' words, and `term`, `terms` (a list) and `state` for stored words."""
    texts: dict[str, Any] = _texts()
    texts["term"] = lambda value: term(str(value), str(value).replace("_", " "))
    texts["terms"] = lambda items: joined([texts["term"](i) for i in items])
    texts["state"] = lambda key: _(STATUS[key]) if key in STATUS else key
    return texts
