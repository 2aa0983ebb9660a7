"""A strict check of the xAPI 1.0.3 statements Koers writes and sends.

Ralph's pydantic model (PyPI ralph-malph) checks each statement, as the exact
dict that is sent; the checks here cover where that model is loose: it takes
``12.5`` or ``"00:00:12"`` as a duration, does not keep ``choices`` (its
validator returns nothing), and does not look at every language map.
"""

from __future__ import annotations

import re
import uuid
from datetime import datetime

from langcodes import tag_is_valid
from ralph.models.xapi.base.statements import BaseXapiStatement
from rfc3987 import parse

# xAPI §4.6: ISO 8601 durations; Koers writes hours, minutes under 60 and seconds under 60, to the hundredth.
DURATION = re.compile(r"PT(?=\d)(?:\d+H)?(?:[1-5]?\dM)?(?:[1-5]?\d(?:\.\d{1,2})?S)?\Z")
TIMESTAMP = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z\Z")
VERBS = {f"http://adlnet.gov/expapi/verbs/{v}" for v in ("initialized", "answered", "completed")}


def language_map(value: object, where: str) -> None:
    assert isinstance(value, dict) and value, f"{where}: a language map, not {value!r}"
    for tag, text in value.items():
        assert tag_is_valid(tag), f"{where}: {tag!r} is not an RFC 5646 language tag"
        assert isinstance(text, str) and text.strip(), f"{where}: an empty text"


def iri(value: object, where: str) -> None:
    assert isinstance(value, str), where
    parse(value, rule="IRI")


def check(statement: dict) -> None:
    """Raises AssertionError (or pydantic's ValidationError) for anything that is not a good statement."""
    BaseXapiStatement.model_validate(statement)
    uuid.UUID(statement["id"])
    assert statement["verb"]["id"] in VERBS
    language_map(statement["verb"]["display"], "verb.display")
    actor = statement["actor"]
    assert set(actor) <= {"objectType", "name", "account"} and set(actor["account"]) == {"homePage", "name"}
    iri(actor["account"]["homePage"], "account.homePage")
    assert TIMESTAMP.match(statement["timestamp"]), statement["timestamp"]
    datetime.fromisoformat(statement["timestamp"])
    obj = statement["object"]
    iri(obj["id"], "object.id")
    definition = obj["definition"]
    iri(definition["type"], "definition.type")
    language_map(definition["name"], "definition.name")
    assert "correctResponsesPattern" not in definition  # an empty one would make every answer wrong
    result = statement.get("result", {})
    if "duration" in result:
        assert DURATION.match(result["duration"]), result["duration"]
    for key in [*result.get("extensions", {}), *statement["context"].get("extensions", {})]:
        iri(key, "an extension")
    if definition.get("interactionType") == "choice":
        choices = definition.get("choices")
        assert choices, "a choice interaction without choices"
        ids = [c["id"] for c in choices]
        assert len(ids) == len(set(ids)) and all(ids)
        for c in choices:
            assert set(c) == {"id", "description"}, c
            language_map(c["description"], f"choice {c['id']}")
        assert result["response"] in ids
    context = statement["context"]
    uuid.UUID(context["registration"])
    assert tag_is_valid(context["language"])
    for activities in context.get("contextActivities", {}).values():
        for activity in activities:
            iri(activity["id"], "a context activity")
            if "name" in activity.get("definition", {}):
                language_map(activity["definition"]["name"], "a context activity's name")


def check_all(statements: list[dict]) -> None:
    for statement in statements:
        check(statement)
    ids = [s["id"] for s in statements]
    assert len(ids) == len(set(ids)), "two statements with one id"
