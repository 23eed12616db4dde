"""The load scenario of `make bench` stays runnable: a short mix against the suite's server and worker, with
every action of the mix exercised and no error (the bench reports the real figures at 100 users × 60 s)."""

import pytest

from tests.bench import load

pytestmark = [pytest.mark.integration, pytest.mark.slow]


async def test_a_short_load_mix_runs_every_action_without_errors(stack, admin_token):
    stack.start_worker()

    world = await load.prepare(stack.base, admin_token, enterprises=3, brokers=3)
    mix = await load.scenario(stack.base, world, users=8, seconds=8)

    assert mix["errors"] == 0, mix["error_samples"]
    # each broker works a match of a demand assigned to them: the mix would fail on someone else's match
    assert len(world.brokers) == 3
    done = {action for action, row in mix["actions"].items() if row["count"] > 0}
    assert done == set(load.WEIGHTS), mix["actions"]
