"""The personal debrief as a value, and its Markdown export."""

from conftest import FIXTURES

from game.debrief.personal import PersonalDebrief
from game.render.personal import sparkline, to_markdown
from game.authoring.loader import load
from game.core.run import Run
from game.saves.playthrough import Playthrough, Settings

HOSTILE = FIXTURES / "ui" / "hostile.en.yaml"


def played(*choices, timeout_ms=None):
    scenario = load(HOSTILE)
    run = Run.start(scenario)
    for n, choice in enumerate(choices):
        run = run.choose(choice, ms=1000 * (n + 1))
    if timeout_ms is not None:
        run = run.time_out(timeout_ms)
    return scenario, run


def test_timeline_marks_times_and_timeouts():
    scenario, run = played("ask", timeout_ms=5000)
    d = PersonalDebrief.build(scenario, run)
    assert [(x.scene, x.ms, x.timed_out) for x in d.decisions] == [("one", 1000, False), ("two", 5000, True)]
    assert d.ending_title == "Bad" and d.rating == "weak"


def test_alternatives_say_where_they_lead_and_what_they_change():
    scenario, run = played("tell", "act")
    first, second = PersonalDebrief.build(scenario, run).decisions
    assert first.chosen == "Tell ]52;c;aGk=."
    (other,) = first.alternatives
    assert other.text == "[@click=app.quit]Ask[/]"
    assert other.leads_to == ""  # it leads where 'tell' did
    assert other.effects == (("Trust [b]", 1),)
    assert first.coaching == "Telling is quick."
    (wait,) = second.alternatives
    assert (wait.leads_to, wait.ending, wait.effects) == ("Bad", True, (("Trust [b]", -2),))


def test_concepts_met_are_those_of_the_choices_taken():
    scenario, run = played("ask", "act")
    assert [c.name for c in PersonalDebrief.build(scenario, run).concepts] == ["Listening [/i]"]
    scenario, run = played("tell", "act")
    assert PersonalDebrief.build(scenario, run).concepts == ()
    scenario, run = played("ask", "act")
    (concept,) = PersonalDebrief.build(scenario, run).concepts
    assert (concept.how, concept.source) == ('"Tell me more."', "Zed [/bold] (2020). A source.")


def test_meters_over_time_and_sparkline():
    scenario, run = played("ask", "act")
    (trust,) = PersonalDebrief.build(scenario, run).meters
    assert trust.values == (5, 6, 8)
    assert sparkline(trust) == "▄▅▆"


def test_reflections_come_from_the_playthrough():
    scenario, run = played("ask", "act")
    p = Playthrough.new(scenario, "Zed", settings=Settings(timers="slow")).record(run).with_reflection(0, "Yesterday", True)
    d = PersonalDebrief.build(scenario, run, p)
    assert [(q.answer, q.shared) for q in d.reflections] == [("Yesterday", True)]
    assert d.transfer == "What will you do tomorrow?" and d.timers == "slow"


def test_markdown_export_has_every_part_and_no_control_bytes():
    scenario, run = played("tell", timeout_ms=5000)
    p = Playthrough.new(scenario, "Zed\x1b[31m").record(run).with_reflection(0, "Private \x07thought")
    text = to_markdown(PersonalDebrief.build(scenario, run, p), "en")
    for part in ("## Ending: Bad", "Rating: weak", "### Decision 2 (5.0 s, time ran out)", "**Other options:**",
                 "**The time ran out; the story chose:** Wait.", "**What that choice does:** Waiting cost you.",
                 "## Meters over time", "Your answer (Private): Private thought",
                 "## Back at work", "Player: Zed\\[31m"):
        assert part in text, part
    assert "You chose:** Wait" not in text  # a timeout is not the player's choice
    assert "\x1b" not in text and "\x07" not in text
    dutch = to_markdown(PersonalDebrief.build(scenario, run, p), "nl")
    assert "### Beslissing 1" in dutch and "### Beslissing 2 (5,0 s, tijd verstreken)" in dutch  # a decimal comma


def test_alternatives_name_only_places_the_chosen_option_did_not_lead(routed_base):
    scenario = load(routed_base)
    debrief = PersonalDebrief.build(scenario, Run.start(scenario).choose("ask").choose("go"))
    first, second = debrief.decisions
    # 'tell' leads to scene two, as 'ask' did: no destination to name.
    assert [a.leads_to for a in first.alternatives] == [""]
    # 'stop' would have routed to 'good' after asking, not to its plain 'bad'.
    assert [a.leads_to for a in second.alternatives] == ["Good"]
    assert "→" not in to_markdown(debrief, "en").split("Decision 2")[0].split("Decision 1")[1]


def test_a_choice_written_twice_with_the_same_words_is_not_its_own_alternative(tmp_path, base_text):
    # 'go_asked' has the words of 'go' and is offered instead of it once the player asked.
    twin = base_text.replace(
        "      - id: go\n        text: Go on.\n        next: good\n",
        "      - id: go\n        text: Go on.\n        next: good\n        when: {not_flag: asked}\n"
        "      - id: go_asked\n        text: Go on.\n        next: good\n        when: {flag: asked}\n",
    )
    assert twin != base_text
    path = tmp_path / "twin.en.yaml"
    path.write_text(twin, encoding="utf-8")
    scenario = load(path)
    run = Run.start(scenario).choose("ask").choose("go_asked")
    last = PersonalDebrief.build(scenario, run).decisions[-1]
    assert last.chosen == "Go on."
    assert [a.text for a in last.alternatives] == ["Stop."]  # not 'Go on.' again
