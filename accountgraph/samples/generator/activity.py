"""What happened on the account: our team's logged interactions over the two years before the reference
date, and a few risk events."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

from accountgraph.samples.generator.base import State, id_width, raw
from accountgraph.samples.generator.vocabulary import INTERACTION_NOTES
from accountgraph.schema.models import Interaction, InteractionKind, RiskEvent, RiskKind, Stance


class Activity(State):
    """Builds the interactions (from our team's contacts) and the risk events."""

    # ---- interactions and risks ---------------------------------------------------------------------
    def _interactions(self, contacts: list[tuple[int, int, float, int, int]]) -> list[Interaction]:
        rng = self.rng
        rnd = rng.random
        kinds = (InteractionKind.EMAIL, InteractionKind.CALL, InteractionKind.MEETING, InteractionKind.VISIT,
                 InteractionKind.EVENT)  # fmt: skip
        cum = (0.35, 0.6, 0.85, 0.95, 1.0)
        team_ids = self.team_ids
        touches: list[tuple[int, int, int]] = []  # (member, person, days ago)
        for k, p, strength, since_ago, last_ago in contacts:
            if last_ago > 730:
                continue
            touches.append((k, p, last_ago))
            window = min(since_ago, 730)
            for _ in range(int(strength * 9 * rnd())):
                touches.append((k, p, last_ago + int(rnd() * max(0, window - last_ago))))
        if contacts and self.n:  # a few first touches with people we do not know yet (events, cold calls)
            members = sorted({k for k, *_ in contacts})
            for _ in range(max(1, len(contacts) // 20)):
                touches.append((rng.choice(members), int(rnd() * self.n), 1 + int(rnd() * 729)))
        width = id_width(len(touches), 6)
        out: list[Interaction] = []
        for number, (k, p, ago) in enumerate(touches, start=1):
            x = rnd()
            kind = kinds[next(i for i, c in enumerate(cum) if x < c)]
            stance = self.pstance[p]
            y = rnd()
            if stance is Stance.SUPPORTER:
                sentiment = 1 if y < 0.6 else 0
            elif stance is Stance.OPPONENT:
                sentiment = -1 if y < 0.5 else 0
            else:
                sentiment = 1 if y < 0.2 else (-1 if y < 0.3 else 0)
            hour = 8 + int(rnd() * 10)
            at = self.ref_time - timedelta(days=ago) + timedelta(hours=hour, minutes=15 * int(rnd() * 4))
            notes = INTERACTION_NOTES[kind]
            out.append(
                raw(Interaction, {"id": f"{self.acc}-i{number:0{width}d}", "member": team_ids[k],
                                   "person": self.pid[p], "kind": kind, "at": at, "sentiment": sentiment,
                                   "note": notes[int(rnd() * len(notes))]})
            )  # fmt: skip
        return out

    def _risks(self) -> list[RiskEvent]:
        rng = self.rng
        companies = self.companies
        count = 4 + len(companies) // 25
        width = id_width(count, 3)
        kinds = [RiskKind.LITIGATION, RiskKind.CREDIT, RiskKind.NEWS, RiskKind.COMPLIANCE]
        kinds += [rng.choice(list(RiskKind)) for _ in range(count - len(kinds))]
        out: list[RiskEvent] = []
        for number, kind in enumerate(kinds, start=1):
            co = companies[0] if number == 1 else companies[int(rng.random() * len(companies))]
            currency = co.country.currency
            amount: Decimal | None = None
            severity = 1 + int(rng.random() * 5)
            if kind is RiskKind.LITIGATION:
                amount = Decimal(rng.randrange(250, 25_000) * 1000).quantize(Decimal("0.01"))
                product = rng.choice(("infusion pump", "hip implant", "surgical stapler", "ventilator", "catheter"))
                article = "an" if product[0] in "aeiou" else "a"
                summary = f"Product liability suit over {article} {product} filed against {co.name}"
                severity = max(severity, 3)
            elif kind is RiskKind.CREDIT:
                amount = Decimal(rng.randrange(50, 2_000) * 1000).quantize(Decimal("0.01"))
                summary = rng.choice(
                    (f"Payment delays at {co.name}: overdue receivables", f"Credit rating of {co.name} downgraded")
                )
            elif kind is RiskKind.FINANCIAL:
                summary = rng.choice(("Profit warning: margin guidance cut", "Covenant breach on a syndicated loan"))
                if rng.random() < 0.5:
                    amount = Decimal(rng.randrange(1_000, 50_000) * 1000).quantize(Decimal("0.01"))
            elif kind is RiskKind.COMPLIANCE:
                summary = rng.choice(
                    (f"FDA warning letter after an inspection of {co.name}",
                     f"MDR audit of {co.name}: major non-conformities", "Export-control review of a shipment")
                )  # fmt: skip
            else:
                summary = rng.choice(
                    (f"Restructuring announced at {co.name}", f"New CEO announced at {co.name}",
                     f"{co.name} to be sold, press reports", "Group announces a cost-cutting programme")
                )  # fmt: skip
                severity = min(severity, 3)
            out.append(
                RiskEvent(
                    id=f"{self.acc}-r{number:0{width}d}", company=co.id, kind=kind, severity=severity,
                    amount=amount, currency=currency if amount is not None else None,
                    at=self.days[1 + int(rng.random() * 364)], summary=summary,  # within the last year
                )
            )  # fmt: skip
        return out
