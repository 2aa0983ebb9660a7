"""Translation parity (K212): a translation may differ from its original in
its words only, never in ids, structure, numbers, conditions or version."""

from __future__ import annotations

from collections.abc import Callable, Iterable

from game.core import model as m

Report = Callable[[m.Pos, str, str], None]


def translation(s: m.Scenario, report: Report, original: m.Scenario) -> None:
    """A translation may differ from its original in its words only."""
    o = original
    here = "this translation"
    there = f"the original ({o.language})"
    for what, mine, theirs in (
        ("meters", s.meters, o.meters),
        ("flags", s.flags, o.flags),
        ("scenes", s.scenes, o.scenes),
        ("endings", s.endings, o.endings),
        ("characters", s.characters, o.characters),
        ("concepts", s.concepts, o.concepts),
    ):
        for key in mine.keys() - theirs.keys():
            report(mine[key].at, "K212", f"{what[:-1]} '{key}' is in {here} but not in {there}")
        for key in theirs.keys() - mine.keys():
            report(s.at, "K212", f"{what[:-1]} '{key}' is in {there} but not in {here}")
    if s.version != o.version:
        report(s.at, "K212", f"the version '{s.version}' differs from {there} ('{o.version}'); the group debrief would keep the two apart")
    for sid in s.scenes.keys() & o.scenes.keys():
        a, b = s.scenes[sid], o.scenes[sid]
        if [c.id for c in a.choices] != [c.id for c in b.choices]:
            report(a.at, "K212", f"scene '{sid}' has choices {_ids(a.choices)} here and {_ids(b.choices)} in {there}")
            continue
        for ca, cb in zip(a.choices, b.choices):
            if _choice_shape(ca) != _choice_shape(cb):
                report(ca.at, "K212", f"choice '{ca.id}' in scene '{sid}' differs from {there} in where it leads, its routes, effects, flags, condition, concepts or whether it is recommended")
        if _timer_shape(a.timer) != _timer_shape(b.timer):
            report(a.at, "K212", f"the timer of scene '{sid}' differs from {there}")
        if (_text_shape(a.text), _variants_shape(a.variants)) != (_text_shape(b.text), _variants_shape(b.variants)):
            report(a.at, "K212", f"the variants or conditional paragraphs of scene '{sid}' differ from {there}")
    for eid in s.endings.keys() & o.endings.keys():
        end, other_end = s.endings[eid], o.endings[eid]
        if (end.rating, _text_shape(end.text), _variants_shape(end.variants)) != (other_end.rating, _text_shape(other_end.text), _variants_shape(other_end.variants)):
            report(end.at, "K212", f"ending '{eid}' differs from {there} in its rating, variants or conditional paragraphs")
    for mid in s.meters.keys() & o.meters.keys():
        ours, other = s.meters[mid], o.meters[mid]
        if (ours.min, ours.max, ours.start, ours.shown) != (other.min, other.max, other.start, other.shown):
            report(ours.at, "K212", f"meter '{mid}' has a different range, start or visibility than in {there}")
    if s.start != o.start:
        report(s.start_at, "K212", f"the start scene differs from {there} ('{o.start}')")


def _change_shape(change: m.Change) -> tuple[object, ...]:
    """A route's or timer's change without its words: whether it gives a consequence or coaching note, not what it says."""
    return (change.next, change.effects, change.set, change.clear, change.consequence is None, change.coaching is None)

def _choice_shape(c: m.Choice) -> tuple[object, ...]:
    return (c.next, c.effects, c.set, c.clear, c.when, c.concepts, c.recommended,
            tuple((r.when, _change_shape(r.change)) for r in c.routes))

def _timer_shape(t: m.Timer | None) -> tuple[object, ...] | None:
    return None if t is None else (t.seconds, t.timeout, _change_shape(t.ran_out))

def _text_shape(text: m.Text) -> tuple[object, ...]:
    return tuple((p.when, bool(p.otherwise)) for p in text.paragraphs if p.when is not None)

def _variants_shape(variants: tuple[m.Variant, ...]) -> tuple[object, ...]:
    return tuple((v.when, _text_shape(v.text)) for v in variants)

def _ids(choices: Iterable[m.Choice]) -> str:
    return "[" + ", ".join(c.id for c in choices) + "]"
