"""The one executor of every long command, and the one atomic writer of results folders."""

from __future__ import annotations

import os
import signal
import time

import pytest

from sim.experiments import storage
from sim.experiments.executor import ProcessPool, SerialExecutor, run_all, stop_now


def _square(x: int) -> int:
    return x * x


def _sigint_disposition() -> int:
    return int(signal.getsignal(signal.SIGINT))


def _sleep(seconds: float) -> int:
    time.sleep(seconds)
    return os.getpid()


def _fail() -> None:
    raise ValueError("boom")


@pytest.mark.parametrize("workers", [1, 2])
def test_run_all_gives_every_result_whatever_the_workers(workers):
    got: dict[int, int] = {}
    run_all([(_square, (i,)) for i in range(6)], workers, got.__setitem__)
    assert got == {i: i * i for i in range(6)}


def test_pool_workers_leave_ctrl_c_to_the_main_process(ctrl_c):
    with ProcessPool(1) as pool:
        assert pool.submit(_sigint_disposition).result() == int(signal.SIG_IGN)
    # Only the workers: this process still turns Ctrl-C into KeyboardInterrupt.
    assert signal.getsignal(signal.SIGINT) is signal.default_int_handler


def test_stop_now_kills_the_workers_without_waiting_for_their_tasks():
    pool = ProcessPool(1)
    pool.submit(_sleep, 0.0).result()  # the worker is up
    processes = list(pool._processes.values())
    pool.submit(_sleep, 60.0)
    start = time.monotonic()
    stop_now(pool)
    # The pool's own thread may reap a worker while this one asks about it (then
    # `is_alive` can answer True for an instant), so wait for the exit code itself.
    for process in processes:
        while process.exitcode is None and time.monotonic() - start < 10:
            time.sleep(0.01)
        assert process.exitcode is not None
    assert time.monotonic() - start < 10


def test_the_serial_executor_reports_a_failure_through_its_future():
    future = SerialExecutor().submit(_fail)
    with pytest.raises(ValueError, match="boom"):
        future.result()


@pytest.mark.parametrize("durable", [False, True])
def test_write_atomic_leaves_only_the_file(tmp_path, durable):
    target = tmp_path / "table.csv"
    storage.write_atomic(target, lambda tmp: tmp.write_text("a,b\n"), durable=durable)
    assert target.read_text() == "a,b\n"
    assert [p.name for p in tmp_path.iterdir()] == ["table.csv"]


def test_a_write_cut_short_leaves_the_old_file_and_a_temporary_one(tmp_path):
    target = tmp_path / "manifest.json"
    target.write_text("{}")

    def dies_half_way(tmp):
        tmp.write_text('{"kind": "sw')
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        storage.write_atomic(target, dies_half_way)
    assert target.read_text() == "{}"
    assert storage.temporary_path(target).name.startswith(storage.TEMPORARY_PREFIX)
    assert storage.temporary_path(target).is_file()
