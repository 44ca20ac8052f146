"""A plan's progress as one self-contained HTML page: goals met or not, actions with their flags.

No script and no network: plain HTML and inline CSS under a Content-Security-Policy that forbids every
request, every user-supplied string escaped by Jinja's autoescape. It opens offline in any browser. It draws
the progress it is given (`plans.progress.plan_progress`; typed by its shape, `viz.inputs.PlanProgressLike`).
"""

from __future__ import annotations

from functools import cache

import jinja2
from markupsafe import Markup

from accountgraph.i18n import N_, _
from accountgraph.i18n.phrase import said
from accountgraph.viz._html import FONT_STACK, html_lang
from accountgraph.viz.inputs import PlanProgressLike

__all__ = ["render_progress"]

_TEMPLATE = """<!DOCTYPE html>
<html lang="{{ lang }}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'">
<title>{{ p.name }} · {{ t.progress }}</title>
<style>
  body { margin: 0 auto; max-width: 1100px; padding: 16px; font: 14px/1.45 {{ font_stack }}; color: #1c2833; }
  h1 { font-size: 20px; margin: 0 0 2px; }
  h2 { font-size: 14px; margin: 22px 0 6px; text-transform: uppercase; letter-spacing: .04em; color: #566573; }
  .sub { color: #566573; margin: 0 0 10px; }
  .status { display: inline-block; padding: 2px 10px; border-radius: 10px; font-weight: 600; color: #fff; }
  .done, .on_track, .met { background: #1e8449; }
  .at_risk, .open { background: #b9770e; }
  .off_track, .missed { background: #b03a2e; }
  .bar { height: 10px; background: #eaeded; border-radius: 5px; overflow: hidden; margin: 6px 0 2px; max-width: 420px; }
  .bar > div { height: 100%; background: #1e8449; }
  table { border-collapse: collapse; width: 100%; }
  th, td { text-align: left; padding: 5px 8px; border-bottom: 1px solid #eaeded; vertical-align: top; }
  th { font-weight: 600; color: #566573; }
  td.num { text-align: right; white-space: nowrap; }
  .pill { display: inline-block; padding: 0 8px; border-radius: 8px; color: #fff; font-size: 12px; }
  .flag { color: #b03a2e; }
  .muted { color: #7f8c8d; }
</style>
</head>
<body data-view="plan-progress">
<h1>{{ p.name }}</h1>
<p class="sub">{{ t.sub.format(plan=p.plan, account=p.account, on=p.on.isoformat(), coverage='%.1f' % p.coverage) }}</p>
<p><span class="status {{ p.status }}" id="plan-status">{{ state(p.status) }}</span>
  {{ p.explanation }}</p>
<div class="bar" title="{{ t.goals_met.format(met=p.goals_met, total=p.goals|length) }}">
  <div style="width: {{ percent }}%"></div></div>
<p class="muted">{{ t.goals_met.format(met=p.goals_met, total=p.goals|length) }}</p>

<h2>{{ t.goals }}</h2>
<table id="goals">
<tr><th>{{ t.goal }}</th><th>{{ t.state }}</th><th>{{ t.now }}</th><th>{{ t.target }}</th><th>{{ t.due }}</th>
  <th>{{ t.measured }}</th></tr>
{% for g in p.goals %}
<tr data-goal="{{ g.id }}"><td>{{ g.title }}</td>
  <td><span class="pill {{ g.state }}">{{ state(g.state) }}</span></td>
  <td class="num">{{ fmt(g.current) }}</td><td class="num">{{ fmt(g.target) }}</td>
  <td>{{ g.due.isoformat() if g.due else '' }}</td><td>{{ g.detail }}</td></tr>
{% else %}
<tr><td colspan="6" class="muted">{{ t.no_goals }}</td></tr>
{% endfor %}
</table>

<h2>{{ t.actions }}</h2>
<table id="actions">
<tr><th>{{ t.action }}</th><th>{{ t.owner }}</th><th>{{ t.target }}</th><th>{{ t.status }}</th><th>{{ t.due }}</th>
  <th>{{ t.last_activity }}</th>
  <th>{{ t.best_tie }}</th><th>{{ t.flags }}</th></tr>
{% for a in p.action_progress %}
<tr data-action="{{ a.id }}"><td>{{ a.title }}</td><td>{{ a.owner_name }}</td><td>{{ a.target_name }}</td>
  <td>{{ state(a.status.value) }}</td><td>{{ a.due.isoformat() if a.due else '' }}</td>
  <td>{{ a.last_activity.isoformat() }} ({{ t.days.format(n=a.idle_days) }})</td>
  <td class="num">{{ '%.2f' % a.best_strength }}{{ ' ✓' if a.reached else '' }}</td>
  <td class="flag">{{ a.flags|join('; ') }}</td></tr>
{% else %}
<tr><td colspan="8" class="muted">{{ t.no_actions }}</td></tr>
{% endfor %}
</table>
</body>
</html>
"""


@cache
def _template() -> jinja2.Template:
    env = jinja2.Environment(autoescape=True, undefined=jinja2.StrictUndefined, keep_trailing_newline=True)
    return env.from_string(_TEMPLATE)


def _fmt(value: object) -> str:
    if isinstance(value, float):
        return f"{value:.2f}".rstrip("0").rstrip(".") if value % 1 else f"{value:.0f}"
    return "" if value is None else str(value)


_STATES: dict[str, str] = {
    # a plan's status, a goal's state, an action's status (accountgraph.plans.models)
    "done": N_("done"),
    "on_track": N_("on track"),
    "at_risk": N_("at risk"),
    "off_track": N_("off track"),
    "met": N_("met"),
    "open": N_("open"),
    "missed": N_("missed"),
    "dropped": N_("dropped"),
}


def _state(value: str) -> str:
    """A status or state in the language of the moment (in English its stored words)."""
    return _(_STATES[value]) if value in _STATES else value.replace("_", " ")


def _texts() -> dict[str, str]:
    return {
        "progress": _("progress"),
        "sub": _("plan {plan} · account {account} · read on {on} · coverage {coverage}"),
        "goals_met": _("{met} of {total} goals met"),
        "goals": _("Goals"),
        "goal": _("goal"),
        "state": _("state"),
        "now": _("now"),
        "target": _("target"),
        "due": _("due"),
        "measured": _("measured"),
        "no_goals": _("no goals yet"),
        "actions": _("Actions"),
        "action": _("action"),
        "owner": _("owner"),
        "status": _("status"),
        "last_activity": _("last activity"),
        "best_tie": _("our best tie"),
        "flags": _("flags"),
        "days": _("{n} d"),
        "no_actions": _("no actions yet"),
    }


def render_progress(progress: PlanProgressLike) -> str:
    """The progress of a plan as one self-contained HTML page, in the language of the moment."""
    percent = round(100 * progress.goals_met / len(progress.goals)) if progress.goals else 0
    return _template().render(
        p=said(progress),  # its sentences (goals, details, flags, explanation) in the language of the moment
        percent=percent,
        fmt=_fmt,
        font_stack=Markup(FONT_STACK),
        lang=html_lang(),
        t=_texts(),
        state=_state,
    )
