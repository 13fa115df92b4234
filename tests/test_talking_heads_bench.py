"""The `talking_heads` bench suite runs end to end (on the tiny config, so the test is quick; the suite's
real figures are for the small config: `python -m course_utils.bench talking_heads`)."""

import torch

from course_utils.bench.talking_heads import BARS, run


def test_bench_suite_reports_every_figure_on_the_tiny_config(monkeypatch, tmp_path):
    monkeypatch.setenv("COURSE_DATA_DIR", str(tmp_path))
    threads = torch.get_num_threads()
    result = run("quick", config="tiny")
    assert torch.get_num_threads() == threads
    for name in ("puppet_fps", "train_step_s", "train_step_cpu_s", "finetune_s_k1", "finetune_s_k8", "params_generator"):
        assert name in result.figures and result.figures[name] > 0, name
    assert set(BARS) == {"puppet_fps"} and result.budgets["puppet_fps"] == ">= 25"
    assert any("random weights" in n for n in result.notes)
