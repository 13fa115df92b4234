"""The few-shot talking-head GAN of Zakharov, Shysheya, Burkov and Lempitsky (ICCV 2019, arXiv 1905.08233),
scaled to a CPU classroom and written to be read next to the paper.

    config     tiny / small / paper sizes, learning rates, loss scales     get_config('small')
    blocks     ResDown, AdaIN, AdaINResBlock, AdaINResUp, SelfAttention, spectral norm
    models     Embedder E, Generator G (ψ̂ = P·ê, psi_slices()), projection Discriminator D, TalkingHeadGAN
    losses     content (pixel + stand-ins for VGG19 / VGGFace), hinge, feature matching, embedding match
    data       FaceWorld episodes (frame bank) and VideoFolderDataset (real .mp4, landmarks cached once)
    train      meta-learning with logs, checkpoints, --resume and DistributedDataParallel (torchrun)
    finetune   feed_forward (FF) and fine_tune (FT) for a new person from K frames; init='generic' starts FT from ē
    ablation   the initialisation ablation: FT from the person (ψ′ = P·ê) vs from ē, curves by step
    guards     AdaIN slices, collapse, NaN — what went wrong in public re-implementations
    evaluate   the paper's Table 1 on held-out FaceWorld people (warps, FF, FT; K = 1, 8, 32)
    portrait   TalkingPortrait: a real portrait cropped like FaceWorld, FF or FT on it, driven or posed

    python -m course_utils.talking_heads train --config small --data faceworld [--steps N] [--k K] [--resume]
    python -m course_utils.talking_heads ft-init        the ablation's curves (docs/bench/ft-init-standard.json)
"""

from .config import CONFIGS, TalkingHeadConfig, get_config
from .finetune import (PersonalisedDiscriminator, PersonalisedGenerator, embed_person, feed_forward, fine_tune,
                       mean_embedding)
from .guards import TalkingHeadWarning, TrainingDiverged, check_collapse, check_finite, check_psi_slices
from .losses import PerceptualNets, Terms, perceptual_nets
from .models import Discriminator, Embedder, Generator, TalkingHeadGAN

__all__ = [
    "CONFIGS", "TalkingHeadConfig", "get_config", "Embedder", "Generator", "Discriminator", "TalkingHeadGAN",
    "PerceptualNets", "perceptual_nets", "Terms", "feed_forward", "fine_tune", "embed_person", "mean_embedding",
    "PersonalisedGenerator", "PersonalisedDiscriminator", "TalkingHeadWarning", "TrainingDiverged",
    "check_collapse", "check_finite", "check_psi_slices", "meta_train", "meta_step", "load_run", "load_talking_heads",
    "load_curves",
]


def __getattr__(name):  # the training module (and torch.distributed) only when asked for
    if name in ("meta_train", "load_run", "load_talking_heads", "meta_step", "load_curves"):
        from . import train as _train

        return _train.train if name == "meta_train" else getattr(_train, name)
    raise AttributeError(name)
