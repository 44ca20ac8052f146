"""The words of the workspace's pages and of their scripts, in the language of the moment (`accountgraph.i18n`;
the page's language is the workspace's switch, a cookie, or else the browser's `Accept-Language`).

The templates read them as `t.NAME` (a field in braces is filled with `.format` after the translation); the
stored words (stances, roles, functions) go through the glossary's `term`, numbers through `i18n.number`. The
scripts get theirs (`script_texts`) as a JSON block of the page (no inline script: the pages' CSP forbids it)
and fill the `{fields}` themselves (`common.js`'s `tr`).
"""

from __future__ import annotations

from typing import Any

from accountgraph.i18n import N_, _, ngettext
from accountgraph.i18n.glossary import TERMS, joined, term

__all__ = ["INTERACTION_KINDS", "STATUS", "page_texts", "script_texts"]

STATUS: dict[str, str] = {
    # a plan's status and a goal's state (accountgraph.plans.models)
    "done": N_("done"),
    "on_track": N_("on track"),
    "at_risk": N_("at risk"),
    "off_track": N_("off track"),
    "met": N_("met"),
    "open": N_("open"),
    "missed": N_("missed"),
    # an account's place in the portfolio (services.portfolio.Status)
    "key": N_("key"),
    "candidate": N_("candidate"),
    "other": N_("other"),
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
    texts: dict[str, Any] = {**_texts(), **_chrome()}
    texts["term"] = lambda value: term(str(value), str(value).replace("_", " "))
    texts["terms"] = lambda items: joined([texts["term"](i) for i in items])
    texts["state"] = lambda key: _(STATUS[key]) if key in STATUS else key
    return texts


INTERACTION_KINDS: dict[str, str] = {
    "meeting": N_("meeting"),
    "call": N_("call"),
    "email": N_("email"),
    "visit": N_("visit"),
    "event": N_("event"),
}


def _chrome() -> dict[str, str]:
    """The words of the header, sign-in, portfolio, account, tree, search, alerts and error pages."""
    return {
        # the header and the language switch
        "portfolio": _("Portfolio"),
        "search_placeholder": _("Find a person: name, title, e-mail, company, pinyin"),
        "search_label": _("find a person"),
        "search": _("Search"),
        "who": _("{role} key {key}"),
        "sign_out": _("Sign out"),
        "import_nav": _("Import"),
        "language": _("Language"),
        # sign in
        "sign_in": _("Sign in"),
        "sign_in_hint": _("Paste an API key ({create}, or the key {demo} prints)."),
        "api_key": _("API key"),
        # the portfolio
        "accounts_count": _("{n} accounts. Click a column heading to sort."),
        "accounts_one": _("1 account. Click a column heading to sort."),
        "col_account": _("Account"),
        "col_status": _("Status"),
        "col_people": _("People"),
        "col_coverage": _("Coverage"),
        "col_change": _("Coverage change (90 days)"),
        "col_key": _("Key-people coverage"),
        "col_risk": _("Risk"),
        "col_open": _("Open deals"),
        "col_pipeline": _("Open pipeline"),
        "col_win": _("Best deal's win probability"),
        "col_at_risk": _("Revenue at risk"),
        "col_overdue": _("Overdue"),
        "col_grade": _("Grade"),
        # the account page
        "loading": _("Loading…"),
        "show_everyone": _("Show everyone"),
        "customer_tree": _("Customer tree"),
        "print_plan": _("Print plan"),
        "layered_layout": _("Layered layout"),
        "filters_label": _("filters of the map"),
        "company": _("Company"),
        "department": _("Department"),
        "role": _("Role"),
        "all": _("all"),
        "stale_only": _("only stale ties of ours"),
        "ties": _("Ties"),
        "tie_ours": _("ours"),
        "tie_knows": _("knows"),
        "tie_influences": _("influences"),
        "tie_reports_to": _("reports to"),
        "tie_colleagues": _("our colleagues"),
        "clear_filters": _("Clear filters"),
        "clear_path": _("Clear path"),
        "map_label": _("power map of the account"),
        "card_hint": _("Click a person on the map for their card."),
        "add_person": _("Add a person"),
        "legend_stance": _("Stance (colour and mark)"),
        "marks": _("Marks"),
        "mark_gap": _("coverage gap: dashed dark border"),
        "mark_team": _("our team member (box)"),
        "mark_sizes": _("Size: key-people score · line width: tie strength · dashed line: stale tie of ours"),
        # the customer tree page
        "tree_title": _("{account}: customer tree"),
        "tree_title_short": _("customer tree"),
        "power_map": _("Power map"),
        "find_company": _("Find a company"),
        "find": _("Find"),
        "expand_all": _("Expand all"),
        "collapse_all": _("Collapse all"),
        "fit": _("Fit"),
        "tree_label": _("customer tree of the account"),
        "tree_hint": _("Click a company for its card; double-click one to fold or unfold its branch."),
        "legend_reached": _("Key people reached (fill)"),
        "mark_risk": _("Thick red border: the company has risk alerts"),
        "mark_folded": _('▸ N: a folded branch of N companies (their risk is in the figure "with subsidiaries")'),
        # search
        "search_title": _("Search"),
        "matching": _("People matching “{q}”"),
        "no_match": _("No one matches in the accounts you may see."),
        "found_one": _("1 person, best match first. Open one to see their card on the account's map."),
        "found_many": _("{n} people, best match first. Open one to see their card on the account's map."),
        "col_name": _("Name"),
        "col_title": _("Title"),
        "col_matched": _("Matched"),
        "not_there": _("not at the company today"),
        "more_people": _("More people"),
        # alerts
        "alerts": _("Alerts"),
        "col_alert": _("Alert"),
        "col_reason": _("Reason"),
        "col_next": _("Next step"),
        "col_raised": _("Raised"),
        "muted": _("(muted)"),
        "acknowledged": _("(acknowledged)"),
        "acknowledge": _("Acknowledge"),
        "mute": _("Mute"),
        "unmute": _("Unmute"),
        "no_alerts": _("No open alerts."),
        # errors
        "back_home": _("Back to the portfolio"),
    }


def script_texts() -> dict[str, Any]:
    """The words of the pages' scripts (`account.js`, `tree.js`, `stance.js`), `{fields}` filled in the browser,
    and `terms`: the stored words (stances, roles, layers, functions, tie kinds) in the page's language (in
    English the stored value itself, as the scripts showed it before)."""
    texts: dict[str, Any] = {
        # the account page's figures, layouts and path
        "coverage_line": _("Coverage {score}/100 ({covered} of {chain} reached){key} · {gaps} gaps"),
        "key_part": _(" · key people {key}"),
        "all_shown": _("All {people} people shown."),
        "chain_shown": _(
            "Showing the decision chain (at most its {limit} best ranked) and our ties: {shown} of {people} people."
        ),
        "ranked_exact": _(" Ranked with exact brokerage."),
        "ranked_sampled": _(
            " Ranked with brokerage estimated from {sources} sampled people (the exact values are being computed)."
        ),
        "show_chain": _("Show the decision chain"),
        "show_everyone": _("Show everyone"),
        "all": _("all"),
        "people_match": _("{shown} of {total} people match."),
        "layer_key": _("Decision layer (key people)"),
        "layer_organisational": _("Organisational layer (heads)"),
        "layer_broad": _("Operational layer (using and technical departments)"),
        "layer_none": _("Outside the decision chain"),
        "layer_team": _("Our team"),
        "network_layout": _("Network layout"),
        "layered_layout": _("Layered layout"),
        "path_best": _("Best path to {name}: {hops}"),
        "path_none": _("No path to {name}: {reason}"),
        "map_error": _("Could not load the map: {error}"),
        # the person card
        "department": _("Department"),
        "roles": _("Roles"),
        "stance": _("Stance"),
        "rank": _("Rank"),
        "not_ranked": _("not ranked"),
        "rank_of": _("#{rank} of {ranked}"),
        "score": _("Score"),
        "coverage": _("Coverage"),
        "not_in_chain": _("not in the decision chain"),
        "covered_in": _("covered ({layer} layer)"),
        "uncovered_in": _("NOT covered ({layer} layer)"),
        "part_authority": _("authority"),
        "part_influence": _("influence"),
        "part_brokerage": _("brokerage"),
        "who_knows": _("Who of ours knows them"),
        "our_tie": _("{member}: {strength} effective (stated {stated}, {interactions}, last contact {last})"),
        # one catalog entry (the explanations' plural) for both forms the script picks between
        "interactions_one": ngettext("{n} interaction", "{n} interactions", 1),
        "interactions_many": ngettext("{n} interaction", "{n} interactions", 2),
        "stale": _(" — stale"),
        "nobody_ours": _("nobody of ours"),
        "best_path": _("Best path from our team"),
        "draw_path": _("Draw the best path on the map"),
        "if_leave": _("If they leave"),
        "lose_path": _("we lose every path to {name}"),
        "no_longer_covered": _("{name} is no longer covered"),
        "nobody_lost": _("nobody else is lost"),
        "gaps": _("Gaps"),
        "none": _("none"),
        "stance_history": _("Stance history"),
        "first_known": _("first known"),
        "no_change": _("no change recorded"),
        "card_error": _("Could not load the card: {error}"),
        # the card's forms
        "set_stance": _("Set stance"),
        "from": _("From"),
        "log_interaction": _("Log an interaction"),
        "who_ours": _("Who of ours"),
        "kind": _("Kind"),
        "on": _("On"),
        "mood": _("Mood"),
        "positive": _("positive"),
        "neutral": _("neutral"),
        "negative": _("negative"),
        "note": _("Note"),
        "save": _("Save"),
        "saving": _("Saving…"),
        "saved": _("Saved."),
        "not_saved_fields": _("Not saved: see the fields above."),
        "not_saved": _("Not saved: {error}"),
        "set_roles": _("Set roles"),
        "add_tie": _("Add a tie"),
        "tie_knows": _("one of ours knows them"),
        "tie_influences": _("they influence a contact"),
        "tie_influenced": _("a contact influences them"),
        "contact": _("Contact"),
        "strength": _("Strength"),
        "since": _("Since"),
        "end_tie": _("End a tie"),
        "tie": _("Tie"),
        "knows_other": _("knows {other}"),
        "influences_other": _("influences {other}"),
        "influenced_by_other": _("influenced by {other}"),
        "until": _("Until"),
        "add_member": _("Add one of ours who knows them"),
        "name": _("Name"),
        "function": _("Function"),
        "title": _("Title"),
        "add_person": _("Add a person"),
        "company": _("Company"),
        # the customer tree page
        "folded": _("▸ {n} companies folded"),
        "folded_one": _("▸ 1 company folded"),
        "tree_all": _("All {n} companies shown."),
        "tree_some": _("Showing {shown} of {n} companies: unfold a branch (▸) or find a company to see more."),
        "unfold": _("Unfold its {n} companies"),
        "fold": _("Fold this branch"),
        "no_company": _("No company of this account matches."),
        "match_of": _("{at} of {n}: {name}"),
        "tree_figures": _("{n} companies · coverage {coverage}/100 · risk {risk}/100"),
        "tree_error": _("Could not load the tree: {error}"),
    }
    texts["terms"] = {value: term(value) for value in TERMS}
    texts["separator"] = joined(["", ""])  # between the items of a list: ", " in English, "、" in Chinese
    texts["kinds"] = {value: _(words) for value, words in INTERACTION_KINDS.items()}
    return texts
