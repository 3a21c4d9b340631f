"""Input records processed in offset order from the committed offset, none skipped."""

from stream_processors.order import Order, Rewind, Verdict

TP = ("scans-by-ip", 2)


def test_records_in_order_are_processed_and_redeliveries_dropped() -> None:
    order = Order()
    order.start(TP, 13)
    assert [order.check(TP, o) for o in (13, 14, 15)] == [Verdict.NEXT] * 3
    assert order.check(TP, 14) is Verdict.SEEN  # delivered again after a seek
    assert order.check(TP, 12) is Verdict.SEEN  # below the committed offset
    assert order.expected(TP) == 16


def test_a_record_past_a_skipped_one_is_held_until_the_skipped_one_comes() -> None:
    order = Order()
    order.start(TP, 8)
    assert order.check(TP, 8) is Verdict.NEXT
    assert order.check(TP, 9) is Verdict.NEXT
    assert order.check(TP, 11) is Verdict.AHEAD  # 10 was skipped by the consumer
    assert order.rewind(TP, 11, now=0.0) is Rewind.SEEK
    assert order.check(TP, 12) is Verdict.AHEAD  # still buffered from before the seek
    assert order.rewind(TP, 12, now=1.0) is Rewind.WAIT  # one seek per skipped record
    assert [order.check(TP, o) for o in (10, 11, 12)] == [Verdict.NEXT] * 3


def test_a_record_gone_from_the_topic_is_given_up_after_the_patience() -> None:
    order = Order(patience=60.0)
    order.start(TP, 100)  # committed, but retention deleted it since
    assert order.check(TP, 4000) is Verdict.AHEAD
    assert order.rewind(TP, 4000, now=0.0) is Rewind.SEEK
    assert order.rewind(TP, 250, now=1.0) is Rewind.WAIT  # the earliest record left, after the seek
    assert order.rewind(TP, 251, now=30.0) is Rewind.WAIT
    assert order.rewind(TP, 252, now=61.0) is Rewind.GIVE_UP
    assert order.give_up(TP) == 250  # read again from the earliest record seen, none skipped after it
    assert [order.check(TP, o) for o in (250, 251)] == [Verdict.NEXT] * 2


def test_a_new_ownership_starts_afresh() -> None:
    order = Order()
    order.start(TP, 5)
    assert order.check(TP, 9) is Verdict.AHEAD
    assert order.rewind(TP, 9, now=0.0) is Rewind.SEEK
    order.forget(TP)
    assert not order.owns(TP)
    order.start(TP, 9)
    assert order.check(TP, 9) is Verdict.NEXT
    assert order.check(TP, 11) is Verdict.AHEAD
    assert order.rewind(TP, 11, now=1.0) is Rewind.SEEK  # no stale rewind carried over


def test_a_seek_that_brings_nothing_is_repeated() -> None:
    order = Order(retry=5.0, patience=60.0)
    order.start(TP, 7)
    assert order.check(TP, 8) is Verdict.AHEAD
    assert order.rewind(TP, 8, now=0.0) is Rewind.SEEK
    assert order.overdue(now=3.0) == []
    assert order.overdue(now=6.0) == [(TP, 7)]
    assert order.overdue(now=7.0) == []  # asked again at 6
    assert order.rewind(TP, 9, now=30.0) is Rewind.WAIT  # patience counts from the first seek
    assert order.check(TP, 7) is Verdict.NEXT
    assert order.overdue(now=500.0) == []


def test_the_first_offset_of_an_ownership_stays_while_records_are_admitted() -> None:
    """A session starts where reading began, not at the next offset: records admitted may not
    have reached the state yet when it is created."""
    order = Order()
    order.start(TP, 40)
    assert [order.check(TP, o) for o in (40, 41)] == [Verdict.NEXT] * 2
    assert (order.first(TP), order.expected(TP)) == (40, 42)


def test_each_ownership_is_told_apart() -> None:
    order = Order()
    assert order.ownership(TP) is None
    order.start(TP, 5)
    first = order.ownership(TP)
    order.forget(TP)  # revoked
    assert order.ownership(TP) is None
    order.start(TP, 5)  # assigned again, from the same committed offset
    assert order.ownership(TP) not in (None, first)
