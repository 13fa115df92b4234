import pytest
import torch


@pytest.fixture
def isolated_cache(tmp_path, monkeypatch):
    """A fresh data cache and torch hub, so tests never read or write the learner's real cache."""
    cache = tmp_path / "cache"
    monkeypatch.setenv("COURSE_DATA_DIR", str(cache))
    monkeypatch.setenv("TORCH_HOME", str(tmp_path / "torch-home"))
    monkeypatch.delenv("COURSE_OUTPUT_DIR", raising=False)
    return cache


@pytest.fixture(scope="module")
def one_thread():
    """One torch thread per test module: on a shared 2-core machine two threads spin-wait and run far slower,
    and small networks' timings stay predictable. Modules opt in with pytestmark = usefixtures("one_thread")."""
    before = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(before)
