"""How the data files beside the bundled matrix networks were made (run once from the repository root:
python problems/data/make.py DIGITS_CSV_GZ). digits.csv.gz is scikit-learn's copy of the UCI test set
of optical handwritten digits (sklearn/datasets/data/digits.csv.gz: 1,797 images of 8×8 pixels 0…16,
then the label), by E. Alpaydin and C. Kaynak, CC BY 4.0."""

import gzip
import sys

import numpy as np

with gzip.open(sys.argv[1], "rt") as f:
    table = np.loadtxt(f, delimiter=",", dtype=np.int64)
pixels, labels = table[:, :64], table[:, 64]
# digits.npz: x in [0, 1] (pixel/16, exact in float32), the labels 0…9
np.savez_compressed("problems/data/digits.npz", x=(pixels / 16).astype(np.float32), labels=labels.astype(np.uint8))
# digits28.npz: the first 500 digits at MNIST's size: each pixel a 3×3 block, the 24×24 image centred in
# 28×28 with a border of 2 (MNIST centres its digits in a 28×28 field the same way), 784 inputs
big = np.kron(pixels[:500].reshape(-1, 8, 8), np.ones((3, 3), dtype=np.int64))
field = np.zeros((500, 28, 28), dtype=np.int64)
field[:, 2:26, 2:26] = big
np.savez_compressed(
    "problems/data/digits28.npz", x=(field.reshape(500, 784) / 16).astype(np.float32), labels=labels[:500].astype(np.uint8)
)
# perceptron_192_32_50.npz: synthetic (the seed homework's own data is not public): a batch of 16
# inputs uniform in [0, 1) and 16 class labels 0…49, from seed 192
rng = np.random.default_rng(192)
np.savez_compressed("problems/data/perceptron_192_32_50.npz", x=rng.random((16, 192)), labels=rng.integers(0, 50, 16).astype(np.uint8))
