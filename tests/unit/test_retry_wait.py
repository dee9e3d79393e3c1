from connectors.retry import retry_wait


def test_the_servers_retry_after_is_honoured_up_to_the_cap() -> None:
    assert retry_wait({"Retry-After": "3"}, 0, cap=30) == 3.0
    assert retry_wait({"Retry-After": "3600"}, 0, cap=30) == 30.0
    assert retry_wait({"Retry-After": "-5"}, 0, cap=30) == 0.0


def test_without_a_usable_retry_after_the_wait_doubles() -> None:
    waits = [retry_wait({}, attempt, cap=30) for attempt in range(4)]
    assert waits == [0.5, 1.0, 2.0, 4.0]
    assert retry_wait({"Retry-After": "Wed, 21 Oct 2026 07:28:00 GMT"}, 1, cap=30) == 1.0
    assert retry_wait(None, 10, cap=5.0) == 5.0
