"""A real, trained detector sees FaceWorld's faces, and puts the 68 points where FaceWorld does.

dlib's HOG face detector + 68-point shape predictor (trained on iBUG 300-W) on 30 renders at 128 px
with |yaw| <= 20 degrees: it must find >= 90% of the faces with a mean landmark error <= 10% of the
outer inter-ocular distance. Images are enlarged to 256 px for the detector (see dlib_check).
About 15-30 s.
"""

import numpy as np
import pytest

pytest.importorskip("dlib")

from course_utils.faces.dlib_check import dlib_agreement, dlib_landmarks
from course_utils.faces.template import MIRROR


def test_dlib_finds_faceworld_faces_and_agrees_on_landmarks():
    result = dlib_agreement(n=30, size=128, seed=0, max_yaw=20.0)
    print(result)
    assert result.detect_rate >= 0.9
    assert result.mean_nme <= 0.10
    # the measure can tell wrong landmarks apart: swapping left and right, or moving every point
    # by a fifth of the eye distance, fails it
    iod = np.linalg.norm(result.truth[:, 45] - result.truth[:, 36], axis=1)[:, None]
    nme = lambda t: (np.linalg.norm(result.predicted - t, axis=2) / iod).mean()  # noqa: E731
    assert abs(nme(result.truth) - result.mean_nme) < 1e-6
    assert nme(result.truth[:, MIRROR]) > 0.15
    assert nme(result.truth + 0.2 * iod[..., None] * np.array([0.0, 1.0])) > 0.15


def test_dlib_finds_no_face_in_a_blank_picture():
    assert dlib_landmarks(np.full((128, 128, 3), 127, np.uint8)) is None
