"""course_utils: the helper package of the Artificial Imagination course.

One module per idea of the course, so a reader finds the room from the chapter title:

- config       modes (quick / standard / full), device, seeding, the data cache
- errors       CourseError: one sentence that says what happened and what to do
- checkpoints  small hash-checked checkpoints with a manifest; "load if present, else train"
- viz          the course's plot style, image grids, show_source
- exercises    exercise checks that give hints, not just "wrong"
- envcheck     the environment report of chapter 00
- bench        `python -m course_utils.bench SUITE` measures speed, memory and quality
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
