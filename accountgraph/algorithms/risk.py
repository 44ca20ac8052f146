"""Account risk: risk events roll up the company hierarchy into a score and a list of alerts.

A subsidiary's litigation is the group's concern: each event is weighed by its severity, its amount and how
recent it is, then counts toward every company above it, attenuated per level. The formula is in
`accountgraph.algorithms.params.RiskParams`.
"""

from __future__ import annotations

import math
from collections import defaultdict, deque
from datetime import date, datetime
from decimal import Decimal, InvalidOperation

from accountgraph.algorithms.params import RiskParams
from accountgraph.algorithms.prepared import AccountView
from accountgraph.algorithms.results import Alert, CompanyRisk, RiskItem, RiskReport
from accountgraph.algorithms.strength import resolve_reference
from accountgraph.i18n import N_
from accountgraph.i18n.phrase import Num, Phrase, Term
from accountgraph.projection import Row

__all__ = ["account_risk"]


def _depths(companies: list[Row], root: str) -> tuple[dict[str, int], dict[str, str]]:
    """Each company's depth below the account's root, and its parent (within the account)."""
    ids = {c["id"] for c in companies}
    parent = {c["id"]: c["parent"] for c in companies if c.get("parent") in ids and c["id"] != root}
    depth = {root: 0} if root in ids else {}
    children: dict[str, list[str]] = defaultdict(list)
    for child, up in parent.items():
        children[up].append(child)
    queue = deque([root])
    while queue:
        node = queue.popleft()
        for child in sorted(children.get(node, [])):
            if child not in depth:
                depth[child] = depth[node] + 1
                queue.append(child)
    return depth, parent


def _money(amount: object, currency: object) -> str:
    try:
        value = Decimal(str(amount))
    except InvalidOperation:
        return f"{amount} {currency or ''}".strip()
    return f"{value} {currency or ''}".strip()  # as every table prints money: the exact decimal, no separators


def account_risk(
    view: AccountView,
    params: RiskParams | None = None,
    *,
    reference: date | datetime | None = None,
) -> RiskReport:
    """Roll the risk events of an account up its company tree.

    Parameters
    ----------
    view : AccountView
        The prepared account (`prepare`); its projection's ``risks`` and company tree are used.
    params : RiskParams, optional
        Default: the view's options.
    reference : date or datetime, optional
        The time recency is measured to (default: the view's).

    Returns
    -------
    RiskReport
        The score 0..100, each event with its parts and contribution, each company's own and rolled-up
        risk, and the alerts, largest first.
    """
    ref = resolve_reference(view.as_of, reference) if reference is not None else view.reference
    projection = view.projection
    params = params or view.options.risk
    account = projection.account
    as_of = projection.as_of or ref.date()
    depth, parents = _depths(projection.companies, account)
    names = {c["id"]: str(c.get("name") or c["id"]) for c in projection.companies}
    items: list[RiskItem] = []
    own: dict[str, float] = defaultdict(float)
    counts: dict[str, int] = defaultdict(int)
    for row in projection.risks:
        at = date.fromisoformat(str(row["at"])[:10])
        age = max(0.0, float((ref.date() - at).days))
        severity = int(row.get("severity") or 3)
        amount = row.get("amount")
        currency = row.get("currency")
        value = 0.0
        if amount is not None:
            try:
                value = float(Decimal(str(amount))) * params.fx_rates.get(str(currency), 1.0)
            except InvalidOperation:
                value = 0.0
        parts = {
            "severity": severity / 5.0,
            "kind": params.kind_weights.get(str(row.get("kind")), 1.0),
            "amount": 1.0 + min(params.amount_cap, math.log10(1.0 + max(0.0, value) / params.amount_unit)),
            "recency": 2.0 ** (-age / params.half_life_days),
        }
        score = math.prod(parts.values())
        company = str(row["company"])
        d = depth.get(company, 0)
        contribution = score * params.attenuation**d
        own[company] += score
        counts[company] += 1
        items.append(
            RiskItem(
                id=str(row["id"]),
                company=company,
                company_name=names.get(company, company),
                kind=str(row["kind"]),
                severity=severity,
                amount=None if amount is None else str(amount),
                currency=None if currency is None else str(currency),
                at=at,
                age_days=age,
                summary=row.get("summary"),
                depth=d,
                score=score,
                contribution=contribution,
                parts=parts,
            )
        )
    # roll up: deepest companies first
    rolled = {c: own.get(c, 0.0) for c in depth}
    for company, _ in sorted(depth.items(), key=lambda kv: (-kv[1], kv[0])):
        up = parents.get(company)
        if up is not None and up in rolled:
            rolled[up] += params.attenuation * rolled[company]
    total = rolled.get(account, sum(i.contribution for i in items))
    score = 100.0 * (1.0 - math.exp(-total / params.scale))
    items.sort(key=lambda i: (-i.contribution, i.id))
    alerts = []
    for item in items:
        if item.contribution < params.alert_at:
            continue
        where: str = item.company_name
        if item.depth:
            where = Phrase.ngettext(
                "{company} ({n} level below the group)",
                "{company} ({n} levels below the group)",
                item.depth,
                company=item.company_name,
            )
        alerts.append(
            Alert(
                risk=item.id,
                company=item.company,
                level="high" if item.contribution >= 2 * params.alert_at else "medium",
                message=Phrase(
                    N_(
                        "{kind} at {where}, severity {severity}{money}, {days} days ago{summary} "
                        "(weighs {weight:.2f} on the group)"
                    ),
                    kind=Term(item.kind, item.kind),
                    where=where,
                    severity=item.severity,
                    money=""
                    if item.amount is None
                    else Phrase(N_(", {amount}"), amount=_money(item.amount, item.currency)),
                    days=Num(item.age_days, ".0f"),
                    summary=Phrase(N_(": {summary}"), summary=item.summary) if item.summary else "",
                    weight=item.contribution,
                ),
            )
        )
    companies = sorted(
        (
            CompanyRisk(id=c, name=names.get(c, c), depth=d, own=own.get(c, 0.0), rolled_up=rolled[c], events=counts[c])
            for c, d in depth.items()
            if rolled[c] > 0 or counts[c]
        ),
        key=lambda c: (-c.rolled_up, c.id),
    )
    explanation = Phrase(
        N_("{score} of 100 from {events} rolled up {companies} (group-level weight {weight:.2f}); {alerts}"),
        score=Num(score, ".1f"),
        events=Phrase.ngettext("{n} event", "{n} events", len(items)),
        companies=Phrase.ngettext("{n} company", "{n} companies", len(depth)),
        weight=total,
        alerts=Phrase.ngettext("{n} alert", "{n} alerts", len(alerts)),
    )
    return RiskReport(
        account=account,
        as_of=as_of,
        score=score,
        rolled_up=total,
        companies=companies,
        events=items,
        alerts=alerts,
        explanation=explanation,
    )
