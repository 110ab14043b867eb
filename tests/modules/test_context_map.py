"""RunContext.map without a fan-out hook (the tasks run here, one after another), and a ModuleError
that crosses a process boundary intact."""

from __future__ import annotations

import pickle

import pytest

import modules
from modules.errors import ModuleError


def power(exponent: int, item: int, ctx: modules.RunContext) -> int:
    ctx.progress(0.5)
    return item**exponent


def test_results_come_in_item_order_with_progress_per_item() -> None:
    seen: list[float] = []
    ctx = modules.RunContext(on_progress=seen.append)
    assert list(ctx.map(power, 3, [4, 1, 2, 5])) == [64, 1, 8, 125]
    # each item's own half-way report, then the item done
    assert seen == [0.125, 0.25, 0.375, 0.5, 0.625, 0.75, 0.875, 1.0]


def test_no_items_gives_no_results() -> None:
    assert list(modules.RunContext().map(power, 2, [])) == []


def test_a_stop_request_stops_before_the_next_item() -> None:
    done: list[int] = []

    def record(shared: None, item: int, ctx: modules.RunContext) -> int:
        done.append(item)
        return item

    ctx = modules.RunContext(stop_requested=lambda: len(done) >= 2)
    with pytest.raises(modules.Cancelled):
        list(ctx.map(record, None, [1, 2, 3, 4]))
    assert done == [1, 2]


def test_an_items_error_is_raised_when_its_turn_comes() -> None:
    def fail_on_three(shared: None, item: int, ctx: modules.RunContext) -> int:
        if item == 3:
            raise ModuleError("0021", "three")
        return item

    results = modules.RunContext().map(fail_on_three, None, [1, 2, 3, 4])
    assert next(results) == 1 and next(results) == 2
    with pytest.raises(ModuleError) as raised:
        next(results)
    assert raised.value.code == "0021"


def test_the_tasks_see_the_callers_stop_request() -> None:
    def stopped(shared: None, item: int, ctx: modules.RunContext) -> bool:
        return ctx.should_stop()

    assert list(modules.RunContext(stop_requested=lambda: False).map(stopped, None, [1])) == [False]
    flag = {"stop": False}

    def stop_after_first(shared: None, item: int, ctx: modules.RunContext) -> bool:
        flag["stop"] = True
        return ctx.should_stop()

    # the request made during the first item reaches the item's own context
    assert (
        next(modules.RunContext(stop_requested=lambda: flag["stop"]).map(stop_after_first, None, [1])) is True
    )


def test_a_module_error_pickles_with_its_code_message_and_parameter() -> None:
    error = ModuleError("0021", "Only 3 rows.", param="n_clusters", node_id="sweep")
    copy = pickle.loads(pickle.dumps(error))
    assert (copy.code, copy.message, copy.param, copy.node_id) == (
        "0021",
        "Only 3 rows.",
        "n_clusters",
        "sweep",
    )
    assert str(copy) == "[0021] Only 3 rows."


def test_costs_leave_the_results_in_item_order_and_must_match_the_items() -> None:
    ctx = modules.RunContext()
    assert list(ctx.map(power, 2, [3, 1, 2], costs=[1.0, 5.0, 2.0])) == [9, 1, 4]
    with pytest.raises(ValueError, match="2 costs for 3 items"):
        list(ctx.map(power, 2, [3, 1, 2], costs=[1.0, 5.0]))
