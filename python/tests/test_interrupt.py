"""Ctrl-C during a long call raises KeyboardInterrupt and keeps the steps taken."""

import os
import signal
import threading
import time

import numpy as np
import pytest

import nshed

from conftest import EXAMPLES


def interrupt_after(seconds):
    def send():
        time.sleep(seconds)
        os.kill(os.getpid(), signal.SIGINT)

    t = threading.Thread(target=send)
    t.start()
    return t


@pytest.mark.skipif(not hasattr(signal, "SIGINT"), reason="needs SIGINT")
def test_ctrl_c_stops_training_and_keeps_the_steps(fig1_file):
    m = nshed.load(fig1_file)
    wanted = 10**10
    sender = interrupt_after(0.5)
    started = time.monotonic()
    with pytest.raises(KeyboardInterrupt):
        m.train(wanted)
    elapsed = time.monotonic() - started
    sender.join()
    assert 0 < m.step < wanted
    assert elapsed < 10
    # The steps kept are the steps a plain run of that length makes.
    again = nshed.load(fig1_file)
    again.train(m.step)
    assert np.array_equal(again.ln_lambdas(), m.ln_lambdas())
    # And the model goes on.
    before = m.step
    assert m.train(10) == 10 and m.step == before + 10


def test_ctrl_c_stops_a_sweep():
    m = nshed.load(EXAMPLES / "basin.nshed")
    sender = interrupt_after(0.5)
    started = time.monotonic()
    with pytest.raises(KeyboardInterrupt):
        m.basin(["p1", "p3"], (0.5, 1.5), grid=4096)
    sender.join()
    assert time.monotonic() - started < 20


def test_the_interpreter_is_released_while_training(fig1_file):
    # Another Python thread runs while one trains.
    m = nshed.load(fig1_file)
    ticks = []
    done = threading.Event()

    def tick():
        while not done.is_set():
            ticks.append(1)
            time.sleep(0.001)

    t = threading.Thread(target=tick)
    t.start()
    try:
        m.train(2_000_000)
    finally:
        done.set()
        t.join()
    assert len(ticks) > 10
