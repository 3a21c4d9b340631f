import pytest

from api.errors import TooManyRequests
from api.limits import Limiter, Limits, Policy, Quota, Refusal, policy_header, quota_header

USER = Policy("user", rate=2.0, burst=4, concurrency=2)
ORG = Policy("org", rate=10.0, burst=20, concurrency=3)


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def admitted(limiter: Limiter, key: str, n: int) -> list[Quota | Refusal]:
    out = []
    for _ in range(n):
        result = limiter.admit(key)
        out.append(result)
        if isinstance(result, Quota):
            limiter.release(key)
    return out


def test_a_burst_then_refusal_with_the_time_to_the_next_token() -> None:
    clock = Clock()
    limiter = Limiter(USER, clock=clock)
    results = admitted(limiter, "alice", 5)
    assert [r.remaining for r in results[:4] if isinstance(r, Quota)] == [3, 2, 1, 0]
    refusal = results[4]
    assert isinstance(refusal, Refusal) and refusal.reason == "rate" and refusal.retry_after == 1
    clock.now += 0.5  # one token at 2 a second
    assert isinstance(limiter.admit("alice"), Quota)


@pytest.mark.parametrize(
    ("rate", "elapsed", "retry_after"),
    [
        (2.0, 0.0, 1),  # half a second to the next token, rounded up
        (0.1, 0.0, 10),  # one token every 10 s
        (0.1, 4.0, 6),  # 4 s of the 10 already passed
        (0.1, 9.5, 1),
    ],
)
def test_retry_after_counts_whole_seconds_to_the_next_token(
    rate: float, elapsed: float, retry_after: int
) -> None:
    clock = Clock()
    limiter = Limiter(Policy("user", rate, 1, 5), clock=clock)
    assert isinstance(limiter.admit("k"), Quota)
    clock.now += elapsed
    refusal = limiter.admit("k")
    assert isinstance(refusal, Refusal) and refusal.retry_after == retry_after


def test_keys_are_independent() -> None:
    limiter = Limiter(USER, clock=Clock())
    assert all(isinstance(r, Quota) for r in admitted(limiter, "alice", 4))
    assert isinstance(limiter.admit("alice"), Refusal)
    assert isinstance(limiter.admit("bob"), Quota)


def test_concurrency_is_held_until_release_and_costs_no_token() -> None:
    clock = Clock()
    limiter = Limiter(Policy("user", 1.0, 10, 2), clock=clock)
    first, second = limiter.admit("a"), limiter.admit("a")
    assert isinstance(first, Quota) and isinstance(second, Quota)
    refused = limiter.admit("a")
    assert isinstance(refused, Refusal) and refused.reason == "concurrency" and refused.retry_after == 1
    limiter.release("a")
    third = limiter.admit("a")
    assert isinstance(third, Quota) and third.remaining == 7  # the refusal took no token
    assert limiter.active("a") == 2


def test_the_bucket_refills_to_its_burst_and_no_further() -> None:
    clock = Clock()
    limiter = Limiter(USER, clock=clock)
    admitted(limiter, "a", 4)
    clock.now += 3600
    results = admitted(limiter, "a", 5)
    assert [isinstance(r, Quota) for r in results] == [True] * 4 + [False]


def test_reset_is_the_time_to_a_full_bucket() -> None:
    clock = Clock()
    limiter = Limiter(USER, clock=clock)
    quotas = [q for q in admitted(limiter, "a", 4) if isinstance(q, Quota)]
    assert [q.reset for q in quotas] == [1, 1, 2, 2]  # 1, 2, 3, 4 tokens missing at 2 a second


def test_idle_keys_are_forgotten_beyond_the_bound() -> None:
    clock = Clock()
    limiter = Limiter(USER, clock=clock, max_keys=3)
    for key in "abc":
        admitted(limiter, key, 1)
    busy = limiter.admit("c")  # held: never forgotten
    assert isinstance(busy, Quota)
    clock.now += 60
    admitted(limiter, "d", 1)
    assert len(limiter) == 2  # a and b were full and idle; c is in flight; d is new


def test_headers() -> None:
    assert policy_header([USER, ORG]) == '"user";q=4;w=2, "org";q=20;w=2'
    assert quota_header([Quota(USER, 3, 1), Quota(ORG, 19, 1)]) == '"user";r=3;t=1, "org";r=19;t=1'


def test_limits_raise_429_with_the_draft_headers_and_count_refusals() -> None:
    limits = Limits(USER, ORG, clock=Clock())
    with (
        limits.user("alice"),
        limits.user("alice"),
        pytest.raises(TooManyRequests) as e,
        limits.user("alice"),
    ):
        pass
    error = e.value
    assert error.status == 429 and "already has 2 requests in progress" in str(error)
    assert error.headers() == {
        "Retry-After": "1",
        "RateLimit": '"user";r=0;t=1',
        "RateLimit-Policy": '"user";q=4;w=2, "org";q=20;w=2',
    }
    assert limits.users.active("alice") == 0  # released on the way out, refused or not
    for _ in range(2):  # the last two of the four tokens
        with limits.user("alice"):
            pass
    with pytest.raises(TooManyRequests, match="over its limit of 2 requests a second"), limits.user("alice"):
        pass
    assert limits.refused == {("user", "concurrency"): 1, ("user", "rate"): 1}


@pytest.mark.parametrize(
    ("cost", "remaining", "retry_after"),
    [
        (1, [3, 2, 1, 0], 1),
        (2, [2, 0], 1),  # two tokens short at 2 a second
        (3, [1], 1),  # 1 left, 2 short
        (8, [0], 2),  # worth more than the burst: costs the whole bucket, 4 short
    ],
)
def test_a_request_may_cost_more_than_one(cost: int, remaining: list[int], retry_after: int) -> None:
    out = []
    limiter = Limiter(Policy("user", 2.0, 4, 10), clock=Clock())
    for _ in range(len(remaining) + 1):
        out.append(limiter.admit("a", cost))
    assert [q.remaining for q in out[:-1] if isinstance(q, Quota)] == remaining
    assert isinstance(out[-1], Refusal) and out[-1].retry_after == retry_after
