"""Images and tensors: arrays in, tensors out.

Every network of the course reads and writes pictures as float32 tensors in [-1, 1], channels first; every
picture outside a network is a NumPy (H, W, 3) uint8 array. This module is the one place that converts
between the two (modelled on kornia's image_to_tensor, one function for one image or a batch):

    image_to_tensor(img)          (H, W, 3) uint8 -> (3, H, W);  (B, H, W, 3) -> (B, 3, H, W)   float32 in [-1, 1]
    tensor_to_image(t)            the inverse: (3, H, W) or (B, 3, H, W) in [-1, 1] -> uint8 (clamped, rounded)
    landmark_tensor(points, S)    the landmark image (faces.landmark_image) as a (3, S, S) tensor;
                                  (N, 68, 2) points -> (N, 3, S, S)
    n_params(module)              how many learnable numbers a network has

A pixel value v becomes v / 127.5 − 1, so 0 -> −1, 255 -> +1; tensor_to_image maps back exactly.
"""

from __future__ import annotations

import numpy as np
import torch
from torch import nn

from .errors import CourseError


def image_to_tensor(img) -> torch.Tensor:
    """One picture (H, W, 3) -> (3, H, W), or a batch (B, H, W, 3) -> (B, 3, H, W): float32 in [-1, 1]
    (v / 127.5 − 1). img is uint8 in [0, 255] (a float array in [0, 255] is scaled the same way).
    The result is a channels-first view of the pixels' order in memory, as torch's permute gives it."""
    arr = np.asarray(img)
    if arr.ndim not in (3, 4) or arr.shape[-1] != 3 or not np.issubdtype(arr.dtype, np.number):
        raise CourseError(f"image_to_tensor needs a colour picture (H, W, 3) or a batch of them (B, H, W, 3) "
                          f"as numbers, not an array of shape {arr.shape} and type {arr.dtype}.")
    order = (2, 0, 1) if arr.ndim == 3 else (0, 3, 1, 2)
    return torch.from_numpy(np.ascontiguousarray(arr)).permute(*order).float().div(127.5).sub(1.0)


def tensor_to_image(t: torch.Tensor) -> np.ndarray:
    """The inverse of image_to_tensor: (3, H, W) -> (H, W, 3), or (B, 3, H, W) -> (B, H, W, 3) uint8.
    Values in [-1, 1] (clamped to it first) map to 0 … 255, rounded to the nearest level."""
    if not torch.is_tensor(t) or t.dim() not in (3, 4) or t.shape[-3] != 3:
        shape = tuple(t.shape) if torch.is_tensor(t) else type(t).__name__
        raise CourseError(f"tensor_to_image needs a tensor (3, H, W) or (B, 3, H, W) in [-1, 1], not {shape}.")
    u8 = t.detach().float().clamp(-1, 1).add(1).mul(127.5).round().byte()
    return u8.permute(*((1, 2, 0) if u8.dim() == 3 else (0, 2, 3, 1))).cpu().numpy()


def landmark_tensor(points, size: int) -> torch.Tensor:
    """The landmark image of 68 points (faces.landmark_image: coloured polylines on black, size × size)
    as a (3, size, size) float32 tensor in [-1, 1]; points (N, 68, 2) give a (N, 3, size, size) batch,
    stacked one landmark image at a time. Points are in pixels of the size × size picture."""
    from .faces.landmark_drawing import landmark_image

    pts = np.asarray(points)
    if pts.ndim == 3:
        if len(pts) == 0:
            raise CourseError("landmark_tensor needs at least one set of 68 points, not an empty list.")
        return torch.stack([image_to_tensor(landmark_image(p, size)) for p in pts])
    return image_to_tensor(landmark_image(pts, size))


def n_params(module: nn.Module) -> int:
    """Number of learnable numbers (parameters) in a network."""
    return sum(p.numel() for p in module.parameters())
