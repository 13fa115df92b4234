"""The shared learning-rate schedule and the provenance of continued runs."""

import time

import pytest

from course_utils import training


def test_warm_up_then_cosine_decay_with_a_floor():
    lrs = [training.learning_rate(s, 100, 1.0, 0.1) for s in range(100)]
    assert lrs[0] == pytest.approx(1e-3) and lrs[5] == pytest.approx(0.5) and lrs[10] == pytest.approx(1.0)
    assert all(a >= b for a, b in zip(lrs[10:], lrs[11:]))  # decays after the warm-up
    assert min(lrs) >= 1e-3
    assert training.learning_rate(100, 100, 1.0, 0.1) is None


def test_time_limit_ends_training_early():
    start = time.time() - 10
    assert training.learning_rate(1, 1000, 1.0, 0.01, start, time_limit=5) is None
    assert training.learning_rate(1, 1000, 1.0, 0.01, start, time_limit=40) < 1.0  # a quarter of the way in time


def test_continued_run_chains_commands_time_and_steps(tmp_path, monkeypatch):
    manifest = {"net": {"command": "python -m a train", "wall_seconds": 100.0, "metrics": {"steps": 500}}}
    monkeypatch.setattr("course_utils.checkpoints.read_manifest", lambda directory=None: manifest)
    assert training.continued("net", "python -m a train --continue", 20.0, 50) == (
        "python -m a train && python -m a train --continue", 120.0, 550)
    assert training.continued(None, "cmd", 20.0, 50) == ("cmd", 20.0, 50)


def test_every_training_command_has_the_shared_arguments():
    import argparse

    for defaults, batch in (({"steps": 3000, "batch": 16}, 16), ({"steps": 4000}, None)):
        sub = argparse.ArgumentParser().add_subparsers(dest="cmd")
        t = training.train_arguments(sub, "train", "net", defaults["steps"], batch=batch)
        a = t.parse_args(["--continue", "--time-limit", "60"])
        assert a.init == "net" and a.time_limit == 60 and a.steps == defaults["steps"] and a.lr == 2e-3
        assert a.threads == 1 and a.seed == 0 and getattr(a, "batch", None) == batch
