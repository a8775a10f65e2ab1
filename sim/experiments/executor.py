"""Where a long command's work runs, and how a Ctrl-C stops it: one place for every command
(run, sweep, sensitivity, validate).

Ctrl-C reaches the whole process group. The workers of a pool ignore it, so that the main
process alone stops the work and reports it in one line (each worker would print its own
traceback); the main process then kills the workers rather than wait for their tasks. A
worker is also killed by the kernel when the main process dies outright (`die_with_parent`).
"""

from __future__ import annotations

import concurrent.futures as cf
import contextlib
import signal
import sys
import threading
from collections.abc import Callable, Iterator
from multiprocessing.context import BaseContext
from typing import Any

from sim.experiments.workers import die_with_parent


@contextlib.contextmanager
def interrupt_guard() -> Iterator[Callable[[], None]]:
    """Make a Ctrl-C stop a long command even when it lands in a finalizer.

    Python turns SIGINT into a KeyboardInterrupt wherever the main thread is. Raised inside
    a `__del__` or a weakref callback (which the per-chunk garbage collection runs), it is
    printed as "Exception ignored" and the command goes on. The handler below also sets a
    flag; the function yielded raises KeyboardInterrupt if the flag is set, and is called
    after each finished unit of work (a sweep's chunk, a validation check). The swallowed
    interrupt itself is not printed. Nothing changes when SIGINT is ignored (a shell without
    job control) or outside the main thread.
    """
    flag = threading.Event()

    def check() -> None:
        if flag.is_set():
            raise KeyboardInterrupt

    main = threading.current_thread() is threading.main_thread()
    if not main or signal.getsignal(signal.SIGINT) is not signal.default_int_handler:
        yield check
        return

    def on_sigint(signum: int, frame: Any) -> None:
        flag.set()
        raise KeyboardInterrupt

    previous_hook = sys.unraisablehook

    def unraisable(info: Any) -> None:
        if flag.is_set() and issubclass(info.exc_type, KeyboardInterrupt):
            return  # reported once, as the command stops
        previous_hook(info)

    signal.signal(signal.SIGINT, on_sigint)
    sys.unraisablehook = unraisable
    try:
        yield check
        check()  # swallowed after the last unit: still an interruption, not a clean end
    finally:
        signal.signal(signal.SIGINT, signal.default_int_handler)
        sys.unraisablehook = previous_hook


def ignore_interrupts() -> None:
    """Leave Ctrl-C to the process that started this one (a no-op outside a main thread,
    where no signal handler can be set)."""
    with contextlib.suppress(ValueError):
        signal.signal(signal.SIGINT, signal.SIG_IGN)


def start_worker(prepare: Callable[[], object] | None = None) -> None:
    """What every worker process of a `ProcessPool` does first, then `prepare`."""
    ignore_interrupts()
    die_with_parent()  # first: `prepare` may take a second (imports), and the parent may die
    if prepare is not None:
        prepare()


@contextlib.contextmanager
def _interrupts_held() -> Iterator[None]:
    """Hold back SIGINT (in the main thread) while the block runs; one that arrives in the
    meantime is delivered when the block ends, not lost."""
    main = threading.current_thread() is threading.main_thread()
    if main:
        signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT})
    try:
        yield
    finally:
        if main:
            signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGINT})


class ProcessPool(cf.ProcessPoolExecutor):
    """A process pool whose workers leave Ctrl-C to this process and die with it.

    The workers start on a submit. A Ctrl-C that reached one before its initializer ran
    would kill it and break the pool, so they are forked with SIGINT blocked (their
    initializer then ignores it); in this process it is only held back.
    """

    def __init__(
        self,
        max_workers: int,
        *,
        mp_context: BaseContext | None = None,
        prepare: Callable[[], object] | None = None,
    ) -> None:
        super().__init__(
            max_workers=max_workers,
            mp_context=mp_context,
            initializer=start_worker,
            initargs=(prepare,),
        )

    def submit(self, fn: Callable[..., Any], /, *args: Any, **kwargs: Any) -> cf.Future[Any]:
        with _interrupts_held():
            return super().submit(fn, *args, **kwargs)

    def stop_now(self) -> None:
        """Drop the queued tasks and kill the workers: they ignore Ctrl-C, and would
        otherwise finish the tasks they hold first."""
        processes = list((self._processes or {}).values())
        self.shutdown(wait=False, cancel_futures=True)
        for process in processes:
            process.terminate()


class SerialExecutor(cf.Executor):
    """Runs each task when it is submitted, in this process."""

    def submit(self, fn: Callable[..., Any], /, *args: Any, **kwargs: Any) -> cf.Future[Any]:
        future: cf.Future[Any] = cf.Future()
        try:
            future.set_result(fn(*args, **kwargs))
        except Exception as exc:  # reported by the caller, as a pool's would be
            future.set_exception(exc)
        return future


def stop_now(executor: cf.Executor) -> None:
    """Stop without waiting and drop the queued tasks, whatever the executor."""
    if isinstance(executor, ProcessPool):
        executor.stop_now()
        return
    try:
        executor.shutdown(wait=False, cancel_futures=True)
    except TypeError:  # distributed's ClientExecutor.shutdown has no cancel_futures
        executor.shutdown(wait=False)


def run_all(
    tasks: list[tuple[Callable[..., Any], tuple[Any, ...]]],
    workers: int,
    done: Callable[[int, Any], None],
) -> None:
    """Run `tasks` (function, arguments) on `workers` processes (here if one, or if there is
    one task) and call `done(index, result)` as each finishes, in the order they finish.

    A Ctrl-C stops the workers at once and is raised here.
    """
    if workers <= 1 or len(tasks) <= 1:
        for i, (fn, args) in enumerate(tasks):
            done(i, fn(*args))
        return
    with ProcessPool(workers) as pool:
        try:
            futures = {pool.submit(fn, *args): i for i, (fn, args) in enumerate(tasks)}
            for future in cf.as_completed(futures):
                done(futures[future], future.result())
        except KeyboardInterrupt:
            pool.stop_now()
            raise
