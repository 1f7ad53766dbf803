#!/usr/bin/python3
"""Builds one tiny ONNX graph per ai.onnx.ml operator that ONNX Runtime implements,
in test/classic-ml/operators/<folder>/model.onnx, with case.json beside it: the
inputs and the outputs that ONNX Runtime gives for them.

Every expected output is computed here in numpy from the operator's specification,
following ONNX Runtime's CPU kernels where they choose something the specification
leaves open (the notes at each case say where). No randomness: every number is
written out below, so a rerun writes the same bytes.

case.json:
  {"op": <op_type>, "domain": "ai.onnx.ml", "opset": <ai.onnx.ml version imported>,
   "tolerance": <absolute, for float outputs; other outputs compare exactly>,
   "inputs":  [tensor | map, ...]   (graph order)
   "outputs": [tensor | seq(map), ...]   (graph order, every graph output)}
  tensor:   {"name", "datatype": FP32|FP64|INT64|BYTES, "shape": [...], "data": [flat, row-major]}
  map:      {"name", "datatype": <value type>, "shape": [C], "data": [values],
             "parameters": {"keys": [C keys, int or string]}}
  seq(map): {"name", "datatype": <value type>, "shape": [N, C], "data": [N*C values, row-major],
             "parameters": {"keys": [C keys]}}   row n is the n-th map of the sequence

Run:  /usr/bin/python3 test/classic-ml/operators.py
Needs Debian's python3-onnx and python3-numpy only.
"""

import json
import os
import shutil
import sys

import numpy as np
import onnx
from onnx import TensorProto, helper

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, "operators")

OPSET = 15          # default domain
IR_VERSION = 8
ML = "ai.onnx.ml"
TOLERANCE = 1e-5    # absolute, float outputs only

ONNX_TYPE = {"FP32": TensorProto.FLOAT, "FP64": TensorProto.DOUBLE, "INT64": TensorProto.INT64,
             "BYTES": TensorProto.STRING}


# ---------------------------------------------------------------- helpers

def f32(a):
    return np.asarray(a, dtype=np.float32)


def short_float(v):
    """The shortest decimal that reads back as the same float32, as a Python float."""
    s = np.format_float_positional(np.float32(v), unique=True, trim="-")
    r = float(s)
    assert np.float32(r) == np.float32(v), v
    return r


def json_values(datatype, values):
    flat = np.asarray(values, dtype=object).ravel().tolist() if datatype == "BYTES" else np.asarray(values).ravel()
    if datatype == "FP32":
        return [short_float(v) for v in flat]
    if datatype == "FP64":
        return [float(v) for v in flat]
    if datatype == "INT64":
        return [int(v) for v in flat]
    if datatype == "BYTES":
        return [str(v) for v in flat]
    raise ValueError(datatype)


def tensor(name, datatype, values, shape=None):
    """One tensor entry of case.json. values: nested lists or an array."""
    if datatype == "BYTES":
        arr = np.array(values, dtype=object)
    else:
        arr = np.asarray(values)
    shape = list(arr.shape) if shape is None else list(shape)
    data = json_values(datatype, arr)
    assert len(data) == int(np.prod(shape)), (name, shape, len(data))
    return {"name": name, "datatype": datatype, "shape": shape, "data": data}


def map_input(name, datatype, keys, values):
    assert len(keys) == len(values)
    return {"name": name, "datatype": datatype, "shape": [len(keys)], "data": json_values(datatype, values),
            "parameters": {"keys": list(keys)}}


def seq_map_output(name, datatype, keys, rows):
    rows = np.asarray(rows)
    assert rows.shape[1] == len(keys)
    return {"name": name, "datatype": datatype, "shape": list(rows.shape), "data": json_values(datatype, rows),
            "parameters": {"keys": list(keys)}}


def tensor_info(name, datatype, shape):
    return helper.make_tensor_value_info(name, ONNX_TYPE[datatype], shape)


def map_type(key_type, value_type):
    """map(key_type, tensor(value_type)); onnx 1.12's helper has no make_map_type_proto."""
    t = onnx.TypeProto()
    t.map_type.key_type = key_type
    t.map_type.value_type.CopyFrom(helper.make_tensor_type_proto(value_type, None))
    return t


def make_model(op, ml_opset, node, inputs, outputs, doc):
    graph = helper.make_graph([node], op, inputs, outputs)
    model = helper.make_model(
        graph,
        opset_imports=[helper.make_opsetid("", OPSET), helper.make_opsetid(ML, ml_opset)],
        producer_name="OpenMME test/classic-ml/operators.py",
        producer_version="1",
        domain="ai.onnx",
        model_version=0,
        doc_string=doc,
    )
    model.ir_version = IR_VERSION
    onnx.checker.check_model(model)
    return model


def node(op, inputs, outputs, **attrs):
    return helper.make_node(op, inputs, outputs, name=op, domain=ML, **attrs)


def logistic(x):
    x = np.asarray(x, dtype=np.float64)
    return 1.0 / (1.0 + np.exp(-x))


CASES = []


def case(folder, op, ml_opset, model, inputs, outputs, tolerance=TOLERANCE):
    graph_inputs = [i.name for i in model.graph.input]
    graph_outputs = [o.name for o in model.graph.output]
    assert [i["name"] for i in inputs] == graph_inputs, (folder, graph_inputs)
    assert [o["name"] for o in outputs] == graph_outputs, (folder, graph_outputs)
    CASES.append((folder, model, {"op": op, "domain": ML, "opset": ml_opset, "tolerance": tolerance,
                                  "inputs": inputs, "outputs": outputs}))


# ---------------------------------------------------------------- the operators

def array_feature_extractor():
    # Z takes X's shape with the last axis replaced by the number of indices (ONNX Runtime
    # gives [1, k] for a 1-D X: a 2-D X keeps clear of that special case).
    x = f32([[0.5, 1.5, 2.5, 3.5], [4.0, 5.0, 6.0, 7.0]])
    idx = np.array([3, 1], dtype=np.int64)
    z = x[:, idx]
    model = make_model("ArrayFeatureExtractor", 1, node("ArrayFeatureExtractor", ["X", "Y"], ["Z"]),
                       [tensor_info("X", "FP32", ["N", 4]), tensor_info("Y", "INT64", [2])],
                       [tensor_info("Z", "FP32", ["N", 2])],
                       "ArrayFeatureExtractor: Z[n, j] = X[n, Y[j]].")
    case("ArrayFeatureExtractor", "ArrayFeatureExtractor", 1, model,
         [tensor("X", "FP32", x), tensor("Y", "INT64", idx)], [tensor("Z", "FP32", z)])


def binarizer():
    # threshold written out: the specification's default is 0.0, ONNX Runtime's kernel falls back to 1.0.
    x = f32([[-1.0, 0.5, 0.75], [2.0, 0.25, 0.5]])
    y = (x > np.float32(0.5)).astype(np.float32)
    model = make_model("Binarizer", 1, node("Binarizer", ["X"], ["Y"], threshold=0.5),
                       [tensor_info("X", "FP32", ["N", 3])], [tensor_info("Y", "FP32", ["N", 3])],
                       "Binarizer(threshold=0.5): 1 where X > 0.5, else 0; same shape as X.")
    case("Binarizer", "Binarizer", 1, model, [tensor("X", "FP32", x)], [tensor("Y", "FP32", y)])


def cast_map():
    # map(int64, float) -> tensor(float) [1, max_map], SPARSE: output slot k holds the value
    # of key k, 0 where the map has no key k. The keys are given out of order on purpose.
    keys = [5, 0, 2]
    values = f32([2.5, -1.0, 0.25])
    max_map = 6
    y = np.zeros((1, max_map), dtype=np.float32)
    for k, v in zip(keys, values):
        y[0, k] = v
    model = make_model("CastMap", 1,
                       node("CastMap", ["X"], ["Y"], cast_to="TO_FLOAT", map_form="SPARSE", max_map=max_map),
                       [helper.make_value_info("X", map_type(TensorProto.INT64, TensorProto.FLOAT))],
                       [tensor_info("Y", "FP32", [1, max_map])],
                       "CastMap(cast_to=TO_FLOAT, map_form=SPARSE, max_map=6): map(int64, float) -> [1, 6].")
    case("CastMap", "CastMap", 1, model, [map_input("X", "FP32", keys, values)], [tensor("Y", "FP32", y)])


def category_mapper():
    cats_strings = ["cat", "dog", "bird"]
    cats_int64s = [3, 7, 11]
    lookup = dict(zip(cats_strings, cats_int64s))
    x = [["dog", "cat"], ["fish", "bird"]]
    y = [[lookup.get(s, -5) for s in row] for row in x]
    model = make_model("CategoryMapper", 1,
                       node("CategoryMapper", ["X"], ["Y"], cats_strings=cats_strings, cats_int64s=cats_int64s,
                            default_int64=-5, default_string="none"),
                       [tensor_info("X", "BYTES", ["N", 2])], [tensor_info("Y", "INT64", ["N", 2])],
                       "CategoryMapper string -> int64: cat 3, dog 7, bird 11, anything else -5.")
    case("CategoryMapper", "CategoryMapper", 1, model,
         [tensor("X", "BYTES", x)], [tensor("Y", "INT64", np.array(y, dtype=np.int64))])


def dict_vectorizer():
    vocabulary = ["a", "b", "c", "d"]
    keys = ["c", "a", "z"]
    values = f32([3.0, 1.5, 9.0])
    given = dict(zip(keys, values))
    y = f32([[given.get(k, 0.0) for k in vocabulary]])
    model = make_model("DictVectorizer", 1, node("DictVectorizer", ["X"], ["Y"], string_vocabulary=vocabulary),
                       [helper.make_value_info("X", map_type(TensorProto.STRING, TensorProto.FLOAT))],
                       [tensor_info("Y", "FP32", [1, len(vocabulary)])],
                       "DictVectorizer(string_vocabulary=[a, b, c, d]): map(string, float) -> [1, 4]; "
                       "keys outside the vocabulary are dropped, missing ones give 0.")
    case("DictVectorizer", "DictVectorizer", 1, model, [map_input("X", "FP32", keys, values)],
         [tensor("Y", "FP32", y)])


def feature_vectorizer():
    x0 = f32([[1.0, 2.0], [3.0, 4.0]])
    x1 = f32([[0.5, 0.25, 0.125], [-1.0, -2.0, -3.0]])
    y = np.concatenate([x0, x1], axis=1)
    model = make_model("FeatureVectorizer", 1,
                       node("FeatureVectorizer", ["X0", "X1"], ["Y"], inputdimensions=[2, 3]),
                       [tensor_info("X0", "FP32", ["N", 2]), tensor_info("X1", "FP32", ["N", 3])],
                       [tensor_info("Y", "FP32", ["N", 5])],
                       "FeatureVectorizer(inputdimensions=[2, 3]): the two inputs side by side, [N, 5].")
    case("FeatureVectorizer", "FeatureVectorizer", 1, model,
         [tensor("X0", "FP32", x0), tensor("X1", "FP32", x1)], [tensor("Y", "FP32", y)])


def imputer():
    # The sentinel is -1 rather than NaN: JSON has no NaN.
    x = f32([[1.0, -1.0, 3.0], [-1.0, 5.0, -1.0]])
    imputed = f32([10.0, 20.0, 30.0])
    y = np.where(x == np.float32(-1.0), imputed[None, :], x).astype(np.float32)
    model = make_model("Imputer", 1,
                       node("Imputer", ["X"], ["Y"], imputed_value_floats=imputed.tolist(), replaced_value_float=-1.0),
                       [tensor_info("X", "FP32", ["N", 3])], [tensor_info("Y", "FP32", ["N", 3])],
                       "Imputer: -1 in column j becomes [10, 20, 30][j].")
    case("Imputer", "Imputer", 1, model, [tensor("X", "FP32", x)], [tensor("Y", "FP32", y)])


def label_encoder_string_int64():
    # default_int64 left out: the specification's and ONNX Runtime's default is -1.
    keys = ["apple", "banana", "cherry"]
    values = [1, 2, 3]
    lookup = dict(zip(keys, values))
    x = [["banana", "kiwi"], ["apple", "cherry"]]
    y = np.array([[lookup.get(s, -1) for s in row] for row in x], dtype=np.int64)
    model = make_model("LabelEncoder", 2,
                       node("LabelEncoder", ["X"], ["Y"], keys_strings=keys, values_int64s=values),
                       [tensor_info("X", "BYTES", ["N", 2])], [tensor_info("Y", "INT64", ["N", 2])],
                       "LabelEncoder (ai.onnx.ml 2) string -> int64: apple 1, banana 2, cherry 3, default -1.")
    case("LabelEncoder-string-int64", "LabelEncoder", 2, model, [tensor("X", "BYTES", x)], [tensor("Y", "INT64", y)])


def label_encoder_int64_string():
    # default_string left out: the specification's and ONNX Runtime's default is "_Unused".
    keys = [1, 2, 3]
    values = ["one", "two", "three"]
    lookup = dict(zip(keys, values))
    x = np.array([[3], [1], [9]], dtype=np.int64)
    y = [[lookup.get(int(v), "_Unused") for v in row] for row in x]
    model = make_model("LabelEncoder", 2,
                       node("LabelEncoder", ["X"], ["Y"], keys_int64s=keys, values_strings=values),
                       [tensor_info("X", "INT64", ["N", 1])], [tensor_info("Y", "BYTES", ["N", 1])],
                       "LabelEncoder (ai.onnx.ml 2) int64 -> string: 1 one, 2 two, 3 three, default _Unused.")
    case("LabelEncoder-int64-string", "LabelEncoder", 2, model, [tensor("X", "INT64", x)], [tensor("Y", "BYTES", y)])


def linear_classifier():
    # One-vs-rest (multi_class=0), 3 classes with int64 labels, LOGISTIC on each score
    # independently (rows do not sum to 1). The label is the class of the largest raw score.
    labels = [10, 20, 30]
    coef = f32([[1.0, -0.5, 0.25],
                [-0.75, 1.0, 0.5],
                [0.5, 0.25, -1.0]])
    intercepts = f32([0.1, -0.2, 0.3])
    x = f32([[1.0, 2.0, 3.0],
             [2.0, 0.5, -1.0],
             [-1.0, 1.5, 0.5],
             [0.0, -2.0, 1.0]])
    scores = x.astype(np.float64) @ coef.T.astype(np.float64) + intercepts.astype(np.float64)
    top2 = np.sort(scores, axis=1)[:, -2:]
    assert (top2[:, 1] - top2[:, 0]).min() > 1e-2
    label = np.array([labels[i] for i in scores.argmax(axis=1)], dtype=np.int64)
    proba = logistic(scores).astype(np.float32)
    model = make_model("LinearClassifier", 1,
                       node("LinearClassifier", ["X"], ["label", "probabilities"],
                            coefficients=coef.ravel().tolist(), intercepts=intercepts.tolist(),
                            classlabels_ints=labels, multi_class=0, post_transform="LOGISTIC"),
                       [tensor_info("X", "FP32", ["N", 3])],
                       [tensor_info("label", "INT64", ["N"]), tensor_info("probabilities", "FP32", ["N", 3])],
                       "LinearClassifier(multi_class=0, post_transform=LOGISTIC), labels 10, 20, 30: "
                       "score = X W^T + b, label = class of the largest score, probabilities = 1/(1+exp(-score)).")
    case("LinearClassifier", "LinearClassifier", 1, model, [tensor("X", "FP32", x)],
         [tensor("label", "INT64", label), tensor("probabilities", "FP32", proba)])


def linear_regressor():
    coef = f32([[0.5, -1.0, 2.0],
                [1.5, 0.25, -0.5]])
    intercepts = f32([1.0, -2.0])
    x = f32([[1.0, 2.0, 3.0], [0.5, -0.5, 0.0], [-2.0, 1.0, 4.0]])
    y = (x.astype(np.float64) @ coef.T.astype(np.float64) + intercepts).astype(np.float32)
    model = make_model("LinearRegressor", 1,
                       node("LinearRegressor", ["X"], ["Y"], coefficients=coef.ravel().tolist(),
                            intercepts=intercepts.tolist(), targets=2, post_transform="NONE"),
                       [tensor_info("X", "FP32", ["N", 3])], [tensor_info("Y", "FP32", ["N", 2])],
                       "LinearRegressor(targets=2): Y = X W^T + b, [N, 2].")
    case("LinearRegressor", "LinearRegressor", 1, model, [tensor("X", "FP32", x)], [tensor("Y", "FP32", y)])


def normalizer(norm, datatype, x):
    # Row-wise (axis 1 of a 2-D input); the output is float whatever the input type.
    # MAX divides by the largest value (signed, not the largest magnitude), as the
    # specification's formula and ONNX Runtime do.
    xd = np.asarray(x, dtype=np.float64)
    if norm == "L1":
        d = np.abs(xd).sum(axis=1, keepdims=True)
    elif norm == "L2":
        d = np.sqrt((xd * xd).sum(axis=1, keepdims=True))
    else:
        d = xd.max(axis=1, keepdims=True)
    assert (d != 0).all()
    y = (xd / d).astype(np.float32)
    model = make_model("Normalizer", 1, node("Normalizer", ["X"], ["Y"], norm=norm),
                       [tensor_info("X", datatype, ["N", xd.shape[1]])], [tensor_info("Y", "FP32", ["N", xd.shape[1]])],
                       "Normalizer(norm=%s), %s input, float output." % (norm, datatype))
    case("Normalizer-" + norm, "Normalizer", 1, model, [tensor("X", datatype, x)], [tensor("Y", "FP32", y)])


def one_hot_encoder():
    # Output shape: the input's shape plus one axis of len(cats). 6 is no category: zeros=1 gives a zero row.
    cats = [2, 4, 8]
    x = np.array([[2, 8], [4, 4], [6, 2]], dtype=np.int64)
    y = np.zeros(x.shape + (len(cats),), dtype=np.float32)
    for pos in np.ndindex(x.shape):
        if x[pos] in cats:
            y[pos + (cats.index(int(x[pos])),)] = 1.0
    model = make_model("OneHotEncoder", 1, node("OneHotEncoder", ["X"], ["Y"], cats_int64s=cats, zeros=1),
                       [tensor_info("X", "INT64", ["N", 2])], [tensor_info("Y", "FP32", ["N", 2, 3])],
                       "OneHotEncoder(cats_int64s=[2, 4, 8], zeros=1): [N, 2] int64 -> [N, 2, 3] float.")
    case("OneHotEncoder", "OneHotEncoder", 1, model, [tensor("X", "INT64", x)], [tensor("Y", "FP32", y)])


def rbf(x, sv, gamma):
    x = np.asarray(x, dtype=np.float64)
    sv = np.asarray(sv, dtype=np.float64)
    d2 = ((x[:, None, :] - sv[None, :, :]) ** 2).sum(axis=2)
    return np.exp(-np.float64(np.float32(gamma)) * d2)


def svm_classifier():
    # libsvm's one-vs-one SVC, RBF kernel, 3 classes, no prob_a/prob_b (so no pairwise-coupling
    # probabilities, whose iterative float32 solver is hard to reproduce to the last bits): the
    # second output, named scores here, holds the 3 pairwise decision values per row, in the
    # order (0,1), (0,2), (1,2), each sum(coef * K) + rho[p] (ONNX Runtime adds rho, as the
    # specification's reference does); a positive value is a vote for the first class of the
    # pair, and the label is the class with the most votes.
    labels = [4, 5, 6]
    gamma = 0.5
    vectors_per_class = [2, 1, 2]
    sv = f32([[0.0, 0.0], [0.5, 1.0],      # class 0
              [2.0, 2.0],                  # class 1
              [-1.0, 2.0], [-2.0, 1.0]])   # class 2
    # coefficients [n_classes - 1, n_vectors]: libsvm's sv_coef layout.
    coef = f32([[0.8, 0.6, -1.0, -0.7, -0.5],
                [0.4, 0.3, 0.9, -0.6, -0.8]])
    rho = f32([0.1, -0.2, 0.05])
    x = f32([[0.2, 0.3], [1.8, 1.9], [-1.5, 1.6], [0.6, 1.2]])
    k = rbf(x, sv, gamma)
    coef64 = coef.astype(np.float64)
    start = np.concatenate([[0], np.cumsum(vectors_per_class)[:-1]])
    n_cls = len(labels)
    scores, votes = [], np.zeros((len(x), n_cls), dtype=int)
    p = 0
    for i in range(n_cls - 1):
        for j in range(i + 1, n_cls):
            si, ni = start[i], vectors_per_class[i]
            sj, nj = start[j], vectors_per_class[j]
            s = (k[:, si:si + ni] @ coef64[j - 1, si:si + ni] + k[:, sj:sj + nj] @ coef64[i, sj:sj + nj]
                 + np.float64(rho[p]))
            assert np.abs(s).min() > 1e-3
            scores.append(s)
            votes[np.arange(len(x)), np.where(s > 0, i, j)] += 1
            p += 1
    scores = np.stack(scores, axis=1).astype(np.float32)
    top = np.sort(votes, axis=1)
    assert (top[:, -1] > top[:, -2]).all(), votes   # no tie in the vote
    label = np.array([labels[i] for i in votes.argmax(axis=1)], dtype=np.int64)
    assert len(set(label.tolist())) == 3, (scores, votes, label)
    model = make_model("SVMClassifier", 1,
                       node("SVMClassifier", ["X"], ["label", "scores"],
                            classlabels_ints=labels, coefficients=coef.ravel().tolist(),
                            kernel_params=[gamma, 0.0, 3.0], kernel_type="RBF", post_transform="NONE",
                            rho=rho.tolist(), support_vectors=sv.ravel().tolist(),
                            vectors_per_class=vectors_per_class),
                       [tensor_info("X", "FP32", ["N", 2])],
                       [tensor_info("label", "INT64", ["N"]), tensor_info("scores", "FP32", ["N", 3])],
                       "SVMClassifier, RBF kernel (gamma 0.5), 3 classes (labels 4, 5, 6), 5 support vectors, "
                       "no prob_a/prob_b: label by one-vs-one vote, second output = the 3 pairwise decision values.")
    case("SVMClassifier", "SVMClassifier", 1, model, [tensor("X", "FP32", x)],
         [tensor("label", "INT64", label), tensor("scores", "FP32", scores)])


def svm_regressor():
    gamma = 0.25
    sv = f32([[0.0, 1.0], [1.0, -1.0], [2.0, 0.5]])
    coef = f32([1.5, -0.75, 0.5])
    rho = f32([0.25])
    x = f32([[0.5, 0.5], [1.0, 0.0], [-1.0, 2.0]])
    y = (rbf(x, sv, gamma) @ coef.astype(np.float64) + np.float64(rho[0])).astype(np.float32)[:, None]
    model = make_model("SVMRegressor", 1,
                       node("SVMRegressor", ["X"], ["Y"], coefficients=coef.tolist(), kernel_params=[gamma, 0.0, 3.0],
                            kernel_type="RBF", n_supports=3, post_transform="NONE", rho=rho.tolist(),
                            support_vectors=sv.ravel().tolist()),
                       [tensor_info("X", "FP32", ["N", 2])], [tensor_info("Y", "FP32", ["N", 1])],
                       "SVMRegressor, RBF kernel (gamma 0.25), 3 support vectors: "
                       "Y = sum_i coef_i exp(-gamma |x - sv_i|^2) + rho, [N, 1].")
    case("SVMRegressor", "SVMRegressor", 1, model, [tensor("X", "FP32", x)], [tensor("Y", "FP32", y)])


def scaler():
    # double input: the output is float all the same.
    offset = f32([1.0, 2.0, 3.0])
    scale = f32([0.5, 2.0, -1.0])
    x = np.array([[3.0, 2.5, 1.0], [-1.0, 0.0, 4.5]], dtype=np.float64)
    y = ((x - offset.astype(np.float64)) * scale.astype(np.float64)).astype(np.float32)
    model = make_model("Scaler", 1, node("Scaler", ["X"], ["Y"], offset=offset.tolist(), scale=scale.tolist()),
                       [tensor_info("X", "FP64", ["N", 3])], [tensor_info("Y", "FP32", ["N", 3])],
                       "Scaler: Y = (X - offset) * scale per column, double in, float out.")
    case("Scaler", "Scaler", 1, model, [tensor("X", "FP64", x)], [tensor("Y", "FP32", y)])


def walk(tree, x):
    """tree: {node_id: ("LEAF", weights) | (mode, feature, threshold, true_id, false_id)}"""
    n = 0
    while tree[n][0] != "LEAF":
        mode, feat, th, t, f = tree[n]
        v, th = np.float32(x[feat]), np.float32(th)
        go = {"BRANCH_LEQ": v <= th, "BRANCH_LT": v < th, "BRANCH_GTE": v >= th, "BRANCH_GT": v > th}[mode]
        assert v != th  # keep clear of the boundary
        n = t if go else f
    return tree[n][1]


def tree_attributes(trees, prefix):
    a = {k: [] for k in ("nodes_treeids", "nodes_nodeids", "nodes_featureids", "nodes_modes", "nodes_values",
                         "nodes_truenodeids", "nodes_falsenodeids")}
    a.update({prefix + s: [] for s in ("_treeids", "_nodeids", "_ids", "_weights")})
    for tid, tree in enumerate(trees):
        for nid in sorted(tree):
            entry = tree[nid]
            a["nodes_treeids"].append(tid)
            a["nodes_nodeids"].append(nid)
            if entry[0] == "LEAF":
                a["nodes_featureids"].append(0)
                a["nodes_modes"].append("LEAF")
                a["nodes_values"].append(0.0)
                a["nodes_truenodeids"].append(0)
                a["nodes_falsenodeids"].append(0)
                for k, w in enumerate(entry[1]):
                    a[prefix + "_treeids"].append(tid)
                    a[prefix + "_nodeids"].append(nid)
                    a[prefix + "_ids"].append(k)
                    a[prefix + "_weights"].append(float(w))
            else:
                mode, feat, th, t, f = entry
                a["nodes_featureids"].append(feat)
                a["nodes_modes"].append(mode)
                a["nodes_values"].append(float(th))
                a["nodes_truenodeids"].append(t)
                a["nodes_falsenodeids"].append(f)
    return a


def tree_ensemble_classifier():
    # 3 classes (not 2: ONNX Runtime's binary case has rules of its own), every leaf
    # weighting all three classes, SUM over the trees, no base_values, post_transform NONE:
    # the second output is the summed weights, the label the class of the largest.
    labels = [1, 3, 5]
    trees = [
        {0: ("BRANCH_LEQ", 0, 0.5, 1, 2),
         1: ("LEAF", [0.4, 0.1, 0.0]),
         2: ("BRANCH_LEQ", 1, 1.0, 3, 4),
         3: ("LEAF", [0.1, 0.3, 0.1]),
         4: ("LEAF", [0.0, 0.1, 0.4])},
        {0: ("BRANCH_LT", 1, 0.0, 1, 2),
         1: ("LEAF", [0.3, 0.2, 0.0]),
         2: ("BRANCH_GT", 0, 1.5, 3, 4),
         3: ("LEAF", [0.0, 0.1, 0.4]),
         4: ("LEAF", [0.1, 0.3, 0.1])},
    ]
    x = f32([[0.0, -1.0], [1.0, 0.5], [2.0, 2.0], [1.0, 3.0], [3.0, -0.5]])
    scores = np.array([np.sum([f32(walk(t, r)).astype(np.float64) for t in trees], axis=0) for r in x])
    top2 = np.sort(scores, axis=1)[:, -2:]
    assert (top2[:, 1] - top2[:, 0]).min() > 1e-2
    label = np.array([labels[i] for i in scores.argmax(axis=1)], dtype=np.int64)
    a = tree_attributes(trees, "class")
    model = make_model("TreeEnsembleClassifier", 1,
                       node("TreeEnsembleClassifier", ["X"], ["label", "probabilities"],
                            classlabels_int64s=labels, post_transform="NONE", **a),
                       [tensor_info("X", "FP32", ["N", 2])],
                       [tensor_info("label", "INT64", ["N"]), tensor_info("probabilities", "FP32", ["N", 3])],
                       "TreeEnsembleClassifier: 2 handmade trees, 3 classes (labels 1, 3, 5), post_transform NONE.")
    case("TreeEnsembleClassifier", "TreeEnsembleClassifier", 1, model, [tensor("X", "FP32", x)],
         [tensor("label", "INT64", label), tensor("probabilities", "FP32", scores.astype(np.float32))])


def tree_ensemble_regressor():
    # 2 targets, aggregate SUM, base_values added once per target.
    trees = [
        {0: ("BRANCH_LEQ", 0, 1.0, 1, 2),
         1: ("LEAF", [1.0, -1.0]),
         2: ("LEAF", [2.0, 0.5])},
        {0: ("BRANCH_GTE", 1, 0.0, 1, 2),
         1: ("BRANCH_LEQ", 0, 2.5, 3, 4),
         2: ("LEAF", [-0.5, 1.5]),
         3: ("LEAF", [0.25, 0.75]),
         4: ("LEAF", [3.0, -2.0])},
    ]
    base = f32([0.5, -0.25])
    x = f32([[0.0, 1.0], [2.0, -1.0], [3.0, 0.5], [0.5, -2.0]])
    y = np.array([np.sum([f32(walk(t, r)).astype(np.float64) for t in trees], axis=0) + base for r in x])
    a = tree_attributes(trees, "target")
    model = make_model("TreeEnsembleRegressor", 1,
                       node("TreeEnsembleRegressor", ["X"], ["Y"], n_targets=2, aggregate_function="SUM",
                            base_values=base.tolist(), post_transform="NONE", **a),
                       [tensor_info("X", "FP32", ["N", 2])], [tensor_info("Y", "FP32", ["N", 2])],
                       "TreeEnsembleRegressor: 2 handmade trees, 2 targets, SUM, base_values [0.5, -0.25].")
    case("TreeEnsembleRegressor", "TreeEnsembleRegressor", 1, model, [tensor("X", "FP32", x)],
         [tensor("Y", "FP32", y.astype(np.float32))])


def zip_map():
    # seq(map(int64, float)): one map per row. ONNX Runtime's maps are ordered by key; the
    # labels are ascending, so that order is the attribute's order.
    labels = [2, 5, 9]
    x = f32([[0.25, 0.5, 0.25], [0.125, 0.0, 0.875]])
    t = onnx.TypeProto()
    t.sequence_type.elem_type.CopyFrom(map_type(TensorProto.INT64, TensorProto.FLOAT))
    model = make_model("ZipMap", 1, node("ZipMap", ["X"], ["Z"], classlabels_int64s=labels),
                       [tensor_info("X", "FP32", ["N", 3])], [helper.make_value_info("Z", t)],
                       "ZipMap(classlabels_int64s=[2, 5, 9]): [N, 3] -> seq of N maps {2: x0, 5: x1, 9: x2}.")
    case("ZipMap", "ZipMap", 1, model, [tensor("X", "FP32", x)], [seq_map_output("Z", "FP32", labels, x)])


# ---------------------------------------------------------------- writing

def dumps_case(c):
    """One key per line, one input or output per line."""
    lines = []
    for key, value in c.items():
        if key in ("inputs", "outputs"):
            body = "[\n" + ",\n".join("    " + json.dumps(v) for v in value) + "\n  ]"
        else:
            body = json.dumps(value)
        lines.append("  " + json.dumps(key) + ": " + body)
    return "{\n" + ",\n".join(lines) + "\n}\n"


def main():
    array_feature_extractor()
    binarizer()
    cast_map()
    category_mapper()
    dict_vectorizer()
    feature_vectorizer()
    imputer()
    label_encoder_string_int64()
    label_encoder_int64_string()
    linear_classifier()
    linear_regressor()
    normalizer("L1", "FP32", [[1.0, -2.0, 3.0, -4.0], [0.5, 0.5, 0.0, 1.0]])
    normalizer("L2", "FP32", [[3.0, -4.0, 0.0, 12.0], [1.0, 2.0, 2.0, -4.0]])
    normalizer("MAX", "FP64", [[1.0, -8.0, 4.0, 2.0], [0.5, 0.25, 2.0, -1.0]])
    one_hot_encoder()
    svm_classifier()
    svm_regressor()
    scaler()
    tree_ensemble_classifier()
    tree_ensemble_regressor()
    zip_map()

    if os.path.isdir(OUT):
        shutil.rmtree(OUT)
    for folder, model, c in CASES:
        d = os.path.join(OUT, folder)
        os.makedirs(d)
        path = os.path.join(d, "model.onnx")
        with open(path, "wb") as f:
            f.write(model.SerializeToString())
        onnx.checker.check_model(onnx.load(path))
        with open(os.path.join(d, "case.json"), "w", encoding="utf-8") as f:
            f.write(dumps_case(c))
        print("%-28s %-24s ml %d  %5d bytes" % (folder, c["op"], c["opset"], os.path.getsize(path)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
