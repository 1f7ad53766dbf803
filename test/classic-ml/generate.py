#!/usr/bin/python3
"""Builds the classic-ML ONNX fixtures in test/classic-ml/models/.

Each model is trained with the real library (scikit-learn, xgboost) on a data set
scikit-learn ships, then written as an ONNX graph built with onnx.helper in the form
the converters write it (skl2onnx with its default options, ZipMap on; onnxmltools'
XGBoost converter as registered into skl2onnx). Next to each model.onnx goes
cases.json: twelve input rows and the outputs of the library's own predict and
predict_proba for them.

Before writing cases.json the script reads each saved model back and evaluates it
with a small numpy interpreter of the ai.onnx.ml operators used here (following
ONNX Runtime's semantics), and fails if that disagrees with the library.

Run:  /usr/bin/python3 test/classic-ml/generate.py
Needs Debian's python3-sklearn, python3-xgboost, python3-onnx (no onnxruntime,
skl2onnx or onnxmltools). Reruns give byte-identical files.
"""

import json
import os
import re
import sys

import numpy as np
import onnx
import sklearn
import xgboost
from onnx import TensorProto, helper, numpy_helper
from sklearn.compose import ColumnTransformer
from sklearn.datasets import load_breast_cancer, load_diabetes, load_iris, load_wine
from sklearn.ensemble import RandomForestClassifier
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import OneHotEncoder, StandardScaler

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, "models")

OPSET = 15          # default domain
ML_OPSET = 1        # ai.onnx.ml
IR_VERSION = 8
ML = "ai.onnx.ml"
ROWS = 12
SEED = 20240601

SKLEARN = "scikit-learn " + sklearn.__version__
XGBOOST = "xgboost " + xgboost.__version__


# ---------------------------------------------------------------- helpers

def f32(a):
    return np.asarray(a, dtype=np.float32)


def short_float(v):
    """The shortest decimal that reads back as the same float32, as a Python float."""
    s = np.format_float_positional(np.float32(v), unique=True, trim="-")
    r = float(s)
    assert np.float32(r) == np.float32(v)
    return r


def column_name(feature):
    return re.sub(r"[^0-9a-z]+", "_", feature.lower()).strip("_")


def seq_map_type(key_type):
    """seq(map(key_type, tensor(float))); onnx 1.12's helper has no make_map_type_proto."""
    map_type = onnx.TypeProto()
    map_type.map_type.key_type = key_type
    map_type.map_type.value_type.CopyFrom(helper.make_tensor_type_proto(TensorProto.FLOAT, None))
    return helper.make_sequence_type_proto(map_type)


def make_model(graph_name, nodes, inputs, outputs, initializers, doc):
    graph = helper.make_graph(nodes, graph_name, inputs, outputs, initializers)
    model = helper.make_model(
        graph,
        opset_imports=[helper.make_opsetid("", OPSET), helper.make_opsetid(ML, ML_OPSET)],
        producer_name="OpenMME test/classic-ml/generate.py",
        producer_version="1",
        domain="ai.onnx",
        model_version=0,
        doc_string=doc,
    )
    model.ir_version = IR_VERSION
    onnx.checker.check_model(model)
    return model


def zipmap_tail(label_in, proba_in, classes, nodes):
    """skl2onnx's SklearnZipMap converter: the label goes through Identity (string
    labels) or Cast to int64 (integer labels); probabilities through ZipMap."""
    if isinstance(classes[0], str):
        nodes.append(helper.make_node("Identity", [label_in], ["output_label"], name="Identity"))
        zip_attrs = {"classlabels_strings": list(classes)}
        key, label_type = TensorProto.STRING, TensorProto.STRING
    else:
        nodes.append(helper.make_node("Cast", [label_in], ["output_label"], name="Cast", to=TensorProto.INT64))
        zip_attrs = {"classlabels_int64s": [int(c) for c in classes]}
        key, label_type = TensorProto.INT64, TensorProto.INT64
    nodes.append(helper.make_node("ZipMap", [proba_in], ["output_probability"], name="ZipMap", domain=ML, **zip_attrs))
    return [helper.make_tensor_value_info("output_label", label_type, [None]),
            helper.make_value_info("output_probability", seq_map_type(key))]


def linear_classifier_nodes(lr, input_name, nodes):
    """skl2onnx's convert_sklearn_linear_classifier for a multinomial
    LogisticRegression with more than two classes: LinearClassifier with
    post_transform SOFTMAX and multi_class=1, then an L1 Normalizer (the converter
    adds it whenever multi_class > 0)."""
    classes = [c.item() if hasattr(c, "item") else c for c in lr.classes_]
    assert len(classes) > 2 and lr.solver == "lbfgs" and lr.multi_class in ("multinomial", "auto")
    attrs = {
        "coefficients": lr.coef_.flatten().astype(float).tolist(),
        "intercepts": lr.intercept_.astype(float).tolist(),
        "multi_class": 1,
        "post_transform": "SOFTMAX",
    }
    if isinstance(classes[0], str):
        attrs["classlabels_strings"] = [str(c) for c in classes]
    else:
        attrs["classlabels_ints"] = [int(c) for c in classes]
    nodes.append(helper.make_node("LinearClassifier", [input_name], ["label", "probability_tensor"],
                                  name="LinearClassifier", domain=ML, **attrs))
    nodes.append(helper.make_node("Normalizer", ["probability_tensor"], ["probabilities"],
                                  name="Normalizer", domain=ML, norm="L1"))
    return classes


def pick_rows(rng, y, classes, per_class=None):
    if classes is None:
        idx = rng.choice(len(y), ROWS, replace=False)
    else:
        idx = np.concatenate([rng.choice(np.flatnonzero(y == c), per_class, replace=False) for c in classes])
        idx = rng.permutation(idx)
    return [int(i) for i in idx]


# ---------------------------------------------------------------- numpy interpreter of the graphs

def _attrs(node):
    out = {}
    for a in node.attribute:
        v = helper.get_attribute_value(a)
        if isinstance(v, bytes):
            v = v.decode()
        elif isinstance(v, list) and v and isinstance(v[0], bytes):
            v = [s.decode() for s in v]
        out[a.name] = v
    return out


def _post(scores, transform):
    s = scores.astype(np.float64)
    if transform == "NONE":
        return s
    if transform == "LOGISTIC":
        return 1.0 / (1.0 + np.exp(-s))
    if transform == "SOFTMAX":
        e = np.exp(s - s.max(axis=1, keepdims=True))
        return e / e.sum(axis=1, keepdims=True)
    raise NotImplementedError(transform)


def _walk_trees(a, x):
    """Returns, for one row, the list of (treeid, leaf nodeid) reached."""
    tids = a["nodes_treeids"]
    nids = a["nodes_nodeids"]
    index = {(t, n): i for i, (t, n) in enumerate(zip(tids, nids))}
    children = {(t, c) for t, m, l, r in zip(tids, a["nodes_modes"], a["nodes_truenodeids"], a["nodes_falsenodeids"])
                if m != "LEAF" for c in (l, r)}
    roots = [k for k in index if k not in children]
    miss = a.get("nodes_missing_value_tracks_true", [0] * len(tids))
    thresholds = f32(a["nodes_values"])
    reached = []
    for t, n in sorted(roots):
        i = index[(t, n)]
        while a["nodes_modes"][i] != "LEAF":
            v = np.float32(x[a["nodes_featureids"][i]])
            th = thresholds[i]
            mode = a["nodes_modes"][i]
            if np.isnan(v):
                go = bool(miss[i])
            elif mode == "BRANCH_LEQ":
                go = v <= th
            elif mode == "BRANCH_LT":
                go = v < th
            elif mode == "BRANCH_GTE":
                go = v >= th
            elif mode == "BRANCH_GT":
                go = v > th
            elif mode == "BRANCH_EQ":
                go = v == th
            elif mode == "BRANCH_NEQ":
                go = v != th
            else:
                raise NotImplementedError(mode)
            nxt = a["nodes_truenodeids"][i] if go else a["nodes_falsenodeids"][i]
            i = index[(t, nxt)]
        reached.append((t, a["nodes_nodeids"][i]))
    return reached


def _leaf_weights(a, prefix):
    w = {}
    for t, n, k, v in zip(a[prefix + "_treeids"], a[prefix + "_nodeids"], a[prefix + "_ids"], a[prefix + "_weights"]):
        w.setdefault((t, n), []).append((k, float(np.float32(v))))
    return w


def _tree_classifier(a, X):
    labels = a.get("classlabels_strings") or a.get("classlabels_int64s")
    n_classes = len(labels)
    weights = _leaf_weights(a, "class")
    base = [float(np.float32(b)) for b in a.get("base_values", [])]
    used = sorted(set(a["class_ids"]))
    binary_one_column = n_classes == 2 and used == [0]
    out_labels, out_scores = [], []
    for x in X:
        s = np.zeros(n_classes)
        for leaf in _walk_trees(a, x):
            for k, v in weights[leaf]:
                s[k] += v
        if not binary_one_column:
            for k, b in enumerate(base):
                s[k] += b
            p = _post(s[None, :], a.get("post_transform", "NONE"))[0]
            out_labels.append(labels[int(np.argmax(s))])
            out_scores.append(p)
            continue
        # ONNX Runtime's binary case: one score column, two class labels.
        m = s[0] + (base[0] if base else 0.0)
        all_positive = all(v >= 0 for v in a["class_weights"])
        transform = a.get("post_transform", "NONE")
        if all_positive:
            label = labels[1] if m > 0.5 else labels[0]
            pair = np.array([[1.0 - m, m]])
        else:
            label = labels[1] if m > 0 else labels[0]
            pair = np.array([[-m, m]])
        if transform == "LOGISTIC" and not all_positive:
            p = 1.0 / (1.0 + np.exp(-pair[0]))
        elif transform in ("NONE", "LOGISTIC"):
            p = pair[0]  # ONNX Runtime writes [1 - s, s] untransformed when all weights are >= 0
        else:
            raise NotImplementedError(transform)
        out_labels.append(label)
        out_scores.append(p)
    return np.array(out_labels, dtype=object), np.array(out_scores, dtype=np.float32)


def _tree_regressor(a, X):
    n_targets = a["n_targets"]
    weights = _leaf_weights(a, "target")
    base = [float(np.float32(b)) for b in a.get("base_values", [])] or [0.0] * n_targets
    assert a.get("aggregate_function", "SUM") == "SUM"
    out = np.zeros((len(X), n_targets))
    for r, x in enumerate(X):
        for leaf in _walk_trees(a, x):
            for k, v in weights[leaf]:
                out[r, k] += v
        out[r] += base
    return _post(out, a.get("post_transform", "NONE")).astype(np.float32)


def run_graph(model, feeds):
    values = dict(feeds)
    for init in model.graph.initializer:
        values[init.name] = numpy_helper.to_array(init)
    for node in model.graph.node:
        a = _attrs(node)
        ins = [values[i] for i in node.input]
        op = node.op_type
        if op == "LinearClassifier":
            labels = a.get("classlabels_strings") or a.get("classlabels_ints")
            coef = f32(a["coefficients"]).astype(np.float64).reshape(len(labels), -1)
            scores = ins[0].astype(np.float64) @ coef.T + f32(a["intercepts"]).astype(np.float64)
            res = [np.array([labels[i] for i in scores.argmax(axis=1)], dtype=object),
                   _post(scores, a.get("post_transform", "NONE")).astype(np.float32)]
        elif op == "Normalizer":
            x = ins[0].astype(np.float64)
            norm = {"L1": np.abs(x).sum(axis=1, keepdims=True), "L2": np.sqrt((x * x).sum(axis=1, keepdims=True)),
                    "MAX": x.max(axis=1, keepdims=True)}[a["norm"]]
            res = [(x / norm).astype(np.float32)]
        elif op == "Identity":
            res = [ins[0]]
        elif op == "Cast":
            assert a["to"] == TensorProto.INT64
            res = [np.array([int(v) for v in ins[0]], dtype=np.int64)]
        elif op == "ZipMap":
            keys = a.get("classlabels_strings") or a.get("classlabels_int64s")
            res = [[dict(zip(keys, (float(v) for v in row))) for row in ins[0]]]
        elif op == "TreeEnsembleClassifier":
            res = list(_tree_classifier(a, ins[0]))
        elif op == "TreeEnsembleRegressor":
            res = [_tree_regressor(a, ins[0])]
        elif op == "Gather":
            res = [np.take(ins[0], ins[1], axis=a.get("axis", 0))]
        elif op == "OneHotEncoder":
            cats = a.get("cats_strings") or a.get("cats_int64s")
            x = ins[0]
            out = np.zeros(x.shape + (len(cats),), dtype=np.float32)
            for pos in np.ndindex(x.shape):
                v = x[pos]
                v = v.decode() if isinstance(v, bytes) else v
                if v in cats:
                    out[pos + (cats.index(v),)] = 1.0
                elif not a.get("zeros", 1):
                    raise ValueError("unknown category %r" % v)
            res = [out]
        elif op == "Reshape":
            shape = [d if d != 0 else ins[0].shape[i] for i, d in enumerate(ins[1].tolist())]
            res = [ins[0].reshape(shape)]
        elif op == "Concat":
            res = [np.concatenate(ins, axis=a["axis"])]
        elif op == "Scaler":
            res = [((ins[0].astype(np.float32) - f32(a["offset"])) * f32(a["scale"])).astype(np.float32)]
        else:
            raise NotImplementedError(op)
        for name, v in zip(node.output, res):
            values[name] = v
    return [values[o.name] for o in model.graph.output]


# ---------------------------------------------------------------- writing

def dumps_case(case):
    """JSON with one key per line and one row per line for the row-shaped arrays."""
    lines = []
    for key, value in case.items():
        if key in ("rows", "probabilities", "predictions"):
            body = "[\n" + ",\n".join("    " + json.dumps(r) for r in value) + "\n  ]"
        elif key == "inputs":
            body = "[\n" + ",\n".join("    " + json.dumps(i) for i in value) + "\n  ]"
        else:
            body = json.dumps(value)
        lines.append("  " + json.dumps(key) + ": " + body)
    return "{\n" + ",\n".join(lines) + "\n}\n"


SUMMARY = []


def save(name, model, case, check):
    folder = os.path.join(OUT, name)
    os.makedirs(folder, exist_ok=True)
    path = os.path.join(folder, "model.onnx")
    with open(path, "wb") as f:
        f.write(model.SerializeToString())
    loaded = onnx.load(path)
    onnx.checker.check_model(loaded)
    diff = check(loaded)
    if diff > case["tolerance"]:
        raise SystemExit("%s: numpy re-evaluation differs from the library by %g (tolerance %g)"
                         % (name, diff, case["tolerance"]))
    with open(os.path.join(folder, "cases.json"), "w", encoding="utf-8") as f:
        f.write(dumps_case(case))
    size = os.path.getsize(path)
    assert size < 200_000, (name, size)
    SUMMARY.append((name, size, os.path.getsize(os.path.join(folder, "cases.json")), diff))


def classifier_check(feeds_fn, labels, proba, classes):
    def check(model):
        out_label, out_proba = run_graph(model, feeds_fn())
        got_labels = [v.item() if hasattr(v, "item") else v for v in out_label]
        if got_labels != list(labels):
            raise SystemExit("labels differ: %r vs %r" % (got_labels, list(labels)))
        got = np.array([[row[c] for c in classes] for row in out_proba])
        assert [list(row.keys()) for row in out_proba] == [list(classes)] * len(out_proba)
        return float(np.abs(got - np.asarray(proba, dtype=np.float64)).max())
    return check


def classifier_case(library, tolerance, inputs, columns, rows, labels, classes, proba, outputs, description):
    return {
        "model": "model.onnx",
        "library": library,
        "kind": "classifier",
        "description": description,
        "tolerance": tolerance,
        "inputs": inputs,
        "outputs": outputs,
        "columns": columns,
        "rows": rows,
        "classes": classes,
        "labels": labels,
        "probabilities": [[float(p) for p in row] for row in proba],
    }


def classifier_outputs(classes):
    key = "string" if isinstance(classes[0], str) else "int64"
    return [{"name": "output_label", "datatype": "BYTES" if key == "string" else "INT64", "shape": [-1]},
            {"name": "output_probability", "type": "seq(map(%s,float))" % key}]


def tensor_input(name, X):
    return {"name": name, "datatype": "FP32", "shape": list(X.shape), "data": [short_float(v) for v in X.ravel()]}


def py(v):
    return v.item() if hasattr(v, "item") else v


# ---------------------------------------------------------------- 1, 2: logistic regression on iris

def logreg(name, string_labels):
    data = load_iris()
    X = f32(data.data)
    y = data.target_names[data.target] if string_labels else data.target.astype(np.int64)
    lr = LogisticRegression(multi_class="multinomial", solver="lbfgs", max_iter=5000, random_state=0)
    lr.fit(X, y)

    nodes = []
    classes = linear_classifier_nodes(lr, "float_input", nodes)
    outputs = zipmap_tail("label", "probabilities", classes, nodes)
    model = make_model("ONNX(LogisticRegression)", nodes,
                       [helper.make_tensor_value_info("float_input", TensorProto.FLOAT, [None, X.shape[1]])],
                       outputs, [],
                       "LogisticRegression (multinomial, lbfgs) on iris in skl2onnx's form: "
                       "LinearClassifier(SOFTMAX) -> Normalizer(L1) -> ZipMap.")

    rng = np.random.RandomState(SEED)
    idx = pick_rows(rng, y, lr.classes_, 4)
    Xt = X[idx]
    labels = [py(v) for v in lr.predict(Xt)]
    proba = lr.predict_proba(Xt)
    columns = [column_name(f) for f in data.feature_names]
    case = classifier_case(SKLEARN, 1e-5, [tensor_input("float_input", Xt)], columns,
                           [[short_float(v) for v in r] for r in Xt], labels, classes, proba,
                           classifier_outputs(classes),
                           "LogisticRegression(multi_class='multinomial', solver='lbfgs') on iris, %s labels"
                           % ("string" if string_labels else "int64"))
    save(name, model, case, classifier_check(lambda: {"float_input": Xt}, labels, proba, classes))


# ---------------------------------------------------------------- 3: random forest on wine

def random_forest():
    data = load_wine()
    X = f32(data.data)
    y = np.array(["class_%d" % t for t in data.target])
    rf = RandomForestClassifier(n_estimators=10, max_depth=4, random_state=7, n_jobs=1)
    rf.fit(X, y)
    classes = [str(c) for c in rf.classes_]

    # skl2onnx's convert_sklearn_random_forest_classifier with common/tree_ensemble.py
    # (TreeEnsembleClassifier op_version 1, float input).
    a = {k: [] for k in ("nodes_treeids", "nodes_nodeids", "nodes_featureids", "nodes_modes", "nodes_values",
                         "nodes_truenodeids", "nodes_falsenodeids", "nodes_missing_value_tracks_true",
                         "nodes_hitrates", "class_treeids", "class_nodeids", "class_ids", "class_weights")}
    tree_weight = 1.0 / len(rf.estimators_)
    for tree_id, est in enumerate(rf.estimators_):
        tree = est.tree_
        for i in range(tree.node_count):
            leaf = not (tree.children_left[i] > i or tree.children_right[i] > i)
            a["nodes_treeids"].append(tree_id)
            a["nodes_nodeids"].append(i)
            if leaf:
                a["nodes_featureids"].append(0)
                a["nodes_modes"].append("LEAF")
                a["nodes_values"].append(0.0)
                a["nodes_truenodeids"].append(0)
                a["nodes_falsenodeids"].append(0)
            else:
                a["nodes_featureids"].append(int(tree.feature[i]))
                a["nodes_modes"].append("BRANCH_LEQ")
                a["nodes_values"].append(sklearn_threshold_leq_float32(tree.threshold[i]))
                a["nodes_truenodeids"].append(int(tree.children_left[i]))
                a["nodes_falsenodeids"].append(int(tree.children_right[i]))
            a["nodes_missing_value_tracks_true"].append(0)
            a["nodes_hitrates"].append(1.0)
            if leaf:
                counts = tree.value[i].flatten()
                total = float(counts.sum())
                factor = tree_weight / (total if total != 0.0 else 1.0)
                for k, w in enumerate(counts):
                    a["class_treeids"].append(tree_id)
                    a["class_nodeids"].append(i)
                    a["class_ids"].append(k)
                    a["class_weights"].append(float(w) * factor)
    for k in ("nodes_values", "class_weights", "nodes_hitrates"):
        a[k] = f32(a[k]).ravel().tolist()
    a["post_transform"] = "NONE"
    a["classlabels_strings"] = classes

    nodes = [helper.make_node("TreeEnsembleClassifier", ["float_input"], ["label", "probabilities"],
                              name="TreeEnsembleClassifier", domain=ML, **a)]
    outputs = zipmap_tail("label", "probabilities", classes, nodes)
    model = make_model("ONNX(RandomForestClassifier)", nodes,
                       [helper.make_tensor_value_info("float_input", TensorProto.FLOAT, [None, X.shape[1]])],
                       outputs, [],
                       "RandomForestClassifier(n_estimators=10, max_depth=4) on wine in skl2onnx's form: "
                       "TreeEnsembleClassifier -> ZipMap.")

    rng = np.random.RandomState(SEED + 3)
    # Rows whose two best classes are within 1e-3 would make the label fragile under
    # float32 rounding: draw from the rest.
    p_all = rf.predict_proba(X)
    top2 = np.sort(p_all, axis=1)[:, -2:]
    clear = (top2[:, 1] - top2[:, 0]) > 1e-3
    yy = np.where(clear, y, "")
    idx = pick_rows(rng, yy, rf.classes_, 4)
    Xt = X[idx]
    labels = [str(v) for v in rf.predict(Xt)]
    proba = rf.predict_proba(Xt)
    columns = [column_name(f) for f in data.feature_names]
    case = classifier_case(SKLEARN, 1e-4, [tensor_input("float_input", Xt)], columns,
                           [[short_float(v) for v in r] for r in Xt], labels, classes, proba,
                           classifier_outputs(classes),
                           "RandomForestClassifier(n_estimators=10, max_depth=4) on wine, string labels")
    save("random-forest", model, case, classifier_check(lambda: {"float_input": Xt}, labels, proba, classes))


def sklearn_threshold_leq_float32(dy):
    """skl2onnx's common/tree_ensemble.py sklearn_threshold for BRANCH_LEQ and float32
    input: scikit-learn compares (float)x <= (double)threshold, so the float threshold
    is the largest float32 not above the double one."""
    fy = np.float32(dy)
    if fy == dy or fy < dy:
        return float(fy)
    eps = max(abs(fy), np.finfo(np.float32).eps) * 10
    return float(np.nextafter([fy], [fy - eps], dtype=np.float32)[0])


# ---------------------------------------------------------------- 4, 5: xgboost

def xgb_tree_attributes(booster, is_classifier):
    """onnxmltools' XGBConverter.fill_tree_attributes over get_dump(json): node ids
    renumbered in depth-first order, BRANCH_LT, missing direction from "missing"."""
    trees = [json.loads(s) for s in booster.get_dump(with_stats=True, dump_format="json")]
    keys = ["nodes_treeids", "nodes_nodeids", "nodes_featureids", "nodes_modes", "nodes_values",
            "nodes_truenodeids", "nodes_falsenodeids", "nodes_missing_value_tracks_true"]
    prefix = "class" if is_classifier else "target"
    keys += [prefix + s for s in ("_treeids", "_nodeids", "_ids", "_weights")]
    a = {k: [] for k in keys}

    def remap(node, m):
        m.setdefault(node["nodeid"], len(m))
        for ch in node.get("children", []):
            remap(ch, m)
        return m

    def fill(tree_id, node, m):
        nid = m[node["nodeid"]]
        a["nodes_treeids"].append(tree_id)
        a["nodes_nodeids"].append(nid)
        if "children" in node:
            if isinstance(node["split_condition"], list):
                raise NotImplementedError("categorical split")
            a["nodes_featureids"].append(int(node["split"][1:]))
            a["nodes_modes"].append("BRANCH_LT")
            a["nodes_values"].append(float(node["split_condition"]))
            a["nodes_truenodeids"].append(m[node["yes"]])
            a["nodes_falsenodeids"].append(m[node["no"]])
            a["nodes_missing_value_tracks_true"].append(int(node.get("missing", -1) == node["yes"]))
            for ch in node["children"]:
                fill(tree_id, ch, m)
        else:
            a["nodes_featureids"].append(0)
            a["nodes_modes"].append("LEAF")
            a["nodes_values"].append(0.0)
            a["nodes_truenodeids"].append(0)
            a["nodes_falsenodeids"].append(0)
            a["nodes_missing_value_tracks_true"].append(0)
            a[prefix + "_treeids"].append(tree_id)
            a[prefix + "_nodeids"].append(nid)
            a[prefix + "_ids"].append(0)
            a[prefix + "_weights"].append(float(node["leaf"]))

    for tree_id, tree in enumerate(trees):
        fill(tree_id, tree, remap(tree, {}))
    return a, trees


def xgb_base_score(booster):
    config = json.loads(booster.save_config())
    return [float(config["learner"]["learner_model_param"]["base_score"])]


def xgboost_binary():
    data = load_breast_cancer()
    X = f32(data.data)
    y = data.target.astype(np.int64)
    # base_score set to the class prior so the converter writes base_values
    # (it leaves them out for the default 0.5, whose logit is 0).
    clf = xgboost.XGBClassifier(n_estimators=20, max_depth=3, learning_rate=0.3, base_score=float(y.mean()),
                                random_state=0, n_jobs=1, tree_method="exact")
    clf.fit(X, y)
    booster = clf.get_booster()
    assert json.loads(booster.save_config())["learner"]["objective"]["name"] == "binary:logistic"

    a, trees = xgb_tree_attributes(booster, True)
    a["post_transform"] = "LOGISTIC"
    a["class_ids"] = [0 for _ in a["class_treeids"]]
    base_score = xgb_base_score(booster)
    if trees[0].get("leaf", None) == 0:
        a["base_values"] = base_score
    elif base_score[0] != 0.5:
        a["base_values"] = [float(-np.log(1 / np.float32(base_score[0]) - 1.0))]
    classes = [int(c) for c in clf.classes_]
    a["classlabels_int64s"] = classes
    assert any(w < 0 for w in a["class_weights"])  # ONNX Runtime then reads the one column as a margin

    nodes = [helper.make_node("TreeEnsembleClassifier", ["float_input"], ["label", "probabilities"],
                              name="TreeEnsembleClassifier", domain=ML, **a)]
    outputs = zipmap_tail("label", "probabilities", classes, nodes)
    model = make_model("ONNX(XGBClassifier)", nodes,
                       [helper.make_tensor_value_info("float_input", TensorProto.FLOAT, [None, X.shape[1]])],
                       outputs, [],
                       "xgboost XGBClassifier (binary:logistic) on breast_cancer in the form onnxmltools' "
                       "converter writes under skl2onnx: TreeEnsembleClassifier(LOGISTIC, one score column) "
                       "-> ZipMap.")

    rng = np.random.RandomState(SEED + 4)
    p_all = clf.predict_proba(X)[:, 1]
    yy = np.where(np.abs(p_all - 0.5) > 1e-3, y, -1)
    idx = pick_rows(rng, yy, clf.classes_, 6)
    Xt = X[idx]
    labels = [int(v) for v in clf.predict(Xt)]
    proba = [[short_float(p) for p in row] for row in clf.predict_proba(Xt)]
    columns = [column_name(f) for f in data.feature_names]
    case = classifier_case(XGBOOST, 1e-4, [tensor_input("float_input", Xt)], columns,
                           [[short_float(v) for v in r] for r in Xt], labels, classes, proba,
                           classifier_outputs(classes),
                           "xgboost.XGBClassifier(n_estimators=20, max_depth=3) on breast_cancer, int64 labels")
    save("xgboost-binary", model, case, classifier_check(lambda: {"float_input": Xt}, labels, proba, classes))


def xgboost_regressor():
    data = load_diabetes()
    X = f32(data.data)
    y = data.target.astype(np.float32)
    reg = xgboost.XGBRegressor(n_estimators=20, max_depth=3, learning_rate=0.3, random_state=0, n_jobs=1,
                               tree_method="exact")
    reg.fit(X, y)
    booster = reg.get_booster()
    assert json.loads(booster.save_config())["learner"]["objective"]["name"] == "reg:squarederror"

    a, _ = xgb_tree_attributes(booster, False)
    a["post_transform"] = "NONE"
    a["n_targets"] = 1
    a["base_values"] = xgb_base_score(booster)
    nodes = [helper.make_node("TreeEnsembleRegressor", ["float_input"], ["variable"],
                              name="TreeEnsembleRegressor", domain=ML, **a)]
    model = make_model("ONNX(XGBRegressor)", nodes,
                       [helper.make_tensor_value_info("float_input", TensorProto.FLOAT, [None, X.shape[1]])],
                       [helper.make_tensor_value_info("variable", TensorProto.FLOAT, [None, 1])], [],
                       "xgboost XGBRegressor (reg:squarederror) on diabetes in the form onnxmltools' converter "
                       "writes under skl2onnx: TreeEnsembleRegressor.")

    rng = np.random.RandomState(SEED + 5)
    idx = pick_rows(rng, y, None)
    Xt = X[idx]
    pred = reg.predict(Xt)
    predictions = [[short_float(v)] for v in pred]

    def check(model):
        (got,) = run_graph(model, {"float_input": Xt})
        assert got.shape == (ROWS, 1)
        return float(np.abs(got.astype(np.float64) - np.array(predictions)).max())

    case = {
        "model": "model.onnx",
        "library": XGBOOST,
        "kind": "regressor",
        "description": "xgboost.XGBRegressor(n_estimators=20, max_depth=3) on diabetes",
        # Absolute, on values up to ~300: one float32 ulp there is 3e-5, and summing
        # 20 leaves in a different order (ONNX Runtime vs xgboost) moves the last bits.
        "tolerance": 1e-3,
        "inputs": [tensor_input("float_input", Xt)],
        "outputs": [{"name": "variable", "datatype": "FP32", "shape": [-1, 1]}],
        "columns": [column_name(f) for f in data.feature_names],
        "rows": [[short_float(v) for v in r] for r in Xt],
        "predictions": predictions,
    }
    save("xgboost-regressor", model, case, check)


# ---------------------------------------------------------------- 6: pipeline with a string column

def pipeline_onehot():
    data = load_iris()
    X = f32(data.data)
    petal_length = X[:, 2]
    size = np.where(petal_length < 2.5, "small", np.where(petal_length < 5.0, "medium", "large"))
    names = ["size", "sepal_length", "sepal_width", "petal_width"]
    numeric = X[:, [0, 1, 3]]
    # What a DataFrame with these four columns holds; columns addressed by position
    # (python3-pandas is not needed). skl2onnx maps positions onto the per-column inputs.
    frame = np.empty((len(X), 4), dtype=object)
    frame[:, 0] = size
    frame[:, 1:] = numeric.astype(np.float64)
    y = data.target_names[data.target]

    pipe = Pipeline([
        ("preprocess", ColumnTransformer([
            ("cat", OneHotEncoder(handle_unknown="ignore"), [0]),
            ("num", StandardScaler(), [1, 2, 3]),
        ])),
        ("classifier", LogisticRegression(multi_class="multinomial", solver="lbfgs", max_iter=5000, random_state=0)),
    ])
    pipe.fit(frame, y)
    ct = pipe.named_steps["preprocess"]
    ohe = ct.named_transformers_["cat"]
    scaler = ct.named_transformers_["num"]
    lr = pipe.named_steps["classifier"]
    cats = [str(c) for c in ohe.categories_[0]]

    nodes = [
        # OneHotEncoder converter, single input: Gather the column, encode, reshape [N,1,C] -> [N,C].
        helper.make_node("Gather", ["size", "size0"], ["size01"], name="Gather", axis=1),
        helper.make_node("OneHotEncoder", ["size01"], ["size01out"], name="OneHotEncoder", domain=ML,
                         cats_strings=cats, zeros=1),
        helper.make_node("Reshape", ["size01out", "shape_tensor"], ["variable"], name="Reshape"),
        # ColumnTransformer merges the numeric columns before StandardScaler.
        helper.make_node("Concat", ["sepal_length", "sepal_width", "petal_width"], ["merged_columns"],
                         name="Concat", axis=1),
        helper.make_node("Scaler", ["merged_columns"], ["variable1"], name="Scaler", domain=ML,
                         offset=f32(scaler.mean_).tolist(), scale=f32(1.0 / scaler.scale_).tolist()),
        helper.make_node("Concat", ["variable", "variable1"], ["transformed_column"], name="Concat1", axis=1),
    ]
    initializers = [
        helper.make_tensor("size0", TensorProto.INT64, [1], [0]),
        helper.make_tensor("shape_tensor", TensorProto.INT64, [2], [-1, len(cats)]),
    ]
    classes = linear_classifier_nodes(lr, "transformed_column", nodes)
    outputs = zipmap_tail("label", "probabilities", classes, nodes)
    inputs = [helper.make_tensor_value_info("size", TensorProto.STRING, [None, 1])]
    inputs += [helper.make_tensor_value_info(n, TensorProto.FLOAT, [None, 1]) for n in names[1:]]
    model = make_model("ONNX(Pipeline)", nodes, inputs, outputs, initializers,
                       "Pipeline(ColumnTransformer(OneHotEncoder on 'size', StandardScaler on three numeric "
                       "columns), LogisticRegression) on iris in skl2onnx's form, one input per column.")

    rng = np.random.RandomState(SEED + 6)
    idx = pick_rows(rng, y, lr.classes_, 4)
    ft = frame[idx]
    labels = [str(v) for v in pipe.predict(ft)]
    proba = pipe.predict_proba(ft)
    numeric_t = numeric[idx]
    rows = [[str(ft[r, 0])] + [short_float(v) for v in numeric_t[r]] for r in range(len(idx))]
    case_inputs = [{"name": "size", "datatype": "BYTES", "shape": [len(idx), 1], "data": [str(s) for s in ft[:, 0]]}]
    case_inputs += [tensor_input(n, numeric_t[:, [j]]) for j, n in enumerate(names[1:])]
    case = classifier_case(SKLEARN, 1e-5, case_inputs, names, rows, labels, classes, proba,
                           classifier_outputs(classes),
                           "Pipeline(ColumnTransformer([OneHotEncoder(handle_unknown='ignore') on size, "
                           "StandardScaler on sepal_length, sepal_width, petal_width]), LogisticRegression) on iris; "
                           "size is petal length binned: <2.5 small, <5.0 medium, else large")

    def feeds():
        f = {"size": ft[:, [0]].astype(object)}
        for j, n in enumerate(names[1:]):
            f[n] = numeric_t[:, [j]]
        return f

    save("pipeline-onehot", model, case, classifier_check(feeds, labels, proba, classes))


def main():
    os.makedirs(OUT, exist_ok=True)
    logreg("logreg-strings", True)
    logreg("logreg-ints", False)
    random_forest()
    xgboost_binary()
    xgboost_regressor()
    pipeline_onehot()
    print("%-18s %10s %10s  %s" % ("model", "onnx bytes", "json bytes", "max |numpy re-eval - library|"))
    for name, size, jsize, diff in SUMMARY:
        print("%-18s %10d %10d  %.3g" % (name, size, jsize, diff))
    return 0


if __name__ == "__main__":
    sys.exit(main())
