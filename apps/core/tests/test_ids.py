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


def test_uuid7_is_a_standard_library_uuid():
    import uuid

    assert type(uuid7()) is uuid.UUID


def test_uuid7_stays_increasing_and_unique_across_threads():
    import threading

    made: dict[int, list] = {}

    def make(index):
        made[index] = [uuid7() for _ in range(20_000)]

    threads = [threading.Thread(target=make, args=(i,)) for i in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    everything = [value for values in made.values() for value in values]
    assert len(set(everything)) == len(everything)
    for values in made.values():
        assert values == sorted(values)


def test_a_burst_of_ids_does_not_run_ahead_of_the_clock():
    values = [uuid7() for _ in range(100_000)]
    now_ms = time.time_ns() // 1_000_000
    assert values[-1].int >> 80 <= now_ms
