"""Chapter 08's initialisation ablation: fine-tuning from the person (ψ′ = P·ê) against from ē, curves by step."""

import numpy as np
import pytest
import torch

from course_utils.errors import CourseError
from course_utils.talking_heads import TalkingHeadGAN
from course_utils.talking_heads import ablation
from course_utils.talking_heads import evaluate as ev


pytestmark = pytest.mark.usefixtures("one_thread")  # tests/conftest.py


@pytest.fixture(scope="module")
def video():
    return ev.test_videos(n_identities=1, n_targets=3, max_shots=2, seed=0)[0]


@pytest.fixture(scope="module")
def gan():
    torch.manual_seed(0)
    return TalkingHeadGAN("small", 10).eval()


def test_curves_start_at_feed_forward_for_the_person_and_at_the_mean_for_generic(gan, video):
    from course_utils.identity_net import load_identity_net
    from course_utils.talking_heads.finetune import PersonalisedGenerator
    from course_utils.tensors import tensor_to_image

    e_bar = torch.rand(gan.config.embed_dim) * 4
    res = ablation.init_curves(gan, [video], shots=(1,), steps=(0, 2), e_generic=e_bar, id_net=load_identity_net())
    assert res["steps"] == [0, 2] and set(res["per_person"]) == {"person_k1", "generic_k1"}
    for curve in res["per_person"].values():
        assert np.array(curve["ssim"]).shape == np.array(curve["id"]).shape == (1, 2)
    # step 0 of the person's curve is FF; step 0 of the generic curve is G with ψ = P·ē
    ff = ev.gan_outputs(gan, video, 1, "ff")
    assert res["per_person"]["person_k1"]["ssim"][0][0] == pytest.approx(ev.ssim_psnr(ff, video.targets)[0].mean())
    _, marks = ev._tensors(video.targets, video.target_points)
    start = np.stack([tensor_to_image(t) for t in PersonalisedGenerator(gan.generator, e_bar).animate(marks)])
    assert res["per_person"]["generic_k1"]["ssim"][0][0] == pytest.approx(ev.ssim_psnr(start, video.targets)[0].mean())
    assert res["per_person"]["generic_k1"]["ssim"][0][0] != pytest.approx(res["per_person"]["person_k1"]["ssim"][0][0])


def test_summary_and_paired_differences_are_per_step():
    res = {"per_person": {"person_k1": {"ssim": [[0.8, 0.9], [0.6, 0.7], [0.7, 0.8]], "id": [[0.5, 0.5]] * 3},
                          "generic_k1": {"ssim": [[0.5, 0.9], [0.7, 0.6], [0.4, 0.8]], "id": [[0.5, 0.5]] * 3}}}
    out = ablation.summarise(res)
    assert out["summary"]["person_k1"]["ssim"]["mean"] == pytest.approx([0.7, 0.8])
    assert out["summary"]["generic_k1"]["ssim"]["std"][1] == pytest.approx(np.std([0.9, 0.6, 0.8]), abs=1e-4)
    paired = out["paired"]["k1"]["ssim"]
    assert paired["mean"] == pytest.approx([0.5 / 3, 0.1 / 3], abs=1e-4)
    assert paired["wins"] == [2, 1] and paired["n"] == 3          # ties (0.9 vs 0.9, 0.8 vs 0.8) are no wins
    assert paired["se"][0] == pytest.approx(np.std([0.3, -0.1, 0.3], ddof=1) / np.sqrt(3), abs=1e-4)


def test_missing_curves_are_one_clear_sentence(tmp_path):
    with pytest.raises(CourseError, match="ft-init"):
        ablation.load_results(tmp_path / "nothing.json")


def _synthetic(person, generic, se_scale=0.01):
    """Curves for 3 people at steps 0, 50, 300: per-person SSIM = the given means ± a small spread."""
    spread = np.array([-se_scale, 0.0, se_scale])[:, None]
    res = {"steps": [0, 50, 300], "per_person": {}}
    for k in ("k1", "k8"):
        res["per_person"][f"person_{k}"] = {m: (np.array(person)[None] + spread).tolist() for m in ("ssim", "id")}
        res["per_person"][f"generic_{k}"] = {m: (np.array(generic)[None] + spread[::-1]).tolist() for m in ("ssim", "id")}
    return ablation.summarise(res)


def test_claims_are_checked_against_the_numbers():
    good = dict(ablation.claims(_synthetic([0.78, 0.88, 0.90], [0.57, 0.80, 0.87])))
    assert good["At K = 1 the person start has the higher mean SSIM at every measured step"]
    assert good["At K = 1 the generic start first reaches FF's SSIM (the person start's step 0) at step 50"]
    assert good["At K = 1 the person start reaches the generic start's last-step SSIM at step 50"]
    # the generic start overtakes at the end, and the gap does not shrink below a fifth: those claims fail
    bad = dict(ablation.claims(_synthetic([0.78, 0.88, 0.90], [0.57, 0.70, 0.92])))
    assert not bad["At K = 1 the person start has the higher mean SSIM at every measured step"]
    assert not bad["At K = 1 the person start is still clearly ahead on SSIM at the last step"]
    assert not bad["At K = 1 the generic start first reaches FF's SSIM (the person start's step 0) at step 50"]
    assert ablation.first_step_reaching(_synthetic([0.7, 0.8, 0.9], [0.5, 0.6, 0.65]), "generic_k1", 0.7) is None


def test_committed_curves_carry_their_provenance_and_what_chapter_08_says_holds():
    if not ablation.RESULTS_FILE.exists():
        pytest.skip("no committed initialisation curves yet")
    from course_utils.checkpoints import read_manifest

    res = ablation.load_results()
    prov = res["provenance"]
    assert prov["command"].startswith("python -m course_utils.talking_heads ft-init")
    assert prov["checkpoint_sha256"] == read_manifest()["talking_heads_small"]["sha256"], \
        "the curves were made with another checkpoint: re-run `python -m course_utils.talking_heads ft-init`"
    assert res["settings"]["identities"] >= 6 and res["steps"][0] == 0
    assert res["paired"] == ablation.summarise({"per_person": res["per_person"], "steps": res["steps"]})["paired"]
    stated = ablation.claims(res)
    assert len(stated) == len(ablation.STATED), "a stated claim cannot be checked against this results file"
    assert [text for text, holds in stated if not holds] == []
