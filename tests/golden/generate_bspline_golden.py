#!/usr/bin/python3
"""Golden values for the cubic B-spline up-sampling of volumes (data/volume/interpolation.cpp).

Run once with Debian's interpreter (python3-scipy, python3-h5py) from the repository root:

    /usr/bin/python3 tests/golden/generate_bspline_golden.py

Writes tests/golden/bspline.h5 (or the path given as the first argument): a small random volume
`low` (float32, [1, D, H, W] as the engine's HDF5 volume reader expects) and, for each case, the
volume scipy.ndimage.map_coordinates(order=3, mode="mirror") computes in float64 at the
coordinates the engine uses (align_corners = false: output voxel j of an axis going from n_low to
n_high voxels samples low coordinate (j + 0.5) * n_low / n_high - 0.5). The random values come
from a fixed seed and HDF5 timestamps are off, so two runs give byte-identical files.
"""

import os
import sys

import numpy as np
import scipy
from scipy import ndimage

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from generate_golden import create_file  # noqa: E402  (no object timestamps: reruns are identical)

CASES = {  # dataset name -> output size (D, H, W)
    "cubic_2_2_2": (10, 12, 14),   # factor 2 on every axis
    "cubic_4_1_1": (20, 6, 7),     # thick slices: factor 4 along D only
    "cubic_7_9_11": (7, 9, 11),    # sizes that are not multiples of the input's
}


def coordinates(n_low, n_high):
    return (np.arange(n_high, dtype=np.float64) + 0.5) * n_low / n_high - 0.5


def main():
    out = sys.argv[1] if len(sys.argv) > 1 else "tests/golden/bspline.h5"
    rng = np.random.default_rng(20261203)
    low = rng.uniform(-1.0, 1.0, size=(5, 6, 7)).astype(np.float32)
    with create_file(out) as f:
        f.attrs["generator"] = "tests/golden/generate_bspline_golden.py"
        f.attrs["scipy_version"] = scipy.__version__
        f.create_dataset("low", data=low[None], track_times=False)
        for name, size in CASES.items():
            grid = np.meshgrid(*[coordinates(n, m) for n, m in zip(low.shape, size)], indexing="ij")
            high = ndimage.map_coordinates(low.astype(np.float64), grid, order=3, mode="mirror")
            f.create_dataset(name, data=high[None], track_times=False)
    print(f"wrote {out}: low {low.shape}, cases {list(CASES)}")


if __name__ == "__main__":
    main()
