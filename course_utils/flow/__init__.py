"""Chapter 04's room: the paths pixels take when a face moves (optical flow).

- classical  optical flow from scratch (Lucas–Kanade, Horn–Schunck), OpenCV's (Farnebäck, DIS) in the
             same convention, backward warping (grid_sample and cv2.remap), end-point error, pictures
- pairs      FaceWorld image pairs with their exact flow: the exam every method sits (and the same pairs
             with a detector's landmarks instead of the renderer's)
- net        a learned flow network driven by landmarks (import it yourself: `from course_utils.flow
             import net`; it pulls in torch models, so `import course_utils.flow` stays light)

Convention everywhere: backward flow (H, W, 2) float32 pixels with second(x) ≈ first(x + flow), so
`warp(first, flow)` ≈ second.
"""

from .classical import (DIS_PRESETS, FARNEBACK_DEFAULTS, METHODS, FlowMethod, color_wheel, compare, dis, draw_arrows,
                        endpoint_error, epe_map, farneback, flow_to_color, flow_to_grid, gradients, horn_schunck,
                        lucas_kanade, to_gray, warp, warp_cv2)
from .pairs import FlowPair, detect_points, face_mask, faceworld_pairs, make_pair, pair_frames, with_detected_landmarks

__all__ = [
    "to_gray", "gradients", "lucas_kanade", "horn_schunck", "farneback", "dis", "FARNEBACK_DEFAULTS", "DIS_PRESETS",
    "warp", "warp_cv2", "flow_to_grid", "epe_map", "endpoint_error", "flow_to_color", "color_wheel", "draw_arrows",
    "METHODS", "FlowMethod", "compare", "FlowPair", "face_mask", "faceworld_pairs", "make_pair", "pair_frames",
    "detect_points", "with_detected_landmarks",
]
