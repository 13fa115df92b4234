import random

import numpy as np
import pytest
import torch

from course_utils import CourseError
from course_utils.config import REPO_ROOT, by_mode, course_mode, data_dir, device, output_dir, seed_everything


def test_mode_defaults_to_standard(monkeypatch):
    monkeypatch.delenv("COURSE_MODE", raising=False)
    assert course_mode() == "standard"


@pytest.mark.parametrize("value, expected", [("quick", "quick"), ("FULL", "full"), (" standard ", "standard")])
def test_mode_reads_environment(monkeypatch, value, expected):
    monkeypatch.setenv("COURSE_MODE", value)
    assert course_mode() == expected


def test_unknown_mode_is_one_clear_sentence(monkeypatch):
    monkeypatch.setenv("COURSE_MODE", "turbo")
    with pytest.raises(CourseError, match=r"'turbo'.*quick, standard, full"):
        course_mode()


def test_by_mode_picks_by_mode_and_falls_back_for_full(monkeypatch):
    monkeypatch.setenv("COURSE_MODE", "quick")
    assert by_mode(1, 2, 3) == 1
    monkeypatch.setenv("COURSE_MODE", "full")
    assert by_mode(1, 2, 3) == 3
    assert by_mode(1, 2) == 2


def test_seed_everything_repeats_all_generators():
    def draw():
        return random.random(), np.random.rand(), torch.rand(1).item()

    seed_everything(7)
    first = draw()
    seed_everything(7)
    assert draw() == first
    seed_everything(8)
    assert draw() != first


def test_device_defaults_to_cpu_without_cuda(monkeypatch):
    monkeypatch.delenv("COURSE_DEVICE", raising=False)
    expected = "cuda" if torch.cuda.is_available() else "cpu"
    assert device().type == expected


def test_device_override_and_missing_cuda(monkeypatch):
    monkeypatch.setenv("COURSE_DEVICE", "cpu")
    assert device() == torch.device("cpu")
    if not torch.cuda.is_available():
        monkeypatch.setenv("COURSE_DEVICE", "cuda")
        with pytest.raises(CourseError, match="no usable CUDA"):
            device()


def test_data_dir_override(isolated_cache):
    assert data_dir() == isolated_cache
    assert isolated_cache.is_dir()
    assert output_dir("03_facial_landmarks") == isolated_cache / "outputs" / "03_facial_landmarks"


def test_data_dir_default_follows_xdg(monkeypatch, tmp_path):
    monkeypatch.delenv("COURSE_DATA_DIR", raising=False)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    assert data_dir() == tmp_path / "artificial-imagination"


def test_data_dir_refuses_notebooks_folder(monkeypatch):
    monkeypatch.setenv("COURSE_DATA_DIR", str(REPO_ROOT / "notebooks" / "data"))
    with pytest.raises(CourseError, match="inside notebooks/"):
        data_dir(create=False)
    assert not (REPO_ROOT / "notebooks" / "data").exists()


def test_two_writers_of_one_cache_file_do_not_trip_over_each_other(tmp_path, monkeypatch):
    """torchrun's ranks each render the same training data and cache it under one name. Writer A has written its
    temporary file when writer B writes and renames its own; A's rename must still succeed (with one shared
    temporary name it failed: FileNotFoundError), and no temporary file is left behind."""
    from course_utils.config import save_npz

    path = tmp_path / "cache" / "data.npz"
    real_savez, other = np.savez, []

    def savez(f, **arrays):
        real_savez(f, **arrays)
        if not other:            # the other rank, between A's write and A's rename
            other.append(1)
            save_npz(path, x=np.arange(3) * 2)

    monkeypatch.setattr(np, "savez", savez)
    save_npz(path, x=np.arange(3))
    with np.load(path) as z:
        assert z["x"].tolist() == [0, 1, 2]   # the last rename wins; both wrote the same data in real use
    assert [p.name for p in path.parent.iterdir()] == ["data.npz"]


def test_a_failed_cache_write_leaves_nothing_behind(tmp_path, monkeypatch):
    from course_utils.config import save_npz

    def broken(f, **arrays):
        f.write(b"half a file")
        raise OSError("disk full")

    monkeypatch.setattr(np, "savez", broken)
    with pytest.raises(OSError):
        save_npz(tmp_path / "data.npz", x=np.arange(3))
    assert list(tmp_path.iterdir()) == []
