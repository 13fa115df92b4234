"""course_utils: the helper package of the Artificial Imagination course.

One room per idea, so a reader finds it from the chapter title. Layers only point down: chapter modules use
the shared ones, FaceWorld (faces/) uses none of the chapters, and tests/test_layers.py keeps it so.

chapter                          module(s)
-------------------------------  ---------------------------------------------------------------------------
00 welcome                       envcheck (the environment report)
01 calculator to learning        calculator
02 pixels, blur, de-blur         deblur (classical restorers), deblur_net (the learned de-blurrer)
03 facial landmarks              landmarks (dlib, face-alignment, the course's detector), landmark_net
04 pixel flow                    flow.classical (Lucas–Kanade, Horn–Schunck), flow.net (learned flow), warps
05 two views to 3-D              views
06 transfer learning             transfer (curves, multi-task learning), identity_net
07 GANs in a nutshell            gans
08 few-shot talking heads        talking_heads (models, losses, train, finetune, evaluate, portrait)
09 learned animator              animator (model, data, train, portrait)
10 spotting fakes                fakes (detectors), fakes_net, watermark, governance
workshop page                    workshop

shared by the chapters
  faces        FaceWorld: the procedural talking-head renderer, landmarks, true flow, drivers, face framing
  images       pictures in: loading, the portraits (the real Mona Lisa, the astronaut, Grace Hopper)
  uploads      what a learner uploads: where it is kept (never overwritten), its bytes and name in a widget
  driving      a real video as the driver: decode, track 68 landmarks, smooth, the neutral frame; which video drives
  judge        the independent judge of animations (dlib's networks, never trained against)
  tensors      image <-> tensor conversions and the landmark-image tensor (torch)
  metrics      PSNR, AUC, logistic regression
  models_dlib  dlib's model files
  viz, exercises, checkpoints, training, config, errors, fetch   plots, checks, checkpoints, the training loop,
               modes and the data cache, CourseError, downloads

for maintainers
  bench        `python -m course_utils.bench SUITE` measures speed, memory and quality
  tools        notebook hygiene (tools.notebooks), student versions (tools.student), the guide's timing tables
               (tools.timings), what pip cannot install (tools.system)
"""

from .config import MODE, course_mode, device, seed_everything, data_dir, output_dir
from .errors import CourseError

__version__ = "0.1.0"

__all__ = [
    "MODE",
    "course_mode",
    "device",
    "seed_everything",
    "data_dir",
    "output_dir",
    "CourseError",
    "setup_notebook",
]


def setup_notebook(*, quiet: bool = False) -> str:
    """Call once at the top of a notebook: plot style, friendly errors, and the mode it runs in."""
    from . import viz
    from .errors import install_friendly_errors

    viz.use_course_style()
    install_friendly_errors()
    mode = course_mode()
    if not quiet:
        print(f"course_utils {__version__} | mode: {mode} | device: {device()}")
    return mode
