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


def test_optimise_runs_the_schedule_logs_each_step_and_reports(capsys):
    import time

    import torch

    from course_utils.training import half_state, optimise

    torch.manual_seed(0)
    w = torch.nn.Linear(1, 1)
    opt = torch.optim.SGD(w.parameters(), lr=0.1)
    x = torch.linspace(-1, 1, 16)[:, None]

    def step(i):
        loss = ((w(x) - 3 * x) ** 2).mean()
        return loss, {"loss": float(loss.detach()), "i": float(i)}

    history = optimise(opt, 50, 0.1, 0.1, step, lambda h: f"loss {h['loss'][-1]:.4f}", t_start=time.time(),
                       log_every=20)
    assert history["i"] == [float(i) for i in range(50)]
    assert history["loss"][-1] < 0.1 * history["loss"][0]
    printed = capsys.readouterr().out
    assert printed.count("step ") == 2 and "step 20/50 loss" in printed and " lr " in printed
    stopped = optimise(opt, 10**6, 0.1, 0.1, step, str, t_start=time.time() - 100, time_limit=1.0)
    assert stopped == {} and "time limit reached after 0 steps" in capsys.readouterr().out
    state = half_state(w, _width=torch.tensor(3))
    assert state["weight"].dtype == torch.float16 and int(state["_width"]) == 3
