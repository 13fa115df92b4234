import json
import os

import pytest
import torch

from course_utils import CourseError
from course_utils import checkpoints as ck


def _state():
    torch.manual_seed(0)
    return {"weight": torch.randn(16, 8), "bias": torch.zeros(16), "step": 12}


@pytest.fixture
def saved(tmp_path):
    path = ck.save_checkpoint(_state(), "toy", command="python -m course_utils.toy train", seed=3,
                              metrics={"loss": 0.25}, directory=tmp_path, notes="unit test")
    return tmp_path, path


def test_roundtrip_and_manifest(saved):
    folder, path = saved
    state = ck.load_checkpoint("toy", folder)
    assert torch.equal(state["weight"], _state()["weight"]) and state["step"] == 12
    entry = json.loads((folder / "manifest.json").read_text())["toy"]
    assert entry["file"] == "toy.pt"
    assert entry["sha256"] == ck.sha256_of(path)
    assert entry["size"] == path.stat().st_size
    assert entry["command"] == "python -m course_utils.toy train"
    assert entry["seed"] == 3 and entry["metrics"] == {"loss": 0.25}
    assert entry["torch"].startswith("2.13")


def test_missing_file_names_the_rebuild_command(saved):
    folder, path = saved
    path.unlink()
    with pytest.raises(CourseError, match=r"missing; rebuild it with `python -m course_utils.toy train`"):
        ck.load_checkpoint("toy", folder)


def test_truncated_file(saved):
    folder, path = saved
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2])
    with pytest.raises(CourseError, match=r"truncated or incomplete.*course_utils.toy train"):
        ck.load_checkpoint("toy", folder)


def test_tampered_file_same_size(saved):
    folder, path = saved
    data = bytearray(path.read_bytes())
    data[len(data) // 2] ^= 0xFF
    path.write_bytes(bytes(data))
    with pytest.raises(CourseError, match=r"SHA-256 does not match"):
        ck.load_checkpoint("toy", folder)


class Payload:  # a pickled object: weights_only=True must refuse it
    def __reduce__(self):
        return (os.system, ("echo pwned",))


def test_pickle_payload_refused_even_with_matching_hash(tmp_path):
    ck.save_checkpoint({"weight": torch.ones(2), "evil": Payload()}, "evil", command="make evil", seed=None, directory=tmp_path)
    with pytest.raises(CourseError, match=r"holds Python objects.*refused for safety.*make evil"):
        ck.load_checkpoint("evil", tmp_path)


def test_unlisted_checkpoint(tmp_path):
    with pytest.raises(CourseError, match=r"No checkpoint named 'nope'"):
        ck.load_checkpoint("nope", tmp_path)


def test_error_is_one_sentence(saved):
    folder, path = saved
    path.unlink()
    with pytest.raises(CourseError) as info:
        ck.load_checkpoint("toy", folder)
    message = str(info.value)
    assert "\n" not in message and message.endswith(".") and message.count(". ") == 0


def test_shipped_checkpoints_are_intact():
    for name in ck.read_manifest():
        ck.load_checkpoint(name)  # raises on a missing, truncated or tampered shipped file


class Tiny(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.lin = torch.nn.Linear(3, 1)


def _train(model):
    with torch.no_grad():
        model.lin.weight.fill_(0.5)
    return {"loss": 0.1}


def test_load_or_train_trains_into_learner_cache_then_reuses_it(isolated_cache, monkeypatch, tmp_path):
    shipped = tmp_path / "shipped"
    monkeypatch.setattr(ck, "CHECKPOINT_DIR", shipped)
    monkeypatch.setenv("COURSE_MODE", "quick")
    assert ck.load_or_train(Tiny(), "tiny", _train, command="python -m x") == "trained"
    assert not shipped.exists(), "a learner's training must never write into the shipped folder"
    assert (isolated_cache / "checkpoints" / "tiny.pt").exists()
    model = Tiny()
    assert ck.load_or_train(model, "tiny", lambda m: pytest.fail("should not train"), command="python -m x") == "cached"
    assert torch.all(model.lin.weight == 0.5)


def test_load_or_train_prefers_shipped_and_recovers_from_corruption(isolated_cache, monkeypatch, tmp_path, capsys):
    shipped = tmp_path / "shipped"
    monkeypatch.setattr(ck, "CHECKPOINT_DIR", shipped)
    monkeypatch.setenv("COURSE_MODE", "quick")
    source = Tiny()
    _train(source)
    ck.save_checkpoint(source.state_dict(), "tiny", command="python -m x", seed=0, directory=shipped)
    assert ck.load_or_train(Tiny(), "tiny", lambda m: pytest.fail("should not train"), command="python -m x") == "shipped"
    (shipped / "tiny.pt").write_bytes(b"garbage")
    before = (shipped / "tiny.pt").read_bytes()
    assert ck.load_or_train(Tiny(), "tiny", _train, command="python -m x") == "trained"
    assert "truncated or incomplete" in capsys.readouterr().out
    assert (shipped / "tiny.pt").read_bytes() == before, "the shipped file is left as it was"


def test_full_mode_always_trains(isolated_cache, monkeypatch, tmp_path):
    monkeypatch.setattr(ck, "CHECKPOINT_DIR", tmp_path / "shipped")
    monkeypatch.setenv("COURSE_MODE", "full")
    calls = []
    ck.load_or_train(Tiny(), "tiny", lambda m: calls.append(1) or {}, command="c")
    ck.load_or_train(Tiny(), "tiny", lambda m: calls.append(1) or {}, command="c")
    assert len(calls) == 2


def test_verify_command_reports_each_file(saved, monkeypatch, capsys):
    folder, path = saved
    monkeypatch.setattr(ck, "CHECKPOINT_DIR", folder)
    assert ck.main(["verify"]) == 0
    assert "✔ toy: intact" in capsys.readouterr().out
    data = bytearray(path.read_bytes())
    data[100] ^= 1
    path.write_bytes(bytes(data))
    assert ck.main([]) == 1
    out = capsys.readouterr().out.strip()
    assert out.startswith("✘ Checkpoint file toy.pt has been changed") and "course_utils.toy train" in out


def test_annotate_adds_metrics_without_touching_the_file(tmp_path):
    from course_utils import checkpoints as ck

    path = ck.save_checkpoint({"w": __import__("torch").zeros(3)}, "demo", command="x", seed=0, metrics={"a": 1},
                              directory=tmp_path)
    before = ck.read_manifest(tmp_path)["demo"]["sha256"]
    entry = ck.annotate("demo", {"b": 2}, "measured later", directory=tmp_path)
    assert entry["metrics"] == {"a": 1, "b": 2} and entry["notes"] == "measured later"
    assert ck.read_manifest(tmp_path)["demo"]["sha256"] == before == ck.sha256_of(path)
    ck.verify_checkpoint("demo", tmp_path)
    import pytest

    with pytest.raises(ck.CourseError):
        ck.annotate("nothing", {}, directory=tmp_path)
