"""A model is usable from any thread: calls are serialised (a waiting call releases the
interpreter), `step` and `progress` are readable while another thread trains, and no call
ever meets "Already borrowed"."""

import threading
import time

import numpy as np

import nshed


def test_step_and_progress_are_read_live_while_another_thread_trains(fig1_file):
    m = nshed.load(fig1_file)
    assert m.progress == (0, 0)
    wanted = 400_000
    seen = []
    errors = []
    started = threading.Event()

    def watch():
        started.wait()
        while trainer.is_alive():
            try:
                seen.append((m.step, m.progress, m.name, repr(m)))
            except Exception as e:  # a borrow error would land here
                errors.append(e)
            time.sleep(0.002)

    def train():
        started.set()
        m.train(wanted)

    trainer = threading.Thread(target=train)
    watcher = threading.Thread(target=watch)
    watcher.start()
    trainer.start()
    trainer.join()
    watcher.join()
    assert errors == []
    assert m.step == wanted and m.progress == (wanted, wanted)
    steps = [s for s, _, _, _ in seen]
    # The watcher saw training under way, not only its end, and never a step going back.
    assert any(0 < s < wanted for s in steps), steps[:5]
    assert steps == sorted(steps)
    for _, (done, planned), name, _ in seen:
        assert name == "fig1"
        assert planned in (0, wanted) and done <= wanted
    assert any(planned == wanted and 0 < done < wanted for _, (done, planned), _, _ in seen)


def test_two_threads_training_one_model_are_serialised(fig1_file):
    m = nshed.load(fig1_file)
    errors = []

    def train():
        try:
            for _ in range(20):
                m.train(500)
        except Exception as e:
            errors.append(e)

    threads = [threading.Thread(target=train) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert m.step == 2 * 20 * 500
    # Serialised chunks of one stream: the same as one thread taking them all.
    alone = nshed.load(fig1_file)
    alone.train(20_000)
    assert np.array_equal(alone.ln_lambdas(), m.ln_lambdas())


def test_every_kind_of_call_from_many_threads_at_once(fig1_file):
    m = nshed.load(fig1_file)
    errors = []
    x = np.eye(7, dtype=bool)

    def work(k):
        try:
            for _ in range(30):
                if k == 0:
                    m.train(200)
                elif k == 1:
                    m.predict("c2"), m.pathway(["e1", "e2"]), m.probabilities_many(x)
                elif k == 2:
                    m.copy().train(10), m.lambdas(), m.accuracy(), m.le("c1a", "c2")
                else:
                    m.step_on("c1a"), m.__getstate__(), m.draw()
        except Exception as e:
            errors.append(e)

    threads = [threading.Thread(target=work, args=(k,)) for k in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert m.step == 30 * 200 + 30


def test_a_thread_waiting_for_the_model_releases_the_interpreter(fig1_file):
    # One thread trains (holding the model); a second waits for it; a third, pure Python,
    # must keep running meanwhile, which it cannot if the waiting thread holds the GIL.
    m = nshed.load(fig1_file)
    ticks = []
    done = threading.Event()

    def tick():
        while not done.is_set():
            ticks.append(time.monotonic())
            time.sleep(0.001)

    trainer = threading.Thread(target=m.train, args=(1_500_000,))
    trainer.start()
    while m.step == 0:
        time.sleep(0.001)
    ticker = threading.Thread(target=tick)
    ticker.start()
    started = time.monotonic()
    m.lambdas()  # waits for the trainer
    waited = time.monotonic() - started
    done.set()
    ticker.join()
    trainer.join()
    assert m.step == 1_500_000
    during = [t for t in ticks if started <= t <= started + waited]
    assert waited > 0.05
    assert len(during) > 10, (waited, len(during))
