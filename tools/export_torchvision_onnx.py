#!/usr/bin/python3
"""Exports torchvision's ResNet-18, VGG-16, MobileNetV2 and GoogLeNet to ONNX, structure only.

    /usr/bin/python3 tools/export_torchvision_onnx.py OUT_DIR [--keep-weights]

Needs Debian's python3-torch, python3-torchvision and python3-onnx. The models are built without
pretrained weights (nothing is downloaded) and exported in evaluation mode at opset 13 with a
symbolic batch dimension named "batch". Unless --keep-weights is given, the weight tensors keep
their dimensions but lose their values, which makes the files a few kilobytes instead of up to
528 MB: `offload-sim import` reads only dimensions. Small integer tensors (reshape targets) keep
their values, since shape inference needs them.

tests/data/onnx/torchvision/ holds the output of this script; tests/core/tst_onnx_import.cpp
checks the imported shapes and FLOPs against the samples.
"""
import argparse
import os
import tempfile

import onnx
import torch
import torchvision

MODELS = {
    "resnet18": lambda: torchvision.models.resnet18(weights=None),
    "vgg16": lambda: torchvision.models.vgg16(weights=None),
    "mobilenet_v2": lambda: torchvision.models.mobilenet_v2(weights=None),
    "googlenet": lambda: torchvision.models.googlenet(weights=None, aux_logits=False, init_weights=False),
}


def strip_weights(model, keep_below=64):
    """Drops the values of every floating-point initializer of keep_below or more elements."""
    for init in model.graph.initializer:
        elements = 1
        for d in init.dims:
            elements *= d
        if init.data_type in (onnx.TensorProto.FLOAT, onnx.TensorProto.FLOAT16, onnx.TensorProto.DOUBLE) \
                and elements >= keep_below:
            init.ClearField("raw_data")
            init.ClearField("float_data")
            init.ClearField("double_data")
            init.ClearField("int32_data")
    model.doc_string = "structure only: weight values removed by tools/export_torchvision_onnx.py"
    return model


def export(name, out_dir, keep_weights):
    net = MODELS[name]().eval()
    dummy = torch.zeros(1, 3, 224, 224)
    with tempfile.TemporaryDirectory() as tmp:
        path = os.path.join(tmp, name + ".onnx")
        torch.onnx.export(net, dummy, path, input_names=["input"], output_names=["logits"],
                          dynamic_axes={"input": {0: "batch"}, "logits": {0: "batch"}}, opset_version=13,
                          do_constant_folding=True)
        model = onnx.load(path)
    if not keep_weights:
        strip_weights(model)
    target = os.path.join(out_dir, name + ".onnx")
    onnx.save(model, target)
    return target, len(model.graph.node)


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("out_dir")
    parser.add_argument("--keep-weights", action="store_true", help="keep the (random) weight values")
    parser.add_argument("--models", default=",".join(MODELS), help="comma-separated subset of " + ", ".join(MODELS))
    args = parser.parse_args()
    os.makedirs(args.out_dir, exist_ok=True)
    torch.manual_seed(0)
    for name in args.models.split(","):
        target, nodes = export(name, args.out_dir, args.keep_weights)
        print(f"{target}: {nodes} nodes, {os.path.getsize(target)} bytes")


if __name__ == "__main__":
    main()
