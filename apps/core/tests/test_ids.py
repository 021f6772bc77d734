import time

from apps.core.ids import uuid7


def test_uuid7_has_version_7_and_rfc_variant():
    value = uuid7()
    assert value.version == 7
    assert value.variant == "specified in RFC 4122"


def test_uuid7_embeds_the_current_unix_time_in_milliseconds():
    before = time.time_ns() // 1_000_000
    value = uuid7()
    after = time.time_ns() // 1_000_000
    assert before <= value.int >> 80 <= after


def test_uuid7_values_created_later_sort_after_earlier_ones():
    first = uuid7()
    time.sleep(0.002)
    second = uuid7()
    assert first < second


def test_uuid7_is_strictly_increasing_within_a_process_even_in_one_millisecond():
    values = [uuid7() for _ in range(10_000)]  # far more than one per millisecond
    assert values == sorted(values)
    assert len(set(values)) == len(values)
