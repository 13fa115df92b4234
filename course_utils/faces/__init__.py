"""FaceWorld: a procedural, seeded world of talking heads with exact landmarks and flow.

No dataset of talking faces ships with Python; FaceWorld makes them on the fly, offline. Each
identity (sampled from a seed) has its own face shape, skin, hair, eyes, brows, nose, lips,
glasses, beard, clothes and background. Each frame has a head pose, an expression and a light.

    >>> from course_utils import faces
    >>> person = faces.sample_identity(7)
    >>> frame = faces.Frame(faces.Pose(yaw=15), faces.Expression(jaw_open=0.6, smile=0.3))
    >>> out = faces.render(person, frame, size=128)
    >>> out.image.shape, out.landmarks.shape          # (128, 128, 3) uint8, (68, 2) float32
    >>> y = faces.landmark_image(out.landmarks, 128)  # the talking-head GAN's input image

Modules, one idea each: template (the 68-point scheme), identity (who and what: dataclasses),
head (the head surface), mesh (one identity's triangle mesh and expressions), texture (its
painted skin, eyes, hair), raster (a vectorised z-buffer), renderer (pictures and landmarks), flow
(ground-truth optical flow, dense warping), landmark_drawing, video (talking trajectories), splits (train,
validation and test identities), framing (a face cropped from its landmarks), drivers (FaceWorld people
driving a portrait, the average face's landmarks), speed, dlib_check (does a real detector agree?).
"""

from .drivers import (AVERAGE_PERSON, REF_SIZE, driver_points, faceworld_driver, faceworld_five_points,
                      faceworld_landmarks)
from .flow import flow_to_color, flow_to_grid, ground_truth_flow, warp, warp_torch
from .framing import CANONICAL_POINTS, canonical_points, crop_with_matrix, five_points, frame_face, similarity_transform
from .identity import (BEARDS, GLASSES, HAIR_STYLES, Expression, Frame, Identity, Pose, light_from_angles,
                       random_expression, random_frame, random_pose, sample_identity, with_expression)
from .landmark_drawing import PART_COLORS, landmark_image
from .renderer import RenderedFrame, clear_caches, render
from .speed import measure_fps
from .splits import SPLITS, split_seeds
from .template import CANONICAL_LANDMARKS, PARTS, inter_ocular
from .video import TalkingStyle, render_video, talking_frames

__all__ = [
    "Identity", "Pose", "Expression", "Frame", "RenderedFrame",
    "sample_identity", "random_pose", "random_expression", "random_frame", "light_from_angles",
    "with_expression", "render", "clear_caches", "ground_truth_flow", "flow_to_grid", "warp", "flow_to_color",
    "landmark_image", "PART_COLORS", "talking_frames", "render_video", "TalkingStyle", "measure_fps",
    "PARTS", "CANONICAL_LANDMARKS", "inter_ocular", "HAIR_STYLES", "BEARDS", "GLASSES",
    "SPLITS", "split_seeds",
    "warp_torch", "CANONICAL_POINTS", "canonical_points", "five_points", "similarity_transform", "crop_with_matrix",
    "frame_face", "AVERAGE_PERSON", "REF_SIZE", "faceworld_landmarks", "driver_points", "faceworld_five_points",
    "faceworld_driver",
]
