#!/usr/bin/python3
"""Writes the ONNX test fixtures of tests/core/tst_onnx_import.cpp.

Run with Debian's Python and python3-onnx (apt-get install python3-onnx):

    /usr/bin/python3 tests/data/onnx/make_fixtures.py

The files are committed; the tests read them and need no Python. Good models go to this folder,
malformed ones to bad/. Weights are small seeded random values: the importer reads only their
dimensions, so their values do not matter.
"""
import os

import numpy as np
import onnx
from onnx import TensorProto, helper

HERE = os.path.dirname(os.path.abspath(__file__))
BAD = os.path.join(HERE, "bad")
RNG = np.random.default_rng(7)
OPSET = 13


def weight(name, *dims):
    return helper.make_tensor(name, TensorProto.FLOAT, dims, RNG.standard_normal(dims).astype(np.float32).ravel())


def ints(name, values):
    return helper.make_tensor(name, TensorProto.INT64, [len(values)], values)


def scalar(name, value):
    return helper.make_tensor(name, TensorProto.FLOAT, [], [value])


def model(nodes, inputs, outputs, initializers=(), name="fixture", opset=OPSET, check=True):
    graph = helper.make_graph(nodes, name, inputs, outputs, list(initializers))
    m = helper.make_model(graph, opset_imports=[helper.make_opsetid("", opset)],
                          producer_name="make_fixtures.py")
    m.ir_version = 8
    if check:
        onnx.checker.check_model(m)
    return m


def tensor(name, dims):
    return helper.make_tensor_value_info(name, TensorProto.FLOAT, dims)


def save(m, name, folder=HERE):
    os.makedirs(folder, exist_ok=True)
    with open(os.path.join(folder, name), "wb") as f:
        f.write(m.SerializeToString())


def tiny_conv():
    """conv-relu-pool-conv-relu-globalpool-flatten-gemm-softmax on 3x32x32, symbolic batch N."""
    nodes = [
        helper.make_node("Conv", ["x", "w1", "b1"], ["c1"], name="conv1", kernel_shape=[3, 3], pads=[1, 1, 1, 1]),
        helper.make_node("Relu", ["c1"], ["r1"], name="relu1"),
        helper.make_node("MaxPool", ["r1"], ["p1"], name="pool1", kernel_shape=[2, 2], strides=[2, 2]),
        helper.make_node("Conv", ["p1", "w2"], ["c2"], name="conv2", kernel_shape=[3, 3], pads=[1, 1, 1, 1],
                         strides=[2, 2]),
        helper.make_node("Relu", ["c2"], ["r2"], name="relu2"),
        helper.make_node("GlobalAveragePool", ["r2"], ["g"], name="gap"),
        helper.make_node("Flatten", ["g"], ["f"], name="flatten", axis=1),
        helper.make_node("Gemm", ["f", "wfc", "bfc"], ["logits"], name="fc", transB=1),
        helper.make_node("Softmax", ["logits"], ["y"], name="softmax", axis=1),
    ]
    inits = [weight("w1", 8, 3, 3, 3), weight("b1", 8), weight("w2", 16, 8, 3, 3), weight("wfc", 10, 16),
             weight("bfc", 10)]
    return model(nodes, [tensor("x", ["N", 3, 32, 32])], [tensor("y", ["N", 10])], inits, name="tiny_conv")


def branch_concat():
    """An inception-like block: three branches joined by a channel concat, fixed batch 2."""
    nodes = [
        helper.make_node("Conv", ["x", "wa"], ["a"], name="branch_1x1", kernel_shape=[1, 1]),
        helper.make_node("Relu", ["a"], ["ra"], name="branch_1x1_relu"),
        helper.make_node("Conv", ["x", "wb"], ["b"], name="branch_3x3", kernel_shape=[3, 3], pads=[1, 1, 1, 1]),
        helper.make_node("Relu", ["b"], ["rb"], name="branch_3x3_relu"),
        helper.make_node("MaxPool", ["x"], ["p"], name="branch_pool", kernel_shape=[3, 3], pads=[1, 1, 1, 1],
                         strides=[1, 1]),
        helper.make_node("Conv", ["p", "wc"], ["c"], name="branch_pool_proj", kernel_shape=[1, 1]),
        helper.make_node("Concat", ["ra", "rb", "c"], ["y"], name="join", axis=1),
    ]
    inits = [weight("wa", 8, 16, 1, 1), weight("wb", 8, 16, 3, 3), weight("wc", 4, 16, 1, 1)]
    return model(nodes, [tensor("x", [2, 16, 16, 16])], [tensor("y", [2, 20, 16, 16])], inits, name="branch_concat")


def residual_add():
    """A ResNet basic block: conv-bn-relu-conv-bn, added to the block input, then relu."""
    def bn(prefix, channels):
        return [weight(prefix + "_scale", channels), weight(prefix + "_bias", channels),
                weight(prefix + "_mean", channels), helper.make_tensor(prefix + "_var", TensorProto.FLOAT,
                                                                       [channels], [1.0] * channels)]
    nodes = [
        helper.make_node("Conv", ["x", "w1"], ["c1"], name="conv1", kernel_shape=[3, 3], pads=[1, 1, 1, 1]),
        helper.make_node("BatchNormalization", ["c1", "bn1_scale", "bn1_bias", "bn1_mean", "bn1_var"], ["n1"],
                         name="bn1"),
        helper.make_node("Relu", ["n1"], ["r1"], name="relu1"),
        helper.make_node("Conv", ["r1", "w2"], ["c2"], name="conv2", kernel_shape=[3, 3], pads=[1, 1, 1, 1]),
        helper.make_node("BatchNormalization", ["c2", "bn2_scale", "bn2_bias", "bn2_mean", "bn2_var"], ["n2"],
                         name="bn2"),
        helper.make_node("Add", ["n2", "x"], ["s"], name="skip_add"),
        helper.make_node("Relu", ["s"], ["y"], name="relu_out"),
    ]
    inits = [weight("w1", 8, 8, 3, 3), weight("w2", 8, 8, 3, 3)] + bn("bn1", 8) + bn("bn2", 8)
    return model(nodes, [tensor("x", ["batch", 8, 8, 8])], [tensor("y", ["batch", 8, 8, 8])], inits,
                 name="residual_add")


def unsupported_op():
    """A conv followed by LeakyRelu (no layer kind of ours) and another conv."""
    nodes = [
        helper.make_node("Conv", ["x", "w1"], ["c1"], name="conv1", kernel_shape=[3, 3], pads=[1, 1, 1, 1]),
        helper.make_node("LeakyRelu", ["c1"], ["l1"], name="leaky1", alpha=0.1),
        helper.make_node("Conv", ["l1", "w2"], ["y"], name="conv2", kernel_shape=[1, 1]),
    ]
    inits = [weight("w1", 4, 3, 3, 3), weight("w2", 2, 4, 1, 1)]
    return model(nodes, [tensor("x", ["N", 3, 8, 8])], [tensor("y", ["N", 2, 8, 8])], inits, name="unsupported_op")


def mlp_relu6():
    """x @ W + b exported as MatMul and Add (the bias folds into the fc layer), ReLU6 as Clip."""
    nodes = [
        helper.make_node("MatMul", ["x", "w1"], ["m1"], name="fc1_matmul"),
        helper.make_node("Add", ["m1", "b1"], ["a1"], name="fc1_bias"),
        helper.make_node("Clip", ["a1", "zero", "six"], ["r1"], name="relu6"),
        helper.make_node("MatMul", ["r1", "w2"], ["m2"], name="fc2"),
        helper.make_node("Softmax", ["m2"], ["y"], name="softmax", axis=-1),
    ]
    inits = [weight("w1", 16, 32), weight("b1", 32), weight("w2", 32, 4), scalar("zero", 0.0), scalar("six", 6.0)]
    return model(nodes, [tensor("x", ["N", 16])], [tensor("y", ["N", 4])], inits, name="mlp_relu6")


# ---- malformed models: each must be rejected with exit code 2, naming the file and the place ----

def relu_chain(input_dims, name="bad"):
    nodes = [helper.make_node("Relu", ["x"], ["y"], name="relu")]
    return model(nodes, [tensor("x", input_dims)], [tensor("y", None)], name=name, check=False)


def bad_models():
    good = tiny_conv().SerializeToString()
    out = {}
    out["empty.onnx"] = b""
    out["truncated.onnx"] = good[: len(good) // 2]
    out["not-protobuf.onnx"] = b"\xff\xff\xff\xff this is not a protobuf message \x00\x01"
    out["json-instead.onnx"] = b'{"format": "offload-studio/network", "version": 1}'

    m = helper.make_model(helper.make_graph([], "g", [], []), opset_imports=[helper.make_opsetid("", OPSET)])
    m.ClearField("graph")
    out["no-graph.onnx"] = m.SerializeToString()

    m = relu_chain(["N", 3, 8, 8])
    m.opset_import[0].version = 99
    out["unknown-opset.onnx"] = m.SerializeToString()

    m = relu_chain(["N", 3, 8, 8])
    m.ClearField("graph")
    g = helper.make_graph([helper.make_node("Relu", ["x"], ["y"], name="relu")], "g",
                          [helper.make_tensor_value_info("x", TensorProto.FLOAT, None)], [tensor("y", None)])
    m.graph.CopyFrom(g)
    out["missing-input-shape.onnx"] = m.SerializeToString()

    out["zero-dim.onnx"] = relu_chain(["N", 0, 8, 8]).SerializeToString()
    out["negative-dim.onnx"] = relu_chain(["N", 3, -5, 8]).SerializeToString()
    out["huge-dim.onnx"] = relu_chain(["N", 3, 2_000_000_000, 8]).SerializeToString()
    out["symbolic-channels.onnx"] = relu_chain(["N", "C", 8, 8]).SerializeToString()
    out["rank-5-input.onnx"] = relu_chain(["N", 3, 4, 4, 4]).SerializeToString()

    # A convolution with 2^31 output channels: absurd even as a generic layer.
    nodes = [helper.make_node("Conv", ["x", "w"], ["y"], name="giant_conv", kernel_shape=[1, 1])]
    w = TensorProto(name="w", data_type=TensorProto.FLOAT, dims=[2 ** 31, 3, 1, 1])  # dimensions only
    out["huge-output.onnx"] = model(nodes, [tensor("x", ["N", 3, 64, 64])], [tensor("y", None)], [w],
                                    check=False).SerializeToString()

    nodes = [helper.make_node("Add", ["x", "b"], ["a"], name="add_a"),
             helper.make_node("Relu", ["a"], ["b"], name="relu_b")]
    out["cyclic.onnx"] = model(nodes, [tensor("x", ["N", 3, 8, 8])], [tensor("b", None)],
                               check=False).SerializeToString()

    nodes = [helper.make_node("Add", ["x", "ghost"], ["y"], name="reads_ghost")]
    out["dangling-input.onnx"] = model(nodes, [tensor("x", ["N", 3, 8, 8])], [tensor("y", None)],
                                       check=False).SerializeToString()

    nodes = [helper.make_node("Relu", ["w"], ["y"], name="relu_of_weight")]
    g = helper.make_graph(nodes, "g", [tensor("w", [1, 3, 8, 8])], [tensor("y", None)],
                          [helper.make_tensor("w", TensorProto.FLOAT, [1, 3, 8, 8], [0.0] * 192)])
    out["no-network-input.onnx"] = helper.make_model(
        g, opset_imports=[helper.make_opsetid("", OPSET)]).SerializeToString()

    nodes = [helper.make_node("Add", ["x", "z"], ["y"], name="add")]
    out["two-inputs.onnx"] = model(nodes, [tensor("x", ["N", 3, 8, 8]), tensor("z", ["N", 3, 8, 8])],
                                   [tensor("y", None)], check=False).SerializeToString()

    nodes = [helper.make_node("Relu", ["x"], ["y"], name="first"), helper.make_node("Sigmoid", ["x"], ["y"],
                                                                                   name="second")]
    out["duplicate-output.onnx"] = model(nodes, [tensor("x", ["N", 3, 8, 8])], [tensor("y", None)],
                                         check=False).SerializeToString()

    nodes = [helper.make_node("FancyConv", ["x"], ["y"], name="fancy")]
    out["unknown-operator.onnx"] = model(nodes, [tensor("x", ["N", 3, 8, 8])], [tensor("y", None)],
                                         check=False).SerializeToString()

    nodes = [helper.make_node("Conv", ["x", "w"], ["y"], name="conv_mismatch", kernel_shape=[3, 3])]
    out["channel-mismatch.onnx"] = model(nodes, [tensor("x", ["N", 3, 8, 8])], [tensor("y", None)],
                                         [weight("w", 8, 5, 3, 3)], check=False).SerializeToString()

    nodes = [helper.make_node("Conv", ["x", "w"], ["y"], name="conv_too_big", kernel_shape=[7, 7])]
    out["kernel-too-big.onnx"] = model(nodes, [tensor("x", ["N", 3, 4, 4])], [tensor("y", None)],
                                       [weight("w", 8, 3, 7, 7)], check=False).SerializeToString()

    nodes = [helper.make_node("Reshape", ["x", "shape"], ["y"], name="bad_reshape")]
    out["reshape-mismatch.onnx"] = model(nodes, [tensor("x", [2, 3, 8, 8])], [tensor("y", None)],
                                         [ints("shape", [2, 7, 7])], check=False).SerializeToString()

    then_graph = helper.make_graph([helper.make_node("Relu", ["x"], ["t"])], "then", [], [tensor("t", None)])
    else_graph = helper.make_graph([helper.make_node("Sigmoid", ["x"], ["e"])], "else", [], [tensor("e", None)])
    nodes = [helper.make_node("ReduceMax", ["x"], ["m"], name="max", keepdims=0),
             helper.make_node("Greater", ["m", "zero"], ["cond"], name="cmp"),
             helper.make_node("If", ["cond"], ["y"], name="branch", then_branch=then_graph, else_branch=else_graph)]
    out["control-flow.onnx"] = model(nodes, [tensor("x", ["N", 3, 8, 8])], [tensor("y", None)],
                                     [scalar("zero", 0.0)], check=False).SerializeToString()

    nodes = [helper.make_node("Conv", ["x", "w"], ["c"], name="conv", kernel_shape=[1, 1]),
             helper.make_node("Mystery", ["c"], ["y"], name="custom_op", domain="com.example")]
    m = model(nodes, [tensor("x", ["N", 3, 8, 8])], [tensor("y", None)], [weight("w", 4, 3, 1, 1)], check=False)
    m.opset_import.append(helper.make_opsetid("com.example", 1))
    out["custom-domain-no-shape.onnx"] = m.SerializeToString()

    nodes = [helper.make_node("Relu", ["x"], ["y"], name="relu")]
    m = model(nodes, [tensor("x", ["N", 3, 8, 8])], [tensor("y", None)], check=False)
    m.ir_version = 0
    out["no-ir-version.onnx"] = m.SerializeToString()
    return out


def main():
    for make in (tiny_conv, branch_concat, residual_add, unsupported_op, mlp_relu6):
        save(make(), make.__name__ + ".onnx")
    for name, data in bad_models().items():
        os.makedirs(BAD, exist_ok=True)
        with open(os.path.join(BAD, name), "wb") as f:
            f.write(data)


if __name__ == "__main__":
    main()
