#!/usr/bin/python3
"""Captures a PyTorch model's layer outputs for `offload-sim measure`, named as in its ONNX export.

Use it as a library inside a training script (Debian's python3-torch and python3-onnx):

    from capture_activations import ActivationCapture
    capture = ActivationCapture(model, example_input, "captures", onnx_path="model.onnx")
    for step in range(steps):
        ...train...
        if step in capture_steps:
            capture.capture(batch, step=step, progress=step / (steps - 1))

then, without a hand-written map:

    offload-sim measure captures --network model.onnx --profile network.json

`ActivationCapture` exports the model to ONNX once (opset 13, symbolic batch, the module's
mode at that moment) and pairs every hooked module with the ONNX node it became: by torch's
scoped node name ("/features/features.0/Conv", PyTorch 1.13 and later) where it exists, else by
the order of the nodes of that operator type. `offload-sim import` keeps ONNX node names as
layer names, so the manifest's `layer_name` is the network layer.

Each `capture()` runs one forward pass under torch.no_grad() with forward hooks on the chosen
module types and writes, in OUT/step_<step>/, one .npy per hooked module output (float32, C
order, NCHW, the whole batch) and manifest.json: a list of {"file", "layer_name" (the ONNX node),
"module" (the PyTorch module name), "op", "shape", "dtype", "layout", "step", "progress"}. The
model's training mode is kept during the pass unless eval=True is given; capturing does not
change the model.
"""
import json
import os
import tempfile

import numpy as np
import onnx
import torch
from torch import nn

# PyTorch module type -> the ONNX operator torch.onnx exports it as.
ONNX_OP = {
    nn.Conv1d: "Conv", nn.Conv2d: "Conv", nn.Linear: "Gemm", nn.ReLU: "Relu", nn.ReLU6: "Clip",
    nn.MaxPool2d: "MaxPool", nn.AvgPool2d: "AveragePool", nn.AdaptiveAvgPool2d: "GlobalAveragePool",
    nn.BatchNorm2d: "BatchNormalization", nn.Flatten: "Flatten", nn.Softmax: "Softmax",
}
DEFAULT_TYPES = (nn.Conv2d, nn.Linear, nn.ReLU, nn.ReLU6, nn.MaxPool2d, nn.AvgPool2d)


def scoped_name(module_name, op):
    """torch.onnx's node name for a module: '/a/a.b/Op' for module 'a.b'."""
    parts = module_name.split(".")
    return "/" + "/".join(".".join(parts[: k + 1]) for k in range(len(parts))) + "/" + op


def safe_file_name(layer_name):
    return layer_name.strip("/").replace("/", ".").replace(":", "_") + ".npy"


class ActivationCapture:
    def __init__(self, model, example_input, out_dir, onnx_path=None, module_types=DEFAULT_TYPES):
        self.model = model
        self._example = example_input
        self.out_dir = out_dir
        self.module_types = tuple(module_types)
        self.modules = [(name, m) for name, m in model.named_modules()
                        if isinstance(m, self.module_types) and name]
        if not self.modules:
            raise ValueError("the model has no module of the chosen types")
        self.onnx_path = onnx_path or os.path.join(tempfile.mkdtemp(), "model.onnx")
        self._export(example_input)
        self.node_of = self._pair_modules_with_nodes()

    def _export(self, example_input):
        was_training = self.model.training
        self.model.eval()  # the export's structure; a structure does not depend on the mode here
        try:
            torch.onnx.export(self.model, example_input, self.onnx_path, input_names=["input"],
                              output_names=["output"], opset_version=13,
                              dynamic_axes={"input": {0: "batch"}, "output": {0: "batch"}})
        finally:
            self.model.train(was_training)
        self.onnx_nodes = [(n.name, n.op_type) for n in onnx.load(self.onnx_path).graph.node]

    def _pair_modules_with_nodes(self):
        names = {name for name, _ in self.onnx_nodes}
        by_op = {}
        for name, op in self.onnx_nodes:
            by_op.setdefault(op, []).append(name)
        # The order modules run in, from one forward pass.
        order = []
        hooks = [m.register_forward_hook(lambda mod, i, o, n=name: order.append(n)) for name, m in self.modules]
        try:
            with torch.no_grad():
                self.model.eval()
                self.model(self._example)
        finally:
            for h in hooks:
                h.remove()
        node_of = {}
        used = set()
        for name in dict.fromkeys(order):  # first call of each module, in execution order
            module = dict(self.modules)[name]
            op = next((v for k, v in ONNX_OP.items() if isinstance(module, k)), None)
            if op is None:
                continue
            candidates = [scoped_name(name, op)] + ([scoped_name(name, "MatMul")] if op == "Gemm" else [])
            match = next((c for c in candidates if c in names and c not in used), None)
            if match is None:  # by order among the nodes of that operator
                match = next((n for n in by_op.get(op, []) + by_op.get("MatMul" if op == "Gemm" else "", [])
                              if n not in used), None)
            if match is None:
                raise ValueError(f"module {name} ({type(module).__name__}) has no {op} node in the ONNX export")
            node_of[name] = match
            used.add(match)
        return node_of

    def capture(self, batch, step, progress=None, eval=False):
        """One forward pass over `batch`; writes OUT/step_<step>/ and returns that folder."""
        folder = os.path.join(self.out_dir, f"step_{step:06d}")
        os.makedirs(folder, exist_ok=True)
        outputs = {}
        hooks = [m.register_forward_hook(lambda mod, i, o, n=name: outputs.setdefault(n, o.detach().cpu()))
                 for name, m in self.modules if name in self.node_of]
        was_training = self.model.training
        try:
            if eval:
                self.model.eval()
            with torch.no_grad():
                self.model(batch)
        finally:
            self.model.train(was_training)
            for h in hooks:
                h.remove()
        manifest = []
        for name, tensor in outputs.items():
            layer = self.node_of[name]
            array = np.ascontiguousarray(tensor.numpy().astype(np.float32))
            array[array == 0] = 0.0  # -0.0 is a zero too: one representation of it in the files
            file = safe_file_name(layer)
            np.save(os.path.join(folder, file), array)
            entry = {"file": file, "layer_name": layer, "module": name,
                     "op": type(dict(self.modules)[name]).__name__, "shape": list(array.shape),
                     "dtype": "float32", "step": step}
            if array.ndim == 4:
                entry["layout"] = "NCHW"
            if progress is not None:
                entry["progress"] = round(float(progress), 6)
            manifest.append(entry)
        with open(os.path.join(folder, "manifest.json"), "w") as f:
            json.dump(manifest, f, indent=1)
        return folder

