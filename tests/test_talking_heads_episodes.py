"""FaceWorld's identity splits (course_utils.faces.splits, torch-free) and the meta-learning episodes drawn
from them (course_utils.talking_heads.episodes)."""

import subprocess
import sys

import pytest
import torch

from course_utils import CourseError
from course_utils.faces import SPLITS, split_seeds
from course_utils.talking_heads.episodes import EpisodeDataset


def test_splits_never_overlap():
    sets = {name: set(r) for name, r in SPLITS.items()}
    assert not sets["train"] & sets["validation"] and not sets["train"] & sets["test"]
    assert not sets["validation"] & sets["test"]
    assert list(split_seeds("test", 3)) == [101_000, 101_001, 101_002]
    with pytest.raises(CourseError, match="split must be one of"):
        split_seeds("holdout")
    with pytest.raises(CourseError, match="has 1000 identities"):
        split_seeds("validation", 5000)


def test_faces_stays_free_of_torch():
    code = "import sys, course_utils.faces; assert 'torch' not in sys.modules, 'course_utils.faces imported torch'"
    subprocess.run([sys.executable, "-c", code], check=True)


def test_episode_shapes_ranges_and_identity():
    ds = EpisodeDataset("validation", n_identities=2, k=3, size=32, video_length=40)
    assert len(ds) == 2
    torch.manual_seed(0)
    ep = ds[1]
    assert ep["frames"].shape == (3, 3, 32, 32) and ep["landmark_images"].shape == (3, 3, 32, 32)
    assert ep["target"].shape == (3, 32, 32) and ep["target_landmarks"].shape == (68, 2)
    assert ep["seed"] == 100_001 and ep["index"] == 1
    assert ep["frames"].min() >= -1 and ep["frames"].max() <= 1 and ep["frames"].std() > 0.1
    assert len(set(ep["times"].tolist())) == 4, "K + 1 distinct moments"
    # the landmark image is drawn from the target's own landmarks: lit pixels sit near them
    lit = (ep["target_landmark_image"].max(0).values > -0.5).nonzero()
    assert lit.numel() > 0


def test_episodes_are_resampled_every_draw_and_follow_torch_seed():
    ds = EpisodeDataset("train", n_identities=1, k=2, size=32, video_length=60)
    torch.manual_seed(1)
    a, b = ds[0], ds[0]
    assert not torch.equal(a["times"], b["times"]), "two draws of one person must differ"
    assert not torch.equal(a["target"], b["target"])
    torch.manual_seed(1)
    again = ds[0]
    assert torch.equal(again["times"], a["times"]) and torch.equal(again["target"], a["target"])


def test_bad_arguments():
    with pytest.raises(CourseError, match="k ≥ 1"):
        EpisodeDataset(k=0)
    with pytest.raises(CourseError, match="cannot give"):
        EpisodeDataset(k=8, video_length=5)
    with pytest.raises(IndexError):
        EpisodeDataset("test", n_identities=1, size=32)[1]
