"""course_utils.tensors: pictures to [-1, 1] tensors and back, one picture or a batch."""

import numpy as np
import pytest
import torch
from torch import nn

from course_utils import CourseError, faces
from course_utils.tensors import image_to_tensor, landmark_tensor, n_params, tensor_to_image


def test_tensor_image_roundtrip():
    img = (torch.arange(2 * 3 * 3) * 7 % 256).reshape(2, 3, 3).permute(1, 2, 0).repeat(1, 1, 2)[..., :3].byte().numpy()
    assert (tensor_to_image(image_to_tensor(img)) == img).all()
    batch = np.random.default_rng(0).integers(0, 256, (4, 5, 7, 3), dtype=np.uint8)
    assert (tensor_to_image(image_to_tensor(batch)) == batch).all()


def test_shapes_and_range():
    img = np.zeros((5, 7, 3), np.uint8)
    img[0, 0] = 255
    t = image_to_tensor(img)
    assert t.shape == (3, 5, 7) and t.dtype == torch.float32
    assert float(t.min()) == -1.0 and float(t.max()) == 1.0
    assert image_to_tensor(np.stack([img] * 2)).shape == (2, 3, 5, 7)
    out = tensor_to_image(torch.full((2, 3, 4, 6), 3.0))      # out of range: clamped
    assert out.shape == (2, 4, 6, 3) and out.dtype == np.uint8 and (out == 255).all()


def test_landmark_tensor_is_the_landmark_image():
    pts = faces.render(faces.sample_identity(1), faces.Frame(), 32).landmarks
    t = landmark_tensor(pts, 32)
    assert t.shape == (3, 32, 32)
    assert (tensor_to_image(t) == faces.landmark_image(pts, 32)).all()
    assert landmark_tensor(np.stack([pts, pts + 1]), 32).shape == (2, 3, 32, 32)


def test_n_params_and_bad_arguments():
    assert n_params(nn.Linear(3, 2)) == 8
    with pytest.raises(CourseError):
        image_to_tensor(np.zeros((5, 7), np.uint8))
    with pytest.raises(CourseError):
        tensor_to_image(np.zeros((3, 5, 7)))
    with pytest.raises(CourseError):
        landmark_tensor(np.zeros((0, 68, 2)), 32)
