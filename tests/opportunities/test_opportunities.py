"""Opportunities with buying committees, their health and win probability, API and CLI; both backends."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from accountgraph.errors import BundleRejected, NotFoundError, RuleViolation
from accountgraph.graph.store import DocumentWrite, GraphStore
from accountgraph.graph.validation import parse_bundle
from accountgraph.opportunities import health, service
from accountgraph.opportunities.features import FEATURE_NAMES, committee_score, committee_view
from accountgraph.opportunities.health import fit_model, opportunity_health
from accountgraph.opportunities.models import CommitteeMember, Opportunity, Pipeline
from accountgraph.samples.deals import generate_history
from accountgraph.schema.models import ApiRole, Bundle, Role, Stance, Tie, today
from accountgraph.services import analysis
from accountgraph.services.scope import Scope
from tests.api.support import api, error_of, new_key

OPERATOR = Scope.operator()


def _day(days_ago: int) -> str:
    return (today() - timedelta(days=days_ago)).isoformat()


def account_bundle() -> Bundle:
    """A small account `acc` (a subsidiary, eight people, three of ours) and another account `oth`."""
    person = {"company": "acc"}
    return parse_bundle(
        {
            "companies": [
                {"id": "acc", "name": "Acme Medical"},
                {"id": "acc-sub", "name": "Acme Devices", "parent": "acc"},
                {"id": "oth", "name": "Other Corp"},
            ],
            "people": [
                {**person, "id": "ceo", "name": "Cora", "level": 1, "roles": ["decision_maker", "economic_buyer"],
                 "stance": "neutral"},
                {**person, "id": "cfo", "name": "Finn", "level": 2, "reports_to": "ceo", "roles": ["economic_buyer"],
                 "stance": "neutral"},
                {**person, "id": "cto", "name": "Tara", "level": 2, "reports_to": "ceo",
                 "roles": ["technical_buyer"], "stance": "supporter"},
                {**person, "id": "eng", "name": "Enzo", "level": 3, "reports_to": "cto", "roles": ["user_buyer"],
                 "stance": "supporter"},
                {**person, "id": "buyer", "name": "Bea", "level": 3, "reports_to": "cfo", "roles": ["influencer"]},
                {"id": "ops", "name": "Otto", "company": "acc-sub", "level": 2, "roles": ["decision_maker"],
                 "stance": "neutral"},
                {"id": "ops2", "name": "Olga", "company": "acc-sub", "level": 3, "reports_to": "ops"},
                {**person, "id": "staff", "name": "Sam", "level": 3, "reports_to": "cto"},
                {"id": "x1", "name": "Xavier", "company": "oth"},
            ],
            "team": [
                {"id": "am", "name": "Alex", "function": "account_manager"},
                {"id": "se", "name": "Sasha", "function": "solution_expert"},
                {"id": "ex", "name": "Eli", "function": "executive"},
            ],
            "ties": [
                {"from": "am", "to": "ceo", "type": "knows", "strength": 0.6, "last_contact": _day(10)},
                {"from": "cto", "to": "se", "type": "knows", "strength": 0.8, "last_contact": _day(5)},
                {"from": "am", "to": "cfo", "type": "knows", "strength": 0.4, "last_contact": _day(200)},
                {"from": "eng", "to": "se", "type": "knows", "strength": 0.5, "last_contact": _day(40)},
                {"from": "ex", "to": "ops", "type": "knows", "strength": 0.3, "last_contact": _day(400)},
                {"from": "ex", "to": "staff", "type": "knows", "strength": 0.5, "last_contact": _day(30)},
                {"from": "cto", "to": "ceo", "type": "influences", "strength": 0.6},
                {"from": "cfo", "to": "ceo", "type": "influences", "strength": 0.5},
                {"from": "buyer", "to": "eng", "type": "knows", "strength": 0.5},
                {"from": "cto", "to": "eng", "type": "knows", "strength": 0.7},
                {"from": "ops", "to": "ops2", "type": "knows", "strength": 0.6},
                {"from": "am", "to": "x1", "type": "knows", "strength": 0.5},
            ],
        }
    )  # fmt: skip


@pytest.fixture
def loaded(store: GraphStore) -> GraphStore:
    store.load_bundle(account_bundle())
    return store


def deal(store: GraphStore, id: str, committee: list[dict[str, Any]], **kw: Any) -> Opportunity:
    return service.create_opportunity(store, "acc", f"Deal {id}", id=id, owner="am", committee=committee, **kw)


def probability(store: GraphStore, id: str, model: Any) -> float:
    return opportunity_health(store, id, model=model, cache=None).probability


# ---- committees: per-deal overrides -------------------------------------------------------------
def test_committee_stance_overrides_the_account_only_for_that_opportunity(loaded: GraphStore) -> None:
    s = loaded
    coverage_before = analysis.coverage(s, OPERATOR, "acc", cache=None).model_dump()
    ranking_before = analysis.rank(s, OPERATOR, "acc", cache=None).model_dump()
    a = deal(s, "a", [{"person": "ceo", "stance": "opponent"}, {"person": "cto", "roles": ["champion"]}])
    b = deal(s, "b", [{"person": "ceo"}, {"person": "cto"}])
    ha = opportunity_health(s, a.id, model="scorecard", cache=None)
    hb = opportunity_health(s, b.id, model="scorecard", cache=None)
    ceo_a = next(m for m in ha.committee if m.person == "ceo")
    ceo_b = next(m for m in hb.committee if m.person == "ceo")
    assert (ceo_a.stance, ceo_a.overridden) == ("opponent", True)
    assert (ceo_b.stance, ceo_b.overridden) == ("neutral", False)
    assert next(m for m in ha.committee if m.person == "cto").roles == ["champion"]
    assert next(m for m in hb.committee if m.person == "cto").roles == ["technical_buyer"]
    # the opponent decision maker counts against deal a only
    xa = {c.name: c.value for c in ha.contributions}
    xb = {c.name: c.value for c in hb.contributions}
    assert xa["opponents"] == 1 and xb["opponents"] == 0
    assert xa["champion"] == 1 and xb["champion"] == 0
    # the account itself is unchanged: its stored person, coverage and ranking
    assert s.get_person("ceo").stance is Stance.NEUTRAL
    assert analysis.coverage(s, OPERATOR, "acc", cache=None).model_dump()["score"] == coverage_before["score"]
    assert analysis.coverage(s, OPERATOR, "acc", cache=None).model_dump()["people"] == coverage_before["people"]
    assert analysis.rank(s, OPERATOR, "acc", cache=None).model_dump()["people"] == ranking_before["people"]


def test_committee_view_leaves_the_account_view_alone_and_scores_match_a_full_ranking(loaded: GraphStore) -> None:
    from accountgraph.algorithms.ranking import rank_arrays

    view = analysis.account_view(loaded, "acc", cache=None)
    attrs_before = [dict(a) for a in view.attrs]
    members = [
        CommitteeMember(person="buyer", roles=[Role.DECISION_MAKER], stance=Stance.OPPONENT),
        CommitteeMember(person="cto", stance=Stance.NEUTRAL),
    ]
    cview = committee_view(view, members)
    assert [dict(a) for a in view.attrs] == attrs_before
    i = view.index["buyer"]
    assert cview.attrs[i]["roles"] == ["decision_maker"] and cview.attrs[i]["stance"] == "opponent"
    assert view.attrs[i]["roles"] == ["influencer"]
    full = rank_arrays(cview)  # a full ranking of the overridden view
    assert committee_score(view, rank_arrays(view), i, ["decision_maker"]) == pytest.approx(float(full.score[i]))


# ---- stages -------------------------------------------------------------------------------------
def test_stage_history_is_kept_with_times_and_illegal_moves_are_refused(loaded: GraphStore) -> None:
    s = loaded
    t0 = datetime(2026, 9, 1, 9, 0, tzinfo=UTC)
    opp = service.create_opportunity(
        s, "acc-sub", "Imaging", id="o1", amount="250000.10", owner="am", at=t0, expected_close=date(2027, 3, 31)
    )
    assert opp.account == "acc" and opp.stage == "qualify" and str(opp.amount) == "250000.10"
    service.move_stage(s, "o1", "discover", at=t0 + timedelta(days=3), note="workshop")
    service.move_stage(s, "o1", "propose", at=t0 + timedelta(days=10))
    service.move_stage(s, "o1", "discover", at=t0 + timedelta(days=12))  # deals slip back: kept too
    got = service.get_opportunity(s, "o1")
    assert [(h.stage, h.at) for h in got.stage_history] == [
        ("qualify", t0),
        ("discover", t0 + timedelta(days=3)),
        ("propose", t0 + timedelta(days=10)),
        ("discover", t0 + timedelta(days=12)),
    ]
    assert got.stage_history[1].note == "workshop"
    with pytest.raises(BundleRejected, match="unknown stage"):
        service.move_stage(s, "o1", "bogus")
    with pytest.raises(RuleViolation, match="already in stage"):
        service.move_stage(s, "o1", "discover")
    with pytest.raises(RuleViolation, match="before the last change"):
        service.move_stage(s, "o1", "propose", at=t0)
    won = service.move_stage(s, "o1", "won", at=t0 + timedelta(days=30))
    assert won.stage == "won" and won.closed_at == t0 + timedelta(days=30)
    assert won.features_at_close is not None and set(won.features_at_close) == set(FEATURE_NAMES)
    for stage in ("lost", "negotiate"):
        with pytest.raises(RuleViolation, match="closed deal does not move"):
            service.move_stage(s, "o1", stage)
    with pytest.raises(RuleViolation):
        service.set_committee(s, "o1", [{"person": "ceo"}])
    with pytest.raises(RuleViolation):
        service.update_opportunity(s, "o1", name="renamed")
    final = service.get_opportunity(s, "o1")
    assert [h.stage for h in final.stage_history] == ["qualify", "discover", "propose", "discover", "won"]
    assert final.amount == won.amount
    with pytest.raises(NotFoundError):
        service.move_stage(s, "nope", "won")
    with pytest.raises(RuleViolation, match="open stage"):
        service.create_opportunity(s, "acc", "closed from the start", stage="won")


def test_the_pipeline_is_configurable(loaded: GraphStore) -> None:
    s = loaded
    service.save_pipeline(s, Pipeline(stages=["lead", "offer"], won="signed", lost="dropped"))
    opp = service.create_opportunity(s, "acc", "Custom", id="c1")
    assert opp.stage == "lead"
    with pytest.raises(BundleRejected):
        service.move_stage(s, "c1", "qualify")
    service.move_stage(s, "c1", "signed")
    with pytest.raises(RuleViolation):
        service.move_stage(s, "c1", "offer")
    with pytest.raises(RuleViolation, match="lacks"):
        service.save_pipeline(s, Pipeline())  # "signed" would be gone


def test_references_are_checked(loaded: GraphStore) -> None:
    s = loaded
    with pytest.raises(BundleRejected) as bad:
        deal(s, "r1", [{"person": "nobody"}, {"person": "x1"}], quotes=["Q-404"])
    fields = {i.field for i in bad.value.issues}
    assert fields == {"committee.0.person", "committee.1.person", "quotes.0"}
    with pytest.raises(BundleRejected):
        service.create_opportunity(s, "acc", "x", owner="ghost")
    with pytest.raises(BundleRejected):
        service.create_opportunity(s, "no-such-account", "x")
    with pytest.raises(BundleRejected):
        deal(s, "r2", [{"person": "ceo"}, {"person": "ceo"}])
    with pytest.raises(BundleRejected):
        service.create_opportunity(s, "acc", "x", amount=1.5)  # type: ignore[arg-type]
    assert service.list_opportunities(s) == []
    deal(s, "r3", [{"person": "ceo"}])
    with pytest.raises(RuleViolation, match="already exists"):
        deal(s, "r3", [])
    with pytest.raises(NotFoundError):
        service.get_opportunity(s, "r4")


# ---- win probability ----------------------------------------------------------------------------
def _fitted(store: GraphStore) -> health.WinModel:
    view = analysis.account_view(store, "acc", cache=None)
    rows = [(x, o.stage == "won") for o, x, _ in generate_history(view, 600, seed=5)]
    model = fit_model(rows)
    assert model.kind == "logistic_regression" and model.trained_on == 600
    assert model.weights["champion_tie"] > 0 and model.weights["opponents"] < 0
    return model


@pytest.mark.parametrize("which", ["scorecard", "fitted"])
def test_win_probability_follows_the_champion_tie_and_an_opponent_decision_maker(
    loaded: GraphStore, which: str
) -> None:
    s = loaded
    model: Any = "scorecard" if which == "scorecard" else _fitted(s)
    committee = [
        {"person": "ceo", "roles": ["decision_maker"]},
        {"person": "buyer", "roles": ["champion"], "stance": "supporter"},  # nobody of ours knows Bea
        {"person": "cfo"},
    ]
    deal(s, "w", committee)
    p0 = probability(s, "w", model)
    h0 = opportunity_health(s, "w", model=model, cache=None)
    assert h0.model == ("scorecard" if which == "scorecard" else "logistic_regression")
    assert 1 <= len(h0.actions) <= 3 and [a.gain for a in h0.actions] == sorted(
        (a.gain for a in h0.actions), reverse=True
    )
    assert all(a.gain > 0 and a.probability > p0 for a in h0.actions)
    # contributions explain the probability exactly
    z = h0.base_log_odds + sum(c.contribution for c in h0.contributions)
    assert 1 / (1 + 2.718281828459045**-z) == pytest.approx(p0)

    s.upsert_tie(Tie.model_validate({"from": "am", "to": "buyer", "type": "knows", "strength": 0.95,
                                     "last_contact": _day(1)}))  # fmt: skip
    p1 = probability(s, "w", model)
    assert p1 > p0
    x1 = {c.name: c.value for c in opportunity_health(s, "w", model=model, cache=None).contributions}
    assert x1["champion_tie"] > 0.9

    # the decision maker turns opponent for this deal: it falls
    service.set_committee(s, "w", [{**committee[0], "stance": "opponent"}, *committee[1:]])
    p2 = probability(s, "w", model)
    assert p2 < p1
    # and at the account level (no per-deal stance): it falls as well
    service.set_committee(s, "w", committee)
    assert probability(s, "w", model) == pytest.approx(p1)
    s.upsert_person(s.get_person("ceo").model_copy(update={"stance": Stance.OPPONENT}))
    assert probability(s, "w", model) < p1


def test_the_service_fits_on_closed_deals_and_falls_back_to_the_scorecard(loaded: GraphStore) -> None:
    s = loaded
    view = analysis.account_view(s, "acc", cache=None)
    history = [o for o, _, _ in generate_history(view, 45, seed=2)]
    deal(s, "open", [{"person": "ceo"}, {"person": "cto", "roles": ["champion"]}])
    s.documents.commit([DocumentWrite.of(o) for o in history[:20]])
    few = opportunity_health(s, "open", cache=None)
    assert few.model == "scorecard" and few.trained_on == 0 and "too few" in few.explanation
    s.documents.commit([DocumentWrite.of(o) for o in history[20:]])
    fitted = opportunity_health(s, "open", cache=None)
    assert fitted.model == "logistic_regression" and fitted.trained_on == 45
    assert len(health.training_rows(s)) == 45
    assert fitted.probability != few.probability
    assert {o.stage for o in service.list_opportunities(s, "acc")} == {"won", "lost", "qualify"}
    assert [o.id for o in service.list_opportunities(s, "acc", open_only=True)] == ["open"]


def test_the_generator_makes_relationship_quality_drive_outcomes(loaded: GraphStore) -> None:
    view = analysis.account_view(loaded, "acc", cache=None)
    deals = generate_history(view, 400, seed=9)
    assert deals == generate_history(view, 400, seed=9)  # deterministic
    won = [x for o, x, _ in deals if o.stage == "won"]
    lost = [x for o, x, _ in deals if o.stage == "lost"]
    assert 40 < len(won) < 360

    def mean(rows: list[dict[str, float]], k: str) -> float:
        return sum(r[k] for r in rows) / len(rows)

    assert mean(won, "coverage") > mean(lost, "coverage")
    assert mean(won, "opponents") < mean(lost, "opponents")
    assert mean(won, "champion_tie") > mean(lost, "champion_tie")


# ---- API ----------------------------------------------------------------------------------------
def test_api_round_trip(loaded: GraphStore) -> None:
    s = loaded
    planner = new_key(s, ApiRole.PLANNER)
    viewer = new_key(s, ApiRole.VIEWER)
    other = new_key(s, ApiRole.PLANNER, accounts=("oth",))
    body = {
        "id": "api-1",
        "account": "acc",
        "name": "Imaging platform",
        "amount": "250000.00",
        "owner": "am",
        "expected_close": "2027-03-31",
        "committee": [
            {"person": "ceo", "roles": ["decision_maker"], "stance": "neutral"},
            {"person": "cto", "roles": ["champion"]},
        ],
    }
    with api(s) as c:
        r = c.post("/v1/opportunities", json=body, headers=planner)
        assert r.status_code == 201, r.text
        assert r.json()["stage"] == "qualify" and r.json()["amount"] == "250000.00"
        assert c.post("/v1/opportunities", json=body, headers=viewer).status_code == 403
        assert c.post("/v1/opportunities", json=body, headers=planner).status_code == 409  # the id is taken
        got = c.get("/v1/opportunities/api-1", headers=viewer)
        assert got.status_code == 200 and got.json()["committee"][1]["roles"] == ["champion"]
        listed = c.get("/v1/opportunities", params={"account": "acc"}, headers=viewer).json()
        assert [o["id"] for o in listed["data"]] == ["api-1"] and listed["count"] == 1
        assert c.post("/v1/opportunities", json={**body, "id": "api-0"}, headers=planner).status_code == 201
        first = c.get("/v1/opportunities", params={"limit": 1}, headers=viewer).json()
        assert [o["id"] for o in first["data"]] == ["api-0"] and first["next_cursor"]
        rest = c.get("/v1/opportunities", params={"limit": 1, "cursor": first["next_cursor"]}, headers=viewer).json()
        assert [o["id"] for o in rest["data"]] == ["api-1"] and rest["next_cursor"] is None
        assert c.get("/v1/opportunities", params={"cursor": "%%%"}, headers=viewer).status_code == 400

        r = c.post("/v1/opportunities/api-1/stage", json={"stage": "discover", "note": "call"}, headers=planner)
        assert r.status_code == 200 and [h["stage"] for h in r.json()["stage_history"]] == ["qualify", "discover"]
        r = c.put(
            "/v1/opportunities/api-1/committee",
            json=[{"person": "ceo", "stance": "opponent"}, {"person": "cfo"}],
            headers=planner,
        )
        assert r.status_code == 200 and r.json()["committee"][0]["stance"] == "opponent"
        r = c.patch("/v1/opportunities/api-1", json={"amount": "300000", "name": "Bigger"}, headers=planner)
        assert r.status_code == 200 and r.json()["amount"] == "300000" and r.json()["name"] == "Bigger"

        h = c.get("/v1/opportunities/api-1/health", headers=viewer)
        assert h.status_code == 200, h.text
        assert 0 < h.json()["probability"] < 1 and h.json()["model"] == "scorecard"
        assert {x["name"] for x in h.json()["contributions"]} == set(FEATURE_NAMES)
        assert c.get("/v1/opportunities/api-1/health", params={"scorecard": "true"}, headers=viewer).status_code == 200
        v = c.get("/v1/opportunities/api-1/view", headers=viewer)
        assert v.status_code == 200 and v.headers["content-type"].startswith("text/html")
        assert "Bigger" in v.text and "Cora" in v.text and "Finn" in v.text
        assert "Xavier" not in v.text and "Olga" not in v.text  # the committee, not the account
        assert "(2 of 2 reached)" in v.text or "(1 of 2 reached)" in v.text or "(0 of 2 reached)" in v.text

        # unknown and hidden: 404, JSON
        for path in ("/v1/opportunities/nope", "/v1/opportunities/nope/health", "/v1/opportunities/nope/view"):
            r = c.get(path, headers=viewer)
            assert r.status_code == 404 and error_of(r)
        for path in ("/v1/opportunities/api-1", "/v1/opportunities/api-1/health", "/v1/opportunities/api-1/view"):
            assert c.get(path, headers=other).status_code == 404
        assert c.post("/v1/opportunities/api-1/stage", json={"stage": "won"}, headers=other).status_code == 404
        assert c.get("/v1/opportunities", headers=other).json()["data"] == []
        assert c.post("/v1/opportunities", json={**body, "id": "api-2"}, headers=other).status_code == 422

        # bad input: 422
        for bad in (
            {**body, "id": "b1", "amount": 1.5},  # a float amount
            {**body, "id": "b2", "stage": "bogus"},
            {**body, "id": "b3", "committee": [{"person": "ghost"}]},
            {**body, "id": "b4", "committee": [{"person": "ceo", "stance": "hostile"}]},
            {**body, "id": "b5", "colour": "red"},
            {**body, "id": "b6", "account": "nowhere"},
        ):
            r = c.post("/v1/opportunities", json=bad, headers=planner)
            assert r.status_code == 422, (bad, r.text)
            assert error_of(r)
        r = c.post("/v1/opportunities/api-1/stage", json={"stage": "bogus"}, headers=planner)
        assert r.status_code == 422
        assert c.post("/v1/opportunities/api-1/stage", json={}, headers=planner).status_code == 422
        # a won deal does not move: 409
        assert c.post("/v1/opportunities/api-1/stage", json={"stage": "won"}, headers=planner).status_code == 200
        r = c.post("/v1/opportunities/api-1/stage", json={"stage": "lost"}, headers=planner)
        assert r.status_code == 409 and "does not move" in error_of(r)["message"]


# ---- CLI ----------------------------------------------------------------------------------------
def test_cli_commands_and_exit_codes(tmp_path: Path) -> None:
    from accountgraph.cli import app
    from accountgraph.graph.sqlite import SqliteStore

    url = f"sqlite:///{tmp_path / 'cli.db'}"
    with SqliteStore(url) as s:
        s.load_bundle(account_bundle())
    runner = CliRunner()

    def run(*args: str) -> Any:
        return runner.invoke(app, ["opp", *args, "--store", url])

    r = run("create", "acc", "Imaging", "--id", "c1", "--amount", "1000.50", "--owner", "am",
            "-m", "ceo:decision_maker", "-m", "buyer:champion:supporter", "-m", "cfo::opponent")  # fmt: skip
    assert r.exit_code == 0, r.output
    r = run("show", "c1", "--json")
    assert r.exit_code == 0 and '"amount": "1000.50"' in r.output
    assert '"stance": "opponent"' in r.output and '"roles": null' in r.output
    assert run("list").exit_code == 0
    assert run("stage", "c1", "discover", "--note", "kick-off").exit_code == 0
    assert run("committee", "c1", "-m", "ceo", "-m", "cto:champion").exit_code == 0
    assert run("update", "c1", "--amount", "2000").exit_code == 0
    r = run("health", "c1", "--json")
    assert r.exit_code == 0 and '"probability"' in r.output
    assert run("health", "c1").exit_code == 0
    out = tmp_path / "c1.html"
    assert run("view", "c1", "--out", str(out)).exit_code == 0 and "Power map" in out.read_text(encoding="utf-8")
    r = run("stage", "c1", "bogus")
    assert r.exit_code == 1 and "unknown stage" in r.output
    assert run("show", "nope").exit_code == 1
    assert run("committee", "c1", "-m", "ghost").exit_code == 1
    assert run("create", "acc", "X", "--amount", "abc").exit_code == 1
    assert run("stage", "c1", "won").exit_code == 0
    assert run("stage", "c1", "lost").exit_code == 1
    r = run("history", "acc", "--deals", "5", "--seed", "3")
    assert r.exit_code == 0 and "wrote 5 closed opportunities" in r.output
    with SqliteStore(url) as s:
        assert len(service.list_opportunities(s, "acc")) == 6


# ---- from the deal's health to a tracked plan ----------------------------------------------------
def test_a_plan_from_an_opportunity_tracks_the_actions_that_raise_its_win_probability(loaded: GraphStore) -> None:
    from accountgraph.plans import progress as plan_progress
    from accountgraph.plans import service as plans

    s = loaded
    committee = [
        {"person": "ceo", "roles": ["decision_maker"], "stance": "neutral"},
        {"person": "cfo", "roles": ["economic_buyer", "blocker"], "stance": "opponent"},
        {"person": "ops", "roles": ["decision_maker"]},
    ]
    deal(s, "d-plan", committee)
    # on the plan's day, as the plan reads it (with the time of day, "400.6 days ago" read "401" after noon UTC
    # against the plan's "400")
    h = opportunity_health(s, "d-plan", reference=today(), cache=None)
    assert h.actions
    plan = plans.create_plan_from_opportunity(s, "d-plan", id="win-d", cache=None)
    assert plan.account == "acc" and plan.owner == "am" and "Deal d-plan" in plan.name
    wanted = [(a.kind, a.person) for a in h.actions if a.person is not None]
    assert [(a.target, a.title) for a in plan.actions] == [(a.person, a.description) for a in h.actions if a.person]
    kinds = {g.person: g.kind.value for g in plan.goals}
    for kind, person in wanted:
        expected = {"recruit_champion": "stance", "win_over": "stance", "add_thread": "multi_thread"}
        assert kinds[person] == expected.get(kind, "relationship")
    assert all(a.goal is not None and a.owner for a in plan.actions)

    # progress follows the graph: the relationship goal of a cold decision maker is met once one of ours
    # meets them, and a won-over opponent meets the win-over goal (even as a supporter)
    person_of = {g.id: g.person for g in plan.goals}
    before = {person_of[g.id]: g.met for g in plan_progress.plan_progress(s, "win-d", cache=None).goals}
    targets = {p for _, p in wanted}
    if "ops" in targets:
        assert before["ops"] is False
        s.upsert_tie(Tie.model_validate({"from": "ex", "to": "ops", "type": "knows", "strength": 0.95,
                                         "last_contact": today().isoformat()}))  # fmt: skip
    if "cfo" in targets and kinds["cfo"] == "stance":
        cfo = s.get_person("cfo").model_copy(update={"stance": Stance.SUPPORTER, "roles": [Role.ECONOMIC_BUYER]})
        s.upsert_person(cfo)
    after = {person_of[g.id]: g.met for g in plan_progress.plan_progress(s, "win-d", cache=None).goals}
    assert any(not before[p] and after[p] for p in targets & {"ops", "cfo"}), (before, after)

    with pytest.raises(NotFoundError):
        plans.create_plan_from_opportunity(s, "no-such-deal", cache=None)


def test_a_plan_from_an_opportunity_over_http(loaded: GraphStore) -> None:
    s = loaded
    deal(s, "d-http", [{"person": "ceo", "roles": ["decision_maker"]}, {"person": "ops", "roles": ["decision_maker"]}])
    planner, viewer = new_key(s, ApiRole.PLANNER), new_key(s, ApiRole.VIEWER)
    elsewhere = new_key(s, ApiRole.PLANNER, accounts=("oth",))
    with api(s) as c:
        body = {"opportunity": "d-http", "id": "p-http", "due_days": 14}
        assert c.post("/v1/plans/from-opportunity", json=body, headers=viewer).status_code == 403
        r = c.post("/v1/plans/from-opportunity", json=body, headers=elsewhere)
        assert r.status_code == 404 and error_of(r)["code"] == "not_found"
        r = c.post("/v1/plans/from-opportunity", json={**body, "opportunity": "nope"}, headers=planner)
        assert r.status_code == 404
        assert c.post("/v1/plans/from-opportunity", json={**body, "due_days": -1}, headers=planner).status_code == 422
        r = c.post("/v1/plans/from-opportunity", json=body, headers=planner)
        assert r.status_code == 201, r.text
        made = r.json()
        assert made["id"] == "p-http" and made["account"] == "acc" and made["actions"]
        targets = {a["target"] for a in made["actions"]}
        assert targets <= {"ceo", "ops"} and targets
        progress = c.get("/v1/plans/p-http/progress", headers=viewer).json()
        assert {g["id"] for g in progress["goals"]} == {g["id"] for g in made["goals"]}


# ---- closed deals (issue 14, item 8) -------------------------------------------------------------
@pytest.mark.parametrize("final", ["won", "lost"])
def test_a_closed_deal_gets_no_plan_from_the_service_the_api_or_the_cli(
    loaded: GraphStore, final: str, tmp_path: Path
) -> None:
    from accountgraph.cli import app
    from accountgraph.plans import service as plans

    s = loaded
    deal(s, "closed", [{"person": "ceo", "roles": ["decision_maker"]}, {"person": "ops", "roles": ["decision_maker"]}])
    service.move_stage(s, "closed", final)
    with pytest.raises(RuleViolation, match=f"'closed' is {final}: a closed deal gets no plan"):
        plans.create_plan_from_opportunity(s, "closed", id="p-closed", cache=None)
    planner = new_key(s, ApiRole.PLANNER)
    with api(s) as c:
        r = c.post("/v1/plans/from-opportunity", json={"opportunity": "closed", "id": "p-closed"}, headers=planner)
        assert r.status_code == 409 and "a closed deal gets no plan" in error_of(r)["message"]
    from accountgraph.plans.service import list_plans

    assert list_plans(s) == []
    if isinstance(s, __import__("accountgraph.graph.sqlite", fromlist=["SqliteStore"]).SqliteStore):
        r = CliRunner().invoke(app, ["plan", "from-opportunity", "closed", "--store", s.url])
        assert r.exit_code == 1 and "a closed deal gets no plan" in r.output and "Traceback" not in r.output
        assert list_plans(s) == []


def test_the_scorecard_by_choice_counts_the_closed_deals_the_store_holds(loaded: GraphStore) -> None:
    s = loaded
    view = analysis.account_view(s, "acc", cache=None)
    s.documents.commit([DocumentWrite.of(o) for o, _, _ in generate_history(view, 40, seed=2)])
    deal(s, "open", [{"person": "ceo"}, {"person": "cto", "roles": ["champion"]}])
    chosen = opportunity_health(s, "open", model="scorecard", cache=None)
    assert chosen.model == "scorecard" and chosen.trained_on == 0
    assert "the fixed scorecard, as asked (40 closed deals with features in the store)" in chosen.explanation
    assert "(0 closed deals" not in chosen.explanation
    fitted = opportunity_health(s, "open", cache=None)
    assert fitted.model == "logistic_regression" and fitted.trained_on == 40


def test_opp_health_scorecard_in_the_cli_counts_the_closed_deals(tmp_path: Path) -> None:
    from accountgraph.cli import app
    from accountgraph.graph.sqlite import SqliteStore

    url = f"sqlite:///{tmp_path / 'cli.db'}"
    with SqliteStore(url) as s:
        s.load_bundle(account_bundle())
        deal(s, "c1", [{"person": "ceo", "roles": ["decision_maker"]}, {"person": "buyer", "roles": ["champion"]}])
    runner = CliRunner()
    assert runner.invoke(app, ["opp", "history", "acc", "--deals", "35", "--seed", "3", "--store", url]).exit_code == 0
    r = runner.invoke(app, ["opp", "health", "c1", "--scorecard", "--json", "--store", url])
    assert r.exit_code == 0, r.output
    assert "35 closed deals with features in the store" in r.output and "(0 closed deals" not in r.output
    # the first risk: nobody of ours knows the champion Bea
    assert '"kind": "unreached_champion"' in r.output
    r = runner.invoke(app, ["opp", "health", "c1", "--store", url])
    assert r.exit_code == 0 and "risks" in r.output and "typical" in r.output


# ---- explanations and risks on a stored deal (issue 14, item 9) -----------------------------------
def test_a_deal_whose_decision_maker_nobody_reaches_shows_it_as_the_first_risk(loaded: GraphStore) -> None:
    s = loaded
    committee = [
        {"person": "cfo", "roles": ["economic_buyer", "blocker"], "stance": "opponent"},
        {"person": "ceo", "roles": ["decision_maker"]},
        {"person": "cto", "roles": ["champion"]},
        {"person": "ops", "roles": ["decision_maker"]},  # only Eli knows Otto: 0.3, 400 days ago
    ]
    deal(s, "r", committee)
    h = opportunity_health(s, "r", model="scorecard", cache=None)
    # Finn (economic buyer, the opponent) and Otto: Alex's tie to Finn and Eli's to Otto have gone stale
    assert [(r.kind, r.person) for r in h.risks[:2]] == [
        ("unreached_decision_maker", "cfo"),
        ("unreached_decision_maker", "ops"),
    ]
    assert h.risks[1].description.startswith("nobody of ours reaches decision maker Otto (our best tie 0.")
    assert "first risk: nobody of ours reaches economic buyer Finn" in h.explanation
    assert "opponent" in [r.kind for r in h.risks[2:]]
    for c in h.contributions:
        assert "typical" in c.statement and c.baseline == health.scorecard().centres[c.name]
    # one of ours reaches Otto: the risk is gone
    s.upsert_tie(Tie.model_validate({"from": "ex", "to": "ops", "type": "knows", "strength": 0.9,
                                     "last_contact": _day(2)}))  # fmt: skip
    after = opportunity_health(s, "r", model="scorecard", cache=None)
    assert all(r.person != "ops" for r in after.risks if r.kind.startswith("unreached"))
    assert after.probability >= h.probability


# ---- the fitted model lives in the caller's cache (issue 13, item 7) --------------------------------
def test_the_fitted_model_is_kept_in_the_callers_cache_until_the_data_version_moves(loaded: GraphStore) -> None:
    s = loaded
    view = analysis.account_view(s, "acc", cache=None)
    history = [o for o, _, _ in generate_history(view, 80, seed=4)]
    s.documents.commit([DocumentWrite.of(o) for o in history[:40]])
    deal(s, "open", [{"person": "ceo"}, {"person": "cto", "roles": ["champion"]}])
    mine, theirs = analysis.AnalysisCache(), analysis.AnalysisCache()
    first = opportunity_health(s, "open", cache=mine)
    assert opportunity_health(s, "open", cache=mine) == first and mine.fits == 1
    assert opportunity_health(s, "open", cache=theirs) == first and theirs.fits == 1  # nothing shared
    assert health.win_model(s, cache=mine) is health.win_model(s, cache=mine)
    s.documents.commit([DocumentWrite.of(o) for o in history[40:]])  # a write: the data version moves
    again = opportunity_health(s, "open", cache=mine)
    assert mine.fits == 2 and again.trained_on == 80 and first.trained_on == 40
    assert len(mine._fitted) == 1  # the older version's model is dropped
    mine.clear()
    assert len(mine._fitted) == 0 and len(mine) == 0
    assert not hasattr(health, "_models")  # no module-level model cache
