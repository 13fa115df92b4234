import pytest


@pytest.fixture
def isolated_cache(tmp_path, monkeypatch):
    """A fresh data cache and torch hub, so tests never read or write the learner's real cache."""
    cache = tmp_path / "cache"
    monkeypatch.setenv("COURSE_DATA_DIR", str(cache))
    monkeypatch.setenv("TORCH_HOME", str(tmp_path / "torch-home"))
    monkeypatch.delenv("COURSE_OUTPUT_DIR", raising=False)
    return cache
