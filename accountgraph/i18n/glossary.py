"""The MCR vocabulary's words as the code stores them (stances, decision roles, layers, our functions, gap and
action kinds, tie kinds), each with its English words marked for the catalog; `term` shows one in the language of
the moment. The Chinese words are those of docs/glossary.md (the catalog holds them)."""

from __future__ import annotations

from accountgraph.i18n import DEFAULT, N_, _, current

TERMS: dict[str, str] = {
    # stances
    "supporter": N_("supporter"),
    "neutral": N_("neutral"),
    "opponent": N_("opponent"),
    "unknown": N_("unknown"),
    # decision roles
    "decision_maker": N_("decision maker"),
    "economic_buyer": N_("economic buyer"),
    "technical_buyer": N_("technical evaluator"),
    "user_buyer": N_("user"),
    "influencer": N_("influencer"),
    "champion": N_("champion"),
    "coach": N_("coach"),
    "gatekeeper": N_("gatekeeper"),
    "blocker": N_("blocker"),
    # the three layers of customer relationship
    "key": N_("key relationship"),
    "organisational": N_("organisational relationship"),
    "broad": N_("broad relationship"),
    # our functions: the iron triangle and the rest
    "account_manager": N_("account manager"),
    "solution_expert": N_("solution expert"),
    "delivery_manager": N_("delivery manager"),
    "executive": N_("executive sponsor"),
    "other": N_("other"),
    # gaps
    "uncovered_person": N_("uncovered person"),
    "company_without_contact": N_("company without contact"),
    "role_without_supporter": N_("role without supporter"),
    "single_threaded": N_("single threaded"),
    "opponent_in_decision_role": N_("opponent in decision role"),
    # next best actions
    "reach": N_("reach"),
    "reengage": N_("re-engage"),
    "second_thread": N_("second thread"),
    # the kinds of records (who a person of a path or a connector is; what was not found)
    "person": N_("person"),
    "team": N_("our team member"),
    "account": N_("account"),
    "company": N_("company"),
    "tie": N_("tie"),
    "interaction": N_("interaction"),
    "risk": N_("risk event"),
    "plan": N_("plan"),
    "product": N_("product"),
    "quote": N_("quote"),
    "opportunity": N_("opportunity"),
    "api key": N_("API key"),
    "file": N_("file"),
    "person or team member in this account": N_("person or team member in this account"),
    "person or team member with a relationship in this account": N_(
        "person or team member with a relationship in this account"
    ),
    # ties along a path
    "KNOWS": N_("knows"),
    "INFLUENCES": N_("influences"),
    "INFLUENCED_BY": N_("influenced by"),
    "REPORTS_TO": N_("reports to"),
    "MANAGES": N_("manages"),
    # the kinds of risk events, and the level of a risk alert
    "litigation": N_("litigation"),
    "financial": N_("financial"),
    "credit": N_("credit"),
    "news": N_("news"),
    "compliance": N_("compliance"),
    "high": N_("high"),
    "medium": N_("medium"),
    # how betweenness was computed
    "exact": N_("exact"),
    "sampled": N_("sampled"),
}


def term(value: str, english: str | None = None) -> str:
    """A stored word shown in the language of the moment: in English `english` (default: the value as it is, so
    English output stays what it was), otherwise its translation (the value itself when it is no term)."""
    if current() == DEFAULT:
        return value if english is None else english
    words = TERMS.get(value)
    return _(words) if words is not None else value


def joined(items: list[str], english: str = ", ") -> str:
    """Items in a list: joined by `english` in English, by the enumeration comma (、) in Chinese."""
    return (english if current() == DEFAULT else "、").join(items)
