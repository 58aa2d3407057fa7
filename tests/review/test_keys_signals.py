"""A signal caught by another thread of the process still reaches the wait for a key.

The kernel may hand Ctrl-C (SIGINT), SIGCONT or SIGWINCH to any thread that does not block it
(the WAL checkpointer's, numpy's BLAS workers); Python runs the handler in the main thread only,
and a main thread blocked in a plain read() would go on waiting for a key: the Ctrl-C lost until
the next key press (seen as a rare timeout of the pexpect tests that send Ctrl-C or SIGCONT).
Here the signal is sent to a helper thread on purpose (`pthread_kill`), while the main thread
waits in `Keys.key()` on a real pseudo-terminal. And a signal whose handler runs inside a
finalizer (the garbage collector freeing an object during the wait) is not lost either."""

from __future__ import annotations

import os
import pty
import signal
import threading
import time
from contextlib import contextmanager
from pathlib import Path

import pytest

from dlquiz.review.keys import Keys, Resumed

pytestmark = pytest.mark.skipif(not hasattr(signal, "pthread_kill") or not Path("/proc/self/task").is_dir(),
                                reason="thread-directed signals and /proc (Linux)")
RESCUE_AFTER = 5.0  # seconds: then a key is typed, so that a failing test ends


def _waiting(thread_id: int) -> bool:
    """Whether this thread of the process is asleep in a system call (its state in /proc: S)."""
    stat = Path(f"/proc/self/task/{thread_id}/stat").read_text()
    return stat[stat.rindex(")") + 2] == "S"


@contextmanager
def _signalled_from_a_helper_thread(keys: Keys, master: int, signum: int):
    """Inside: a thread (signals not blocked) that, once the main thread waits for a key, sends
    `signum` to itself; if the key wait has not ended RESCUE_AFTER seconds later, it types a key
    (and the outcome yielded says so). The thread is joined on the way out."""
    main = threading.main_thread().native_id
    outcome = {"rescued": False}
    done = threading.Event()

    def run():
        deadline = time.monotonic() + 10
        while not (keys._reading and _waiting(main)) and time.monotonic() < deadline:
            time.sleep(0.001)
        signal.pthread_kill(threading.get_ident(), signum)  # caught here, in this thread
        if not done.wait(RESCUE_AFTER):
            outcome["rescued"] = True
            os.write(master, b"x")

    helper = threading.Thread(target=run, daemon=True)
    helper.start()
    try:
        yield outcome
    finally:
        done.set()
        helper.join()


@pytest.fixture
def terminal():
    master, slave = pty.openpty()
    stream = os.fdopen(slave, "r", encoding="utf-8")
    try:
        yield master, stream
    finally:
        stream.close()
        os.close(master)


def test_ctrl_c_caught_by_another_thread_ends_the_wait_for_a_key_at_once(terminal):
    master, stream = terminal
    keys = Keys(stream)
    with keys.active(), _signalled_from_a_helper_thread(keys, master, signal.SIGINT) as outcome:
        with pytest.raises(KeyboardInterrupt):
            keys.key()
    assert not outcome["rescued"]


def test_a_continue_caught_by_another_thread_makes_the_waiting_screen_redraw(terminal):
    master, stream = terminal
    keys = Keys(stream)
    with keys.active():
        with _signalled_from_a_helper_thread(keys, master, signal.SIGCONT) as outcome:
            with pytest.raises(Resumed):
                keys.key()
        os.write(master, b" ")
        assert keys.key() == "space"  # and the keys go on as before
    assert not outcome["rescued"]
    assert signal.set_wakeup_fd(-1) == -1  # the wake-up pipe given back when the session ended


class _FreedWithASignal:
    """Freed by the garbage collector (a cycle); its finalizer is where the signal arrives."""

    def __init__(self, signum: int):
        self.cycle, self.signum = self, signum

    def __del__(self):
        signal.raise_signal(self.signum)  # the handler runs here, inside the finalizer
        for _ in range(100):  # (a few more instructions of the finalizer)
            pass


@pytest.mark.parametrize(("signum", "raised"), [(signal.SIGCONT, Resumed), (signal.SIGWINCH, Resumed),
                                                (signal.SIGINT, KeyboardInterrupt)], ids=["SIGCONT", "SIGWINCH", "SIGINT"])
def test_a_signal_that_arrives_inside_a_finalizer_still_reaches_the_wait_for_a_key(terminal, signum, raised, monkeypatch):
    """The garbage collector may run a finalizer (a deck cache closing its file) while the main
    thread waits for a key; Resumed or KeyboardInterrupt raised in it would be printed
    ('Exception ignored in ...') and lost: the page not drawn again, the Ctrl-C ignored. The
    wait raises it instead."""
    import gc
    import sys

    master, stream = terminal
    dropped = []
    monkeypatch.setattr(sys, "unraisablehook", dropped.append)
    keys = Keys(stream)
    with keys.active():
        keys._reading = True  # (as in a key read)
        _FreedWithASignal(signum)
        gc.collect()
        keys._reading = False
        assert dropped == []
        with pytest.raises(raised):
            keys._check_resumed()  # as the next wait for a key does
        keys._check_resumed()  # once
