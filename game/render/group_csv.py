"""A group debrief for a spreadsheet: one row per decision per playthrough,
or the report's counts when a minimum group size hides small ones. Every cell
is cleaned of control characters and can never run as a formula."""

from __future__ import annotations

import csv
import functools
import io
from collections.abc import Iterator

from game.core.text import clean, flat
from game.debrief.report import Report
from game.render.i18n import tr

CSV_COLUMNS = ("session", "player", "playthrough", "language", "version", "decision", "scene", "choice",
               "choice_text", "seconds", "timed_out", "ending", "rating")
_FORMULA = ("=", "+", "-", "@", "\t", "\r", "\0")


def _cell(value: object) -> str:
    """A spreadsheet cell that can never run as a formula."""
    raw = "" if value is None else str(value)
    text = clean(raw)
    if raw.startswith(_FORMULA) or text.lstrip().startswith(_FORMULA):
        return "'" + text
    return text


COUNT_COLUMNS = ("session", "scenario", "version", "table", "decision", "scene", "item", "text", "count")


def _line(cells: list[str]) -> str:
    """Cells as one line of CSV, each quoted where it needs to be, without the line's end."""
    buf = io.StringIO()
    csv.writer(buf, lineterminator="").writerow(cells)
    return buf.getvalue()


def to_csv(report: Report) -> str:
    """One row per decision per playthrough; with --min-group, the report's
    counts instead, one per row, since rows of single playthroughs would let
    every small group be counted out (docs/group-debrief.md). Column names and
    words in the report's language."""
    lang = report.language
    if any(d.min_group > 1 for d in report.debriefs):
        lines = [_line([tr(lang, f"csv.{c}") for c in COUNT_COLUMNS])]
        lines += (_line([_cell(v) for v in row]) for row in _count_rows(report))
        return "\r\n".join(lines) + "\r\n"
    lines = [_line([tr(lang, f"csv.{c}") for c in CSV_COLUMNS])]
    cell = functools.cache(_cell)  # a room's rows repeat its session, languages and versions
    hidden, yes, no = tr(lang, "csv.hidden"), tr(lang, "csv.yes"), tr(lang, "csv.no")
    for d in report.debriefs:
        scenes = d.scenario.scenes
        private = {
            (dec.scene.id, c.id) for dec in d.decisions for o in dec.options if o.count.count is None for c in o.choices
        }
        hidden_endings = {e.id for e, c in d.endings if c.count is None}
        # A room of 10,000 makes 100,000 rows of the same few choices: the cells of
        # each choice, ending and player are made (cleaned, quoted) once, and a row
        # joins them with its own number and time, which need no quotes (the 2x
        # goal in docs/performance.md).
        @functools.cache
        def step_cells(scene_id: str, choice_id: str, timed_out: bool) -> tuple[str, str]:
            if (scene_id, choice_id) in private:  # and whether time ran out, which would say which
                return _line([_cell(scene_id), hidden, ""]), _line([hidden])
            scene = scenes.get(scene_id)
            choice = scene.choice(choice_id) if scene else None
            text = flat(choice.text) if choice else ""
            return _line([_cell(scene_id), _cell(choice_id), _cell(text)]), _line([yes if timed_out else no])

        @functools.cache
        def ending_cells(ending_id: str | None) -> str:
            if ending_id in hidden_endings:
                return _line([hidden, ""])
            ending = d.scenario.endings.get(ending_id) if ending_id else None
            rating = tr(lang, f"rating.{ending.rating}") if ending and ending.rating else ""
            return _line([_cell(ending_id or ""), _cell(rating)])

        passing = {sid for sid, scene in scenes.items() if not scene.is_decision}  # a scene the file lost counts
        for number, player, p in d.players():
            who = p.player if d.names else tr(lang, "csv.player_n", n=player)
            first = _line([cell(v) for v in (p.session or "", who, number, p.scenario.language, p.scenario.version)])
            last = ending_cells(p.ending)
            decision = 0
            for step in p.steps:
                if step.scene in passing:
                    continue
                decision += 1
                choice_cells, late = step_cells(step.scene, step.choice, step.timed_out)
                lines.append(f"{first},{decision},{choice_cells},{step.ms / 1000:.1f},{late},{last}")
    return "\r\n".join(lines) + "\r\n"


def _count_rows(report: Report) -> Iterator[tuple[object, ...]]:
    """Every count the report shows, "(hidden)" where it hides one."""
    lang = report.language

    def shown(count: int | None) -> object:
        return tr(lang, "csv.hidden") if count is None else count

    def table(name: str) -> str:
        return tr(lang, f"csv.table_{name}")

    for d in report.debriefs:
        head = (report.session or "", d.scenario.id, d.version)
        yield (*head, table("playthroughs"), "", "", "", "", d.playthroughs)
        yield (*head, table("finished"), "", "", "", "", shown(d.finished.count))
        for e, c in d.endings:
            yield (*head, table("ending"), "", "", e.id, flat(e.title), shown(c.count))
        for dec in d.decisions:
            yield (*head, table("reached"), dec.number, dec.scene.id, "", "", shown(dec.reached.count))
            for o in dec.options:
                yield (*head, table("choice"), dec.number, dec.scene.id, " ".join(c.id for c in o.choices),
                       flat(o.choice.text), shown(o.count.count))
            if dec.scene.timer is not None:
                yield (*head, table("timed_out"), dec.number, dec.scene.id, dec.scene.timer.timeout, "",
                       shown(dec.timed_out))
