"""Three sizes of the few-shot talking-head GAN (Zakharov et al. 2019): `tiny`, `small` and `paper`.

    tiny    32 px, a few channels: the tests' size (a full meta-learning step in well under a second)
    small   64 px, the classroom's CPU model (chapter 08 meta-trains it on FaceWorld on 2 cores)
    paper   256 px, as close to the paper as we can state it (a GPU model; only instantiated in tests)

Channel counts of `paper` follow the paper's appendix as re-implemented publicly (64 → 512 channels,
a 512-d embedding, self-attention at 32 × 32 going down and 64 × 64 going up); treat them as
"recalled", not quoted — check the paper before printing them.

Learning rates. The paper's lab code uses Adam with β1 = 0, β2 = 0.999 and a two-time-scale rule:
5e-5 for E and G, 2e-4 for D. `tiny` and `small` keep β1 = 0 and the 1 : 4 ratio but use 2e-4 / 8e-4,
because a CPU run has a few thousand steps where the paper had hundreds of thousands. That choice is
the course's, made for speed, and not yet compared against the paper's rates on long runs (chapter 08
should show both curves). `paper` keeps the paper's rates.

Loss scales (all logged separately, each with its scale). Measured on `small` over the first 150 steps
on FaceWorld (with a random-weight identity network, before the shipped one existed): pixel L1 0.39 → 0.29
(× 10), vgg19 stand-in 1.6 → 1.0 (× 1), vggface stand-in 0.08 → 0.07 (× 0.5), feature matching
0.2–0.4 (× 10, the paper's), embedding match 0.59 → 0.47 (× 80, the paper's). Weighted, the match term
(~40) dominates the first hundreds of steps, the content terms add up to ~4, the adversarial ones ~1–4;
none exploded and nothing became NaN. With the shipped identity network the vggface stand-in reads 3.0
at initialisation and 1.3 after 750 steps (× 0.5: 1.5 and 0.6), the same order as the pixel term
(6.0 and 1.2 weighted), so its scale stays 0.5.

W's initialisation (`w_init`). The columns W_i start as |N(0, 1)|: distinct, non-negative codes on the
scale of ê. With near-zero columns the × 80 match term dragged every ê to ~0 within 150 steps of
`small` (‖ê‖ ≈ 0.01, the same for every person), so ψ̂ = P·ê carried no identity; with |N(0, 1)| the
embeddings of different people stayed apart (spread across people 0.11 vs 0.008 between two draws of one
person, at step 150).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, replace

from ..errors import CourseError


@dataclass(frozen=True)
class TalkingHeadConfig:
    """Everything that defines one model size and its meta-learning run."""

    name: str
    size: int                          # image side, pixels (square)
    # generator G(y, ψ): residual down blocks (instance norm) -> AdaIN residual blocks -> AdaIN up blocks
    g_down: tuple[int, ...]            # output channels of each downsampling block (each halves the side)
    g_res_blocks: int                  # AdaIN residual blocks at the bottleneck
    g_up: tuple[int, ...]              # output channels of each upsampling block (each doubles the side)
    # embedder E(x, y) and discriminator trunk V(x, y): residual down blocks, no normalisation
    e_channels: tuple[int, ...]        # output channels of each downsampling block
    embed_dim: int                     # d: length of ê, of the columns W_i and of w₀
    attention_down: tuple[int, ...] = ()  # sides (px) where self-attention follows a down block (G, E, D)
    attention_up: tuple[int, ...] = ()    # sides (px) where self-attention follows a generator up block
    spectral_norm: bool = True         # "spectral normalisation ... in all convolutional and fully connected layers"
    # meta-learning
    k: int = 8                         # frames per episode for the embedder (the paper's K = 8)
    batch: int = 8                     # episodes (people) per step
    n_videos: int = 100                # training videos = columns of the discriminator's W
    w_init: float = 1.0                # W_i start as |N(0, w_init²)|: distinct, non-negative codes on the scale of ê
    frames_per_video: int = 64         # FaceWorld moments pre-rendered per video (episodes resample them)
    lr_g: float = 2e-4                 # generator and embedder
    lr_d: float = 8e-4                 # discriminator (two time-scale: 4 × lr_g)
    betas: tuple[float, float] = (0.0, 0.999)
    # loss weights (all logged separately, with these scales)
    w_pixel: float = 10.0              # L1 on pixels (the course's addition; the paper has none)
    w_vgg19: float = 1.0               # stand-in for VGG19: the course's landmark network's trunk
    w_vggface: float = 0.5             # stand-in for VGGFace: the course's identity network's blocks
    w_adv: float = 1.0                 # −D(x̂)
    w_fm: float = 10.0                 # feature matching on D's blocks (the paper's 10)
    w_mch: float = 80.0                # embedding match ‖W_i − ê_i‖₁ (the paper's 80)
    # fine-tuning
    ft_steps: int = 40                 # fine-tuning steps (chapter 08 needs K = 1 and K = 8 in ≤ 20 s on a CPU)
    ft_batch: int = 2                  # frames per fine-tuning step (min(ft_batch, K))
    ft_lr_g: float = 2e-4
    ft_lr_d: float = 8e-4
    # bookkeeping
    log_every: int = 10
    checkpoint_every: int = 200
    collapse_every: int = 50

    @property
    def bottleneck(self) -> int:
        """Side of the generator's bottleneck, pixels."""
        return self.size >> len(self.g_down)

    def to_dict(self) -> dict:
        return asdict(self)


CONFIGS: dict[str, TalkingHeadConfig] = {
    "tiny": TalkingHeadConfig(
        name="tiny", size=32, g_down=(8, 16, 32), g_res_blocks=1, g_up=(16, 8, 8),
        e_channels=(8, 16, 32, 32), embed_dim=32, attention_down=(8,), attention_up=(16,), k=2, batch=2, n_videos=4,
        frames_per_video=8, log_every=1, checkpoint_every=2, collapse_every=2, ft_steps=5),
    "small": TalkingHeadConfig(
        name="small", size=64, g_down=(16, 32, 64), g_res_blocks=2, g_up=(64, 32, 16),
        e_channels=(16, 32, 64, 128), embed_dim=128, k=4, batch=8, n_videos=100,
        frames_per_video=64),
    # paper: channels, 512-d embedding and attention placement as the notes recall them; batch and the number
    # of bottleneck blocks are the course's guesses, not quotes. n_videos: one column of W per training video,
    # and the paper meta-learns on VoxCeleb2's development split, 145,569 videos of 5,994 people (Chung,
    # Nagrani & Zisserman 2018, arXiv 1806.05622)
    "paper": TalkingHeadConfig(
        name="paper", size=256, g_down=(64, 128, 256, 512), g_res_blocks=5, g_up=(256, 128, 64, 32),
        e_channels=(64, 128, 256, 512, 512, 512), embed_dim=512, attention_down=(32,), attention_up=(64,), k=8, batch=48,
        n_videos=145_569, frames_per_video=64, lr_g=5e-5, lr_d=2e-4, w_pixel=0.0, w_vgg19=1.5e-1,
        w_vggface=2.5e-2, log_every=100, checkpoint_every=5000, collapse_every=1000, ft_steps=40, ft_batch=8,
        ft_lr_g=5e-5, ft_lr_d=2e-4),
}


def get_config(name: str | TalkingHeadConfig = "small", **overrides) -> TalkingHeadConfig:
    """A config by name, with any field overridden: get_config('small', k=8, batch=4)."""
    if isinstance(name, TalkingHeadConfig):
        base = name
    elif name in CONFIGS:
        base = CONFIGS[name]
    else:
        raise CourseError(f"config must be one of {', '.join(CONFIGS)}, not {name!r}.")
    unknown = set(overrides) - set(base.to_dict())
    if unknown:
        raise CourseError(f"{', '.join(sorted(unknown))} is not a setting of the talking-head config.")
    cfg = replace(base, **{k: v for k, v in overrides.items() if v is not None})
    if cfg.size % (1 << len(cfg.e_channels)) or cfg.size % (1 << len(cfg.g_down)):
        raise CourseError(f"size {cfg.size} must be divisible by 2 ** (number of down blocks).")
    if len(cfg.g_up) != len(cfg.g_down):
        raise CourseError("the generator needs as many upsampling blocks as downsampling blocks.")
    return cfg
