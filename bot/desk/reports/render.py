"""The report as a self-contained HTML page (inline SVG charts, nothing loaded from elsewhere) and as CSV."""
from __future__ import annotations

import csv
import io
from html import escape

from bot import labels
from bot.desk.reports.service import Report


def percent(value: float | None) -> str:
    return "–" if value is None else f"{round(value * 100)} %"


def number(value: float | None, unit: str = "") -> str:
    return "–" if value is None else f"{value:g}{unit}".replace(".", ",")


def rows(report: Report) -> list[tuple[str, str, str]]:
    """Every figure as (metric, key, value): the CSV, and what tests compare with the dashboard."""
    out = [("period", "start", report.start), ("period", "end", report.end), ("period", "since", report.since),
           ("conversations", "total", str(report.conversations)),
           ("containment", "answered_without_a_person", str(report.contained)),
           ("containment", "share", "" if report.containment is None else f"{report.containment:.3f}"),
           ("handoffs", "total", str(report.handoffs)),
           ("wait", "median_minutes", "" if report.median_wait_minutes is None else str(report.median_wait_minutes)),
           ("handling", "median_minutes",
            "" if report.median_handling_minutes is None else str(report.median_handling_minutes)),
           ("satisfaction", "solved_yes", str(report.solved_yes)), ("satisfaction", "solved_no", str(report.solved_no)),
           ("satisfaction", "mean_score", "" if report.mean_score is None else str(report.mean_score)),
           ("satisfaction", "comments", str(report.comments)),
           ("callbacks", "due", str(report.callbacks_due)), ("callbacks", "on_time", str(report.callbacks_on_time)),
           ("callbacks", "late_or_missed", str(report.callbacks_late_or_missed))]
    out += [("conversations_per_day", day, str(n)) for day, n in report.per_day.items()]
    out += [("topic", topic, str(n)) for topic, n in report.topics.items()]
    out += [("topic_previous_period", topic, str(n)) for topic, n in report.previous_topics.items()]
    out += [("handoff_reason", reason, str(n)) for reason, n in report.handoff_reasons.items()]
    out += [("score", score, str(n)) for score, n in report.scores.items()]
    out += [("spike", str(i + 1), text) for i, text in enumerate(report.spikes)]
    out += [("misunderstood", m["text"], str(m["count"])) for m in report.misunderstood]  # already masked
    return out


FORMULA_START = ("=", "+", "-", "@", "\t", "\r")  # what makes a spreadsheet read a cell as a formula


def csv_cell(value: str) -> str:
    """A cell a spreadsheet shows as text: one that could start a formula gets a ' in front (OWASP, CSV
    injection). Customers' words reach the report (misunderstood messages), and so would a HYPERLINK."""
    return "'" + value if value.startswith(FORMULA_START) else value


# The CSV as team leads open it: Dutch headers and names. `keys=True` gives the same rows with the metric
# names and raw keys above (for scripts: /api/reports.csv?keys=true).
HEADER = ("Onderdeel", "Wat", "Waarde")
KEY_HEADER = ("metric", "key", "value")
METRICS = {"period": "Periode", "conversations": "Gesprekken", "containment": "Zonder medewerker afgehandeld",
           "handoffs": "Overgedragen", "wait": "Wachttijd", "handling": "Behandeltijd",
           "satisfaction": "Tevredenheid", "callbacks": "Terugbelafspraken",
           "conversations_per_day": "Gesprekken per dag", "topic": "Onderwerp",
           "topic_previous_period": "Onderwerp, vorige periode", "handoff_reason": "Waarom overgedragen",
           "score": "Tevredenheidsscore", "spike": "Opvallend", "misunderstood": "Vaakst niet begrepen"}
KEYS = {"start": "Begin (UTC)", "end": "Einde (UTC)", "since": "Laatste", "total": "Totaal",
        "answered_without_a_person": "Aantal", "share": "Aandeel (0–1)", "median_minutes": "Mediaan in minuten",
        "solved_yes": "Opgelost: ja", "solved_no": "Opgelost: nee", "mean_score": "Gemiddelde score (1–5)",
        "comments": "Opmerkingen", "due": "Gepland", "on_time": "Op tijd", "late_or_missed": "Te laat of gemist"}


def dutch(report: Report, metric: str, key: str) -> tuple[str, str]:
    """A row's metric and key as a team lead reads them."""
    if metric in ("topic", "topic_previous_period"):
        name = report.topic_labels.get(key) or labels.topic(key)
    elif metric == "handoff_reason":
        name = labels.reason(key)
    elif metric == "conversations_per_day":
        name = report.day_labels.get(key, key)
    elif metric == "score":
        name = f"{key} {'ster' if key == '1' else 'sterren'}"
    else:
        name = KEYS.get(key, key)  # a spike's number, a misunderstood message (masked) as it is
    return METRICS.get(metric, metric), name


def to_csv(report: Report, *, keys: bool = False) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, quoting=csv.QUOTE_ALL)  # every cell quoted, quotes inside doubled
    writer.writerow(KEY_HEADER if keys else HEADER)
    for metric, key, value in rows(report):
        row = (metric, key, value) if keys else (*dutch(report, metric, key), value)
        writer.writerow([csv_cell(cell) for cell in row])
    return buffer.getvalue()


def bars(items: dict[str, int], labels: dict[str, str] | None = None, colour: str = "#2f5d46") -> str:
    """A horizontal bar chart as inline SVG."""
    if not items:
        return '<p class="muted">Nog geen gegevens in deze periode.</p>'
    labels = labels or {}
    top = max(items.values()) or 1
    height = 24 * len(items)
    parts = [f'<svg class="bars" viewBox="0 0 640 {height}" width="100%" role="img">']
    for i, (key, value) in enumerate(items.items()):
        y, width = i * 24, max(2, round(290 * value / top))
        parts.append(f'<text x="0" y="{y + 16}">{escape(labels.get(key, key))}</text>'
                     f'<rect x="300" y="{y + 4}" width="{width}" height="16" fill="{colour}"/>'
                     f'<text x="{306 + width}" y="{y + 16}">{value}</text>')
    parts.append("</svg>")
    return "".join(parts)


def to_html(report: Report) -> str:
    tiles = [
        ("Gesprekken", str(report.conversations)),
        ("Zonder medewerker afgehandeld", percent(report.containment)),
        ("Overgedragen", str(report.handoffs)),
        ("Mediane wachttijd", number(report.median_wait_minutes, " min")),
        ("Mediane behandeltijd", number(report.median_handling_minutes, " min")),
        ("Tevredenheid (1–5)", number(report.mean_score)),
        ("Opgelost volgens klant", f"{report.solved_yes} ja / {report.solved_no} nee"),
        ("Terugbelafspraken op tijd", f"{report.callbacks_on_time} van {report.callbacks_due}"),
    ]
    spikes = "".join(f"<li>{escape(s)}</li>" for s in report.spikes) or "<li>Geen opvallende stijgingen.</li>"
    misunderstood = "".join(f"<tr><td>{escape(m['text'])}</td><td>{m['count']}</td></tr>" for m in report.misunderstood) \
        or '<tr><td colspan="2" class="muted">Niets: de bot begreep alles.</td></tr>'
    return f"""<!doctype html>
<html lang="nl"><head><meta charset="utf-8"><title>Balie · rapport {escape(report.since)}</title>
<style>
body {{ font: 14px/1.45 system-ui, sans-serif; color: #1f2a24; max-width: 980px; margin: 24px auto; padding: 0 16px; }}
h1 {{ color: #2f5d46; }} h2 {{ font-size: 16px; margin-top: 28px; }}
.tiles {{ display: grid; grid-template-columns: repeat(4, 1fr); gap: 10px; }}
.tile {{ background: #f2f5f3; border-radius: 8px; padding: 10px; }} .tile b {{ display: block; font-size: 22px; }}
.bars text {{ font: 13px system-ui, sans-serif; fill: #1f2a24; }} .muted {{ color: #5c6660; }}
table {{ border-collapse: collapse; width: 100%; }} td {{ border-top: 1px solid #e5e9e6; padding: 4px 6px; }}
.spikes li {{ color: #a1261b; font-weight: 600; }}
</style></head><body>
<h1>Wat klanten nodig hebben</h1>
<p class="muted">Periode: {escape(report.start[:16].replace("T", " "))} tot {escape(report.end[:16].replace("T", " "))} (UTC), laatste {escape(report.since)}. Persoonsgegevens zijn afgeschermd.</p>
<div class="tiles">{"".join(f'<div class="tile"><b>{escape(v)}</b>{escape(k)}</div>' for k, v in tiles)}</div>
<h2>Opvallend</h2><ul class="spikes">{spikes}</ul>
<h2>Gesprekken per dag</h2>{bars(report.per_day, report.day_labels)}
<h2>Onderwerpen</h2>{bars(report.topics, report.topic_labels)}
<h2>Waarom overgedragen</h2>{bars(report.handoff_reasons, labels.REASONS, "#e08a1e")}
<h2>Tevredenheidsscores</h2>{bars(report.scores, {str(n): "★" * n for n in range(1, 6)}, "#1f5fbf")}
<h2>Vaakst niet begrepen</h2><table>{misunderstood}</table>
</body></html>
"""
