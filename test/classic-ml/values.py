"""Writes small graphs whose outputs are ONNX sequences of tensors: one of same-shaped tensors
and one of tensors of different shapes. The tests compute what to expect from the inputs they
send. (No default-domain operator passes a bare map through; maps come out of ZipMap as
sequences, covered by operators.py.)

    /usr/bin/python3 test/classic-ml/values.py      (Debian: apt-get install python3-onnx)
"""
import os
from onnx import TensorProto, checker, helper, save

HERE = os.path.join(os.path.dirname(os.path.abspath(__file__)), "values")


def write(name, graph, opsets):
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid(d, v) for d, v in opsets],
                              producer_name="OpenMME test/classic-ml/values.py", ir_version=8)
    checker.check_model(model)
    folder = os.path.join(HERE, name)
    os.makedirs(folder, exist_ok=True)
    save(model, os.path.join(folder, "model.onnx"))


float_seq = helper.make_sequence_type_proto(helper.make_tensor_type_proto(TensorProto.FLOAT, None))

# X [N,2] -> seq(X, 2*X): two tensors of one shape.
write("sequence-stackable", helper.make_graph(
    [helper.make_node("Add", ["X", "X"], ["X2"]),
     helper.make_node("SequenceConstruct", ["X", "X2"], ["S"])],
    "sequence_stackable",
    [helper.make_tensor_value_info("X", TensorProto.FLOAT, [None, 2])],
    [helper.make_value_info("S", float_seq)]), [("", 15)])

# X [4,2] split along rows into [1,2] and [3,2].
write("sequence-ragged", helper.make_graph(
    [helper.make_node("SplitToSequence", ["X", "split"], ["S"], axis=0)],
    "sequence_ragged",
    [helper.make_tensor_value_info("X", TensorProto.FLOAT, [4, 2])],
    [helper.make_value_info("S", float_seq)],
    initializer=[helper.make_tensor("split", TensorProto.INT64, [2], [1, 3])]), [("", 15)])

print("wrote", sorted(os.listdir(HERE)))
