"""LandmarkNet: heatmap read-out accuracy, shapes, the shipped checkpoint, and that training learns."""

import numpy as np
import pytest
import torch

from course_utils import landmark_net as L
from course_utils.checkpoints import read_manifest
from course_utils.tensors import image_to_tensor, n_params


def test_heatmap_roundtrip_is_subpixel():
    g = torch.Generator().manual_seed(0)
    # points where FaceWorld's faces lie (the read-out window must not be cut by the map's border)
    for size, lo, span in ((32, 7, 50), (16, 14, 36)):
        pts = torch.rand(8, 68, 2, generator=g) * span + lo
        back = L.heatmaps_to_points(L.make_heatmaps(pts, size))
        assert (back - pts).norm(dim=-1).max() < 0.1, size


def test_heatmap_peak_and_pixel_convention():
    # a point on pixel centre (10, 20) at stride 2 lies between cells; at stride 1 (64 maps) on one cell
    h = L.make_heatmaps(torch.tensor([[[10.0, 20.0]]]), 64)
    iy, ix = divmod(int(h[0, 0].argmax()), 64)
    assert (ix, iy) == (10, 20) and abs(float(h.max()) - 1) < 1e-6


def test_shapes_and_size():
    model = L.LandmarkNet().eval()
    assert n_params(model) <= 1_500_000
    with torch.no_grad():
        h = model(torch.zeros(2, 3, 64, 64))
    assert h.shape == (2, 68, L.MAP_SIZE, L.MAP_SIZE)
    assert L.heatmaps_to_points(h).shape == (2, 68, 2)
    img = np.zeros((64, 64, 3), np.uint8)
    assert L.predict(model, img).shape == (1, 68, 2)
    assert L.predict(model, np.stack([img] * 3)).shape == (3, 68, 2)


def test_few_steps_decrease_loss():
    from course_utils import faces

    rng = np.random.default_rng(0)
    person = faces.sample_identity(3)
    outs = [faces.render(person, faces.random_frame(rng), size=64) for _ in range(4)]
    data = (np.stack([o.image for o in outs]), np.stack([o.landmarks for o in outs]))
    torch.manual_seed(0)
    model = L.LandmarkNet(width=8).train()
    x = image_to_tensor(data[0])
    p = torch.from_numpy(data[1])
    opt = torch.optim.Adam(model.parameters(), lr=5e-3)
    losses = []
    old = torch.get_num_threads()
    torch.set_num_threads(1)                # tiny convolutions: one thread is far faster on a busy machine
    for _ in range(20):
        loss = L.landmark_loss(model(x), p)
        opt.zero_grad()
        loss.backward()
        opt.step()
        losses.append(float(loss.detach()))
    torch.set_num_threads(old)
    assert np.mean(losses[-5:]) < 0.7 * np.mean(losses[:3]), losses


@pytest.mark.skipif(L.CHECKPOINT_NAME not in read_manifest(), reason="no shipped landmarks checkpoint")
def test_shipped_checkpoint_on_held_out_faces():
    model = L.load_detector()
    assert not model.training
    assert all(p.dtype == torch.float32 for p in model.parameters())
    r = L.evaluate(model, n=20, seed=7, n_identities=5)       # 5 test identities x 4 frames
    assert r["n"] == 20
    assert r["nme"] < 0.05, r
