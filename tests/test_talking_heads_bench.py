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
    assert result.budgets == {"puppet_fps": ">= 25"}      # the SSIM bars are judged only on the full protocol
    assert {"puppet_fps", "ssim_ft_minus_landmark_warp_k8", "ssim_ft_k32_minus_k8"} <= set(BARS)
    assert any("random weights" in n for n in result.notes)
    assert not any(k.startswith("ssim_") for k in result.figures)   # tiny config: no evaluation of the small checkpoint


def test_bench_evaluation_figures_come_from_the_shipped_checkpoint(monkeypatch):
    from course_utils.bench import talking_heads as bench
    from course_utils.talking_heads import evaluate as ev

    monkeypatch.setitem(bench.EVAL_IDENTITIES, "quick", 1)
    monkeypatch.setattr(ev, "FT_STEPS", 2)
    notes = []
    figures = bench._evaluation("quick", notes)
    for method in ev.METHODS:
        for k in ev.SHOTS:
            assert 0 < figures[f"ssim_{method}_k{k}"] <= 1 and -1 <= figures[f"id_{method}_k{k}"] <= 1
    assert figures["ssim_ft_k8_minus_k1"] == figures["ssim_ft_k8"] - figures["ssim_ft_k1"]
    assert any("1 held-out FaceWorld people" in n for n in notes)
