"""soko.shared.dynamo's pieces for data access: read_all_pages, the conditional-write helpers and the
TableDal base (transaction items, outbox), against a throwaway moto table."""

from __future__ import annotations

from typing import Any, ClassVar

import pytest
from botocore.exceptions import ClientError
from test_shared_dynamo import make_table

from soko.shared import dynamo
from soko.shared.events import EventDetail


class Noted(EventDetail):
    SOURCE: ClassVar[str] = "soko.tests"
    DETAIL_TYPE: ClassVar[str] = "Noted"

    note: str


class NotesDal(dynamo.TableDal):
    """A domain's data access, written the way every domain's is."""

    def add(self, note_id: str, text: str, events: list[EventDetail]) -> bool:
        item = {"pk": f"NOTE#{note_id}", "sk": "NOTE", "text": text, "version": 1}
        return not dynamo.transact([self._put_new(item), *self._outbox(events)])

    def edit(self, note_id: str, version: int, text: str) -> bool:
        return self._update_if(
            {"pk": f"NOTE#{note_id}", "sk": "NOTE"},
            "SET #t = :t, version = version + :one",
            condition="version = :v",
            names={"#t": "text"},
            values={":t": text, ":v": version, ":one": 1},
        )

    def claim(self, note_id: str) -> bool:
        return self._put_if({"pk": f"CLAIM#{note_id}", "sk": "CLAIM"}, "attribute_not_exists(pk)")

    def get(self, note_id: str) -> dict[str, Any] | None:
        return self._get(f"NOTE#{note_id}", "NOTE")

    def read(self, note_id: str, limit: int) -> int | None:
        return self._count_if(
            {"pk": f"NOTE#{note_id}", "sk": "NOTE"},
            "reads",  # a reserved word: the condition names it #counter
            condition="attribute_exists(pk) AND (attribute_not_exists(#counter) OR #counter < :limit)",
            limit=limit,
        )


@pytest.fixture
def notes(aws: None) -> NotesDal:
    make_table("shared-test-notes")
    return NotesDal("shared-test-notes")


def test_a_new_item_is_written_once_with_its_outbox_event(notes: NotesDal) -> None:
    assert notes.add("n1", "hello", [Noted(note="hello")])
    assert not notes.add("n1", "again", [Noted(note="again")])  # the whole transaction is refused
    assert notes.get("n1") == {"pk": "NOTE#n1", "sk": "NOTE", "text": "hello", "version": 1}
    outbox = [i for i in notes._table.scan()["Items"] if str(i["pk"]).startswith("OUTBOX#")]
    assert [(i["source"], i["detail_type"]) for i in outbox] == [("soko.tests", "Noted")]


def test_conditional_writes_say_whether_their_condition_held(notes: NotesDal) -> None:
    notes.add("n1", "hello", [])
    assert notes.edit("n1", 1, "changed")
    assert not notes.edit("n1", 1, "stale")  # the version moved on
    assert notes.get("n1") == {"pk": "NOTE#n1", "sk": "NOTE", "text": "changed", "version": 2}
    assert notes.claim("n1") and not notes.claim("n1")
    assert notes.get("missing") is None


def test_a_conditional_counter_answers_its_new_value_until_its_condition_fails(notes: NotesDal) -> None:
    assert notes.read("missing", 2) is None  # no item: the condition does not hold
    notes.add("n1", "hello", [])
    assert [notes.read("n1", 2) for _ in range(3)] == [1, 2, None]
    assert (notes.get("n1") or {})["reads"] == 2


def test_read_all_pages_reads_past_every_page(aws: None) -> None:
    table = make_table("shared-test-pages")
    with table.batch_writer() as batch:
        for i in range(25):
            batch.put_item(Item={"pk": "P", "sk": f"{i:03d}", "n": i})
    items = list(
        dynamo.read_all_pages(
            table, KeyConditionExpression="pk = :p", ExpressionAttributeValues={":p": "P"}, Limit=4
        )
    )
    assert [i["n"] for i in items] == list(range(25)) and type(items[0]["n"]) is int


def _error(code: str) -> ClientError:
    return ClientError({"Error": {"Code": code, "Message": "m"}}, "PutItem")


def test_only_a_failed_condition_is_an_answer() -> None:
    def fails(code: str) -> None:
        raise _error(code)

    assert dynamo.applied(lambda: None)
    assert not dynamo.applied(lambda: fails(dynamo.CONDITION_FAILED))
    assert dynamo.unless_condition_failed(lambda: {"Attributes": 1}) == {"Attributes": 1}
    assert dynamo.unless_condition_failed(lambda: fails(dynamo.CONDITION_FAILED)) is None
    with pytest.raises(ClientError):
        dynamo.applied(lambda: fails("ValidationException"))
