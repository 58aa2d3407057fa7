"""Key input for the review screen: single key presses on a terminal (cbreak mode, set once for
the whole session so keys typed early are never lost), one line per key otherwise, so scripts and
tests can pipe a session; and a line of text for typed answers, edited with readline on a
terminal (arrows, Home/End, the session's earlier lines on Up: `line_editing`).

Job control: on Ctrl-Z the terminal is given back as it was before the session, and when the
process continues (SIGCONT, after `fg`) cbreak mode is set again and the next (or the waiting)
read raises `Resumed`, so the screen redraws itself; the same when the terminal is resized
(SIGWINCH) while a key is awaited (a typed answer being written keeps its text: the page is drawn
again at the next key). `paused()` hands the terminal to another
program (the editor) for a while.

A signal whose handler runs inside a finalizer (the garbage collector freeing an object in the
middle of anything) does not raise there, where Python would print and drop the exception: the
next check for a key raises it (Resumed, or KeyboardInterrupt for Ctrl-C).

A key is awaited in `select` on the terminal and on the signal wake-up pipe
(`signal.set_wakeup_fd`): a signal (Ctrl-C, SIGCONT, SIGWINCH) that the kernel hands to another
thread of the process (one a C library started, such as numpy's BLAS workers; dlquiz's own start
with signals blocked, review/wal.start_deaf) runs its Python handler in the main thread only,
which a plain blocking read would keep waiting: the pipe wakes it, so Ctrl-C always ends the
session at once.
"""

from __future__ import annotations

import os
import select
import signal
import sys
import threading
import time
from contextlib import contextmanager
from typing import TextIO

from dlquiz.errors import unraisable


class Resumed(Exception):
    """The process was stopped (Ctrl-Z) and continued: whatever was on screen may be gone."""


_JOB_SIGNALS = ("SIGTSTP", "SIGCONT")  # (not on Windows)


class Keys:
    """Key input: single key presses on a terminal, one line per key otherwise."""

    _saved = None  # the terminal's settings before the session (while active)
    _cbreak = False  # single-key mode is on (not while a line is read)
    _reading = False  # blocked in a read: a SIGCONT raises Resumed there and then
    _resumed = False  # continued while not reading: the next read raises Resumed
    _resized = False  # the terminal changed size: the next key read raises Resumed (a line's text is kept)
    _interrupted = False  # Ctrl-C inside a finalizer: the next key read raises KeyboardInterrupt

    def __init__(self, stream: TextIO | None = None):
        self.stream = stream or sys.stdin
        self.tty = self.stream.isatty()
        self._pushback = ""

    @contextmanager
    def active(self):
        """Single-key mode for the whole session (set once, so keys typed early are never lost),
        and job control handled (see the module's docstring)."""
        if not self.tty:
            yield
            return
        import termios

        fd = self.stream.fileno()
        self._saved = termios.tcgetattr(fd)
        previous = self._handle_job_signals()
        try:
            with self._woken_by_signals():
                self._set_cbreak(True)
                yield
        finally:
            self._restore_signals(previous)
            termios.tcsetattr(fd, termios.TCSANOW, self._saved)
            self._saved = None
            self._cbreak = False

    _wake: int | None = None  # the read end of the signal wake-up pipe (while active)

    @contextmanager
    def _woken_by_signals(self):
        """Inside: every signal writes a byte to a pipe (`_wake`, its read end), whichever thread
        the kernel gave it to. Off the main thread, nothing (no signal handler runs there)."""
        if not threading_main():
            yield
            return
        read_end, write_end = os.pipe()
        for end in (read_end, write_end):
            os.set_blocking(end, False)
        replaced = signal.set_wakeup_fd(write_end, warn_on_full_buffer=False)
        self._wake = read_end
        try:
            yield
        finally:
            signal.set_wakeup_fd(replaced)
            self._wake = None
            os.close(read_end)
            os.close(write_end)

    def _next_byte(self, fd: int) -> bytes:
        """One byte from the terminal; while none comes, a signal's handler runs as soon as the
        signal is caught (in whichever thread), so Ctrl-C interrupts and SIGCONT raises Resumed."""
        wake = self._wake
        if wake is None:
            return os.read(fd, 1)
        while True:
            ready = select.select([fd, wake], [], [])[0]
            if wake in ready:
                try:
                    os.read(wake, 512)
                except BlockingIOError:
                    pass
                # The handlers of the signals caught run here and now, not at the interpreter's
                # next check: signal 0 sends nothing, and pthread_kill then checks for caught
                # signals (PyErr_CheckSignals) before this thread waits again.
                signal.pthread_kill(threading.get_ident(), 0)
                self._check_resumed()
            if fd in ready:
                return os.read(fd, 1)

    def _set_cbreak(self, on: bool) -> None:
        import termios
        import tty

        fd = self.stream.fileno()
        if on:
            tty.setcbreak(fd, termios.TCSANOW)
        else:
            termios.tcsetattr(fd, termios.TCSANOW, self._saved)
        self._cbreak = on

    def _handle_job_signals(self) -> dict:
        if not threading_main() or not all(hasattr(signal, name) for name in _JOB_SIGNALS):
            return {}
        handlers = {signal.SIGTSTP: signal.signal(signal.SIGTSTP, self._on_stop),
                    signal.SIGCONT: signal.signal(signal.SIGCONT, self._on_continue)}
        if hasattr(signal, "SIGWINCH"):
            handlers[signal.SIGWINCH] = signal.signal(signal.SIGWINCH, self._on_resize)
        if signal.getsignal(signal.SIGINT) is signal.default_int_handler:
            handlers[signal.SIGINT] = signal.signal(signal.SIGINT, self._on_interrupt)
        return handlers

    @staticmethod
    def _restore_signals(previous: dict) -> None:
        for signum, handler in previous.items():
            signal.signal(signum, handler)

    def _on_stop(self, signum, frame) -> None:
        """Ctrl-Z: give the terminal back as it was, then stop as the default action would."""
        import termios

        termios.tcsetattr(self.stream.fileno(), termios.TCSANOW, self._saved)
        signal.signal(signal.SIGTSTP, signal.SIG_DFL)
        try:
            os.kill(os.getpid(), signal.SIGTSTP)  # stops here until SIGCONT (_on_continue may raise)
        finally:
            signal.signal(signal.SIGTSTP, self._on_stop)
            self._set_cbreak(self._cbreak)  # (also when the stop was not delivered: an orphaned group)

    def _on_continue(self, signum, frame) -> None:
        """Continued (`fg`): the terminal mode again (the shell may have changed it), and the
        screen must be redrawn: at once if a read is waiting, else at the next read. (Never
        raised inside a finalizer the signal interrupted, where it would be lost: the wait for a
        key checks again once the handler has run.)"""
        self._set_cbreak(self._cbreak)
        if self._reading and not unraisable(frame):
            self._reading = False
            raise Resumed()
        self._resumed = True

    def _on_resize(self, signum, frame) -> None:
        """The terminal changed size: a page waiting for a key is drawn again at the new width
        (now, or at the next key read); a typed answer being written is left alone, its text kept."""
        if self._reading and self._cbreak and not unraisable(frame):
            self._reading = False
            raise Resumed()
        self._resized = True

    def _on_interrupt(self, signum, frame) -> None:
        """Ctrl-C: KeyboardInterrupt, as Python's own handler raises it, except inside a finalizer
        the signal interrupted, where it would be lost: then the next check for a key raises it."""
        if unraisable(frame):
            self._interrupted = True
            return
        raise KeyboardInterrupt

    def _check_resumed(self) -> None:
        if self._interrupted:
            self._interrupted = False
            raise KeyboardInterrupt
        if self._resumed or (self._resized and self._cbreak):
            self._resumed = self._resized = False
            raise Resumed()

    @contextmanager
    def paused(self):
        """The terminal as it was before the session, and default job control, for another
        program (an editor) to use; single-key mode again afterwards."""
        if not self.tty or self._saved is None:
            yield
            return
        previous = {signum: signal.signal(signum, signal.SIG_DFL) for signum in
                    (getattr(signal, name) for name in _JOB_SIGNALS if hasattr(signal, name))}
        self._set_cbreak(False)
        try:
            yield
        finally:
            self._set_cbreak(True)
            self._restore_signals(previous)
            self._resumed = self._resized = False

    def typed_ahead(self, wait: float = 0.0) -> str:
        """The keys pressed but not read yet, taken (so a text prompt starts empty); with `wait`,
        also those pressed in the next `wait` seconds. Terminal only."""
        text, self._pushback = self._pushback, ""
        if not self.tty:
            return text
        fd = self.stream.fileno()
        end = time.monotonic() + wait
        while select.select([fd], [], [], max(0.0, end - time.monotonic()))[0]:
            chunk = os.read(fd, 1024)
            if not chunk:
                break
            text += chunk.decode("utf-8", "replace")
        return text

    def unread(self, text: str) -> None:
        """Keys to be read again, before any new key press."""
        self._pushback = text + self._pushback

    def line(self, prompt: str) -> str | None:
        """One line of text (a typed answer), edited with readline on a terminal; None at end of input."""
        if self.tty:
            import termios

            if self._saved is None:
                return self._read_line(prompt)
            was = self._cbreak  # (off while paused: a question between two editor runs)
            self._set_cbreak(False)
            try:
                return self._read_line(prompt)
            except Resumed:
                termios.tcflush(self.stream.fileno(), termios.TCIFLUSH)  # a half-typed line, no longer shown
                raise
            finally:
                self._set_cbreak(was)
        sys.stdout.write(prompt)
        sys.stdout.flush()
        line = self.stream.readline()
        return line.rstrip("\r\n") if line else None

    def key(self) -> str:
        """One key: a character, 'enter', 'space', or 'eof'."""
        if not self.tty:
            line = self.stream.readline()
            if not line:
                return "eof"
            text = line.rstrip("\r\n")
            if text == "":
                return "enter"
            return "space" if text.strip() == "" else text.strip()[0]
        fd = self.stream.fileno()
        if self._pushback:
            char, self._pushback = self._pushback[0], self._pushback[1:]
        else:
            char = self._read(lambda: self._next_byte(fd)).decode("utf-8", "replace")
        if char == "\x1b":  # an escape sequence (arrow keys...): swallow the rest
            while select.select([fd], [], [], 0.02)[0]:
                os.read(fd, 16)
            return "escape"
        if char in ("\r", "\n"):
            return "enter"
        if char == " ":
            return "space"
        if char in ("\x04", ""):
            return "eof"
        return char

    def _read(self, read):
        """Run a blocking read; a SIGCONT while it waits raises Resumed (as does one before)."""
        self._reading = True  # (first: a SIGCONT from here on raises in this frame)
        try:
            self._check_resumed()
            return read()
        finally:
            self._reading = False

    def _read_line(self, prompt: str) -> str | None:
        line_editing()
        try:
            return self._read(lambda: input(prompt))
        except EOFError:
            return None


_EDITING: bool | None = None  # line editing set up (None: not yet; False: no readline here)


def line_editing() -> bool:
    """Line editing for the text typed at a terminal (`input`): GNU readline (or libedit) through
    Python's own module, so the arrow keys, Home/End, Ctrl-A/E/K/U/W move and delete as in a
    shell, and Up brings back what was typed before in this session (an answer that could not be
    read, to correct it). Without it, an arrow key would be typed into the answer as an escape
    sequence. Ctrl-L redraws the line (readline's default clears the screen, and the card with
    it). Nothing is kept between sessions. False where there is no readline (Windows)."""
    global _EDITING
    if _EDITING is None:
        try:
            import readline
        except ImportError:
            _EDITING = False
        else:
            libedit = "libedit" in (readline.__doc__ or "")  # (macOS's Python) has a syntax of its own
            readline.parse_and_bind("bind ^L ed-redisplay" if libedit else r'"\C-l": redraw-current-line')
            _EDITING = True
    return _EDITING


def threading_main() -> bool:
    """Signal handlers can only be set from the main thread."""
    return threading.current_thread() is threading.main_thread()
