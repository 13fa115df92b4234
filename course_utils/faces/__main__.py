"""python -m course_utils.faces [gallery PATH | speed | dlib]"""

import argparse
import os

from .dlib_check import dlib_agreement
from .gallery import save_gallery
from .speed import measure_fps

parser = argparse.ArgumentParser(prog="python -m course_utils.faces", description="FaceWorld tools")
sub = parser.add_subparsers(dest="cmd", required=True)
g = sub.add_parser("gallery", help="write a contact sheet (6 identities x 5 frames, with landmarks)")
g.add_argument("path", nargs="?", default="faceworld_gallery.png")
g.add_argument("--size", type=int, default=128)
s = sub.add_parser("speed", help="frames per second on one thread (set OMP_NUM_THREADS=1)")
s.add_argument("--n", type=int, default=200)
d = sub.add_parser("dlib", help="does dlib's 68-point detector agree with FaceWorld?")
d.add_argument("--n", type=int, default=30)
d.add_argument("--size", type=int, default=128)
d.add_argument("--seed", type=int, default=0)
args = parser.parse_args()

if args.cmd == "gallery":
    print(save_gallery(args.path, size=args.size))
elif args.cmd == "speed":
    if os.environ.get("OMP_NUM_THREADS") != "1":
        print("note: run with OMP_NUM_THREADS=1 for a one-core figure")
    for size in (64, 128, 256):
        print(f"{size:4d} px: {measure_fps(size, n=args.n):6.0f} frames/s")
else:
    print(dlib_agreement(n=args.n, size=args.size, seed=args.seed))
