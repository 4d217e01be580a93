#!/usr/bin/python3
"""Trains a small CNN on scikit-learn's digits and measures its ReLU sparsity over training.

    /usr/bin/python3 tools/train_digits_sparsity.py --offload-sim build/release/app/cli/offload-sim \\
        --out samples/measured/digits-cnn.json [--work DIR]

Needs Debian's python3-torch, python3-sklearn and python3-onnx; runs on the CPU in about a
minute. Data: scikit-learn's bundled `load_digits` (1,797 8x8 greyscale images of handwritten
digits, a copy of the test set of the UCI "Optical Recognition of Handwritten Digits" data set,
Alpaydin & Kaynak 1998, licensed CC BY 4.0; scikit-learn itself is BSD-3-Clause). The first
1,497 images (after a seeded shuffle) train, the other 300 are held out.

Training: SGD with momentum 0.9, learning rate 0.05, batch 64, 40 epochs (960 steps), seed 0,
float32 on the CPU. At 11 points of training progress (0, 0.02, 0.05, 0.1, 0.2, 0.3, 0.4, 0.5,
0.6, 0.8 and 1.0 of the steps) tools/capture_activations.py writes every conv, fc, ReLU and pool
output for the 300 held-out images; then `offload-sim measure --profile` turns the captures
into the network file, one measured sparsity curve per layer, with no hand-written map.
"""
import argparse
import json
import os
import subprocess
import sys
import tempfile

import numpy as np
import torch
from sklearn.datasets import load_digits
from torch import nn

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from capture_activations import ActivationCapture  # noqa: E402

PROGRESS_POINTS = (0.0, 0.02, 0.05, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.8, 1.0)
EPOCHS, BATCH, LR, SEED, TRAIN = 40, 64, 0.05, 0, 1497


class DigitsCnn(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv1 = nn.Conv2d(1, 16, 3, padding=1)
        self.relu1 = nn.ReLU()
        self.conv2 = nn.Conv2d(16, 32, 3, padding=1)
        self.relu2 = nn.ReLU()
        self.pool1 = nn.MaxPool2d(2)
        self.conv3 = nn.Conv2d(32, 64, 3, padding=1)
        self.relu3 = nn.ReLU()
        self.pool2 = nn.MaxPool2d(2)
        self.flatten = nn.Flatten()
        self.fc1 = nn.Linear(64 * 2 * 2, 128)
        self.relu4 = nn.ReLU()
        self.fc2 = nn.Linear(128, 10)

    def forward(self, x):
        x = self.pool1(self.relu2(self.conv2(self.relu1(self.conv1(x)))))
        x = self.pool2(self.relu3(self.conv3(x)))
        return self.fc2(self.relu4(self.fc1(self.flatten(x))))


def data():
    digits = load_digits()
    x = digits.images.astype(np.float32) / 16.0
    rng = np.random.default_rng(SEED)
    order = rng.permutation(len(x))
    x, y = x[order], digits.target[order]
    mean, std = x[:TRAIN].mean(), x[:TRAIN].std()
    x = ((x - mean) / std)[:, None, :, :]
    return (torch.from_numpy(x[:TRAIN]), torch.from_numpy(y[:TRAIN]).long(),
            torch.from_numpy(x[TRAIN:]), torch.from_numpy(y[TRAIN:]).long())


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--offload-sim", required=True, help="path of the offload-sim executable")
    parser.add_argument("--out", required=True, help="network file to write")
    parser.add_argument("--work", help="folder for the ONNX export and the captures (default: a temporary one)")
    args = parser.parse_args()
    work = args.work or tempfile.mkdtemp(prefix="digits-sparsity-")
    os.makedirs(work, exist_ok=True)
    torch.manual_seed(SEED)
    torch.set_num_threads(1)  # the same numbers on every machine that runs the same PyTorch

    x_train, y_train, x_held, y_held = data()
    model = DigitsCnn()
    onnx_path = os.path.join(work, "digits_cnn.onnx")
    capture = ActivationCapture(model, x_held[:1], os.path.join(work, "captures"), onnx_path=onnx_path)
    optimiser = torch.optim.SGD(model.parameters(), lr=LR, momentum=0.9)
    loss_fn = nn.CrossEntropyLoss()
    steps_per_epoch = (len(x_train) + BATCH - 1) // BATCH
    total = EPOCHS * steps_per_epoch
    capture_at = {round(p * total): p for p in PROGRESS_POINTS}
    step = 0
    generator = torch.Generator().manual_seed(SEED)
    for epoch in range(EPOCHS):
        order = torch.randperm(len(x_train), generator=generator)
        for k in range(steps_per_epoch):
            if step in capture_at:
                capture.capture(x_held, step=step, progress=capture_at[step])
            idx = order[k * BATCH:(k + 1) * BATCH]
            model.train()
            optimiser.zero_grad()
            loss = loss_fn(model(x_train[idx]), y_train[idx])
            loss.backward()
            optimiser.step()
            step += 1
    if step in capture_at:
        capture.capture(x_held, step=step, progress=capture_at[step])
    with torch.no_grad():
        accuracy = (model(x_held).argmax(1) == y_held).float().mean().item()
    print(f"held-out accuracy after {total} steps: {accuracy:.4f}")

    subprocess.run([args.offload_sim, "measure", os.path.join(work, "captures"), "--network", onnx_path,
                    "--profile", args.out, "--codecs", "zvc", "--repeat", "1", "--json", os.path.join(work, "measure.json")],
                   check=True, stdout=subprocess.DEVNULL)
    with open(args.out) as f:
        net = json.load(f)
    net["name"] = "Digits CNN (measured sparsity over training)"
    net["description"] = (
        "A small CNN (3 conv, 2 fc) trained on scikit-learn's digits (8x8 greyscale handwritten digits) "
        f"for {total} SGD steps, held-out accuracy {accuracy:.3f}. Every layer output was captured for "
        "300 held-out images at 11 points of training progress (tools/train_digits_sparsity.py, "
        "tools/capture_activations.py) and its zero fraction measured by offload-sim measure.")
    net["citation"] = ("not a paper network; data: scikit-learn load_digits, a copy of the UCI Optical Recognition "
                       "of Handwritten Digits data set (Alpaydin & Kaynak 1998, CC BY 4.0)")
    net["sparsity_source"] = {"source": "measured",
                              "data": "ReLU and pool outputs of 300 held-out digits at 11 points of training"}
    for layer in net["layers"]:
        layer.pop("measured_ratios", None)  # one ratio over all of training would not follow progress
        sparsity = layer.get("sparsity")
        if isinstance(sparsity, dict) and sparsity.get("source") == "measured":
            sparsity["data"] = ("zero fraction of this layer's output for 300 held-out scikit-learn digits "
                                "at each point of training (tools/train_digits_sparsity.py)")
    tmp = args.out + ".tmp"
    with open(tmp, "w") as f:
        json.dump(net, f, indent=2)
        f.write("\n")
    os.replace(tmp, args.out)
    print(f"wrote {args.out}; captures and export in {work}")


if __name__ == "__main__":
    main()
