"""The identity network: aligned crops, unit embeddings, the CosFace loss, verification, the shipped model."""

import numpy as np
import pytest
import torch

from course_utils import faces
from course_utils import identity_net as I
from course_utils.checkpoints import CHECKPOINT_DIR, read_manifest
from course_utils.errors import CourseError
from course_utils.faces.framing import CANONICAL_POINTS, five_points, similarity_transform


@pytest.fixture(scope="module")
def crops():
    return I.render_crops(range(4), 4, seed=3)


def test_align_puts_eyes_nose_and_mouth_at_the_canonical_places():
    out = faces.render(faces.sample_identity(5), faces.Frame(faces.Pose(yaw=10, roll=12)), 128)
    pts = five_points(out.landmarks)
    target = (0.5 + (CANONICAL_POINTS - 0.5) * I.ZOOM) * I.SIZE
    m = similarity_transform(pts, target)
    moved = pts @ m[:, :2].T + m[:, 2]
    assert np.abs(moved - target).max() < 3.0  # a similarity fits five points closely, not exactly
    crop = I.align(out.image, out.landmarks)
    assert crop.shape == (64, 64, 3) and crop.dtype == np.uint8


def test_crops_are_labelled_by_person_and_backgrounds_are_replaced(crops):
    images, labels = crops
    assert images.shape == (16, 64, 64, 3) and list(labels) == [0] * 4 + [1] * 4 + [2] * 4 + [3] * 4
    plain, _ = I.render_crops(range(1), 1, seed=3, replace_background=False)
    assert not np.array_equal(plain[0], images[0])  # same person, same frame, other background


def test_wrong_input_shape_is_one_sentence():
    with pytest.raises(CourseError, match="aligned 64 × 64"):
        I.to_input(np.zeros((2, 32, 32, 3), np.uint8))


def test_embeddings_have_unit_length(crops):
    emb = I.embed(I.IdentityNet(), crops[0])
    assert emb.shape == (16, 128)
    np.testing.assert_allclose(np.linalg.norm(emb, axis=1), 1.0, atol=1e-5)


def test_cosface_margin_makes_the_true_class_harder():
    torch.manual_seed(0)
    head = I.CosFaceHead(5)
    emb = torch.nn.functional.normalize(torch.randn(8, 128), dim=1)
    labels = torch.arange(8) % 5
    with torch.no_grad():
        with_margin = head(emb, labels)
    old, I.MARGIN = I.MARGIN, 0.0
    try:
        with torch.no_grad():
            without = head(emb, labels)
    finally:
        I.MARGIN = old
    assert float(with_margin) > float(without)


def test_verification_of_perfect_and_useless_embeddings(monkeypatch):
    labels = np.repeat(np.arange(10), 4)
    perfect = np.eye(128, dtype=np.float32)[labels]
    monkeypatch.setattr(I, "embed", lambda model, crops: perfect)
    result = I.verification(None, np.zeros(len(labels)), labels, n_pairs=200)
    assert result["accuracy"] == 1.0 and result["auc"] == 1.0
    same = np.ones((len(labels), 128), np.float32) / np.sqrt(128)
    monkeypatch.setattr(I, "embed", lambda model, crops: same)
    assert I.verification(None, np.zeros(len(labels)), labels, n_pairs=200)["auc"] == 0.5


def test_a_few_training_steps_lower_the_loss(crops):
    _, info = I.train(steps=25, identities_per_batch=4, images_per_identity=3, lr=3e-3, data=crops,
                      eval_after=False, verbose=False)
    assert np.mean(info["losses"][-5:]) < np.mean(info["losses"][:5])


def test_shipped_network_tells_held_out_people_apart():
    entry = read_manifest(CHECKPOINT_DIR)["identity"]
    assert entry["metrics"]["accuracy"] >= 0.9
    model = I.load_identity_net()
    images, labels = I.render_crops(range(101500, 101512), 4, seed=9)  # test people, new frames
    result = I.verification(model, images, labels, n_pairs=400, threshold=entry["metrics"]["threshold"])
    assert result["accuracy"] >= 0.85 and result["same_mean"] > result["different_mean"] + 0.3


def test_shipped_network_ignores_the_background():
    model = I.load_identity_net()
    person, other = faces.sample_identity(101600), faces.sample_identity(101601)
    frame = faces.Frame(faces.Pose(yaw=8))

    def crop(who, background_seed):
        out = faces.render(who, frame, 128)
        noise = I.noise_background(np.random.default_rng(background_seed), 128)
        return I.align(np.where(out.foreground[..., None], out.image, noise), out.landmarks)

    a, b, c = crop(person, 1), crop(person, 2), crop(other, 1)
    same_person = float(I.similarity(model, a[None], b[None])[0])
    same_background = float(I.similarity(model, a[None], c[None])[0])
    assert same_person > same_background + 0.3
