"""
Run by `npm run setup:model` (src/cli/setup-model.ts): python expand-model.py <model_quantized.onnx> <out dir>

The installed ONNX file keeps its weights as int8 codes that the graph turns into fp32
(Cast -> Mul by a scale). onnxruntime folds those products into fp32 tensors every time a session
is created, and in the browser (onnxruntime-web) that folding plus the graph optimiser is most of a
returning visit's model load. This script does both once, here:

  expanded.onnx     the graph as onnxruntime's optimiser leaves it (level "extended": products
                    folded, LayerNorm/MatMul fusions), its large tensors in an external file
                    "expanded.weights" that is NOT shipped;
  expanded.pack     what that external file is made of, compactly: for each folded tensor its int8
                    codes and fp32 scales (the source file's own), other tensors raw;
  expanded.json     the index: where each tensor goes in expanded.weights, and that file's size and
                    sha256, so the page (src/embed/expanded.ts) rebuilds it byte for byte.

Every tensor is checked here to rebuild exactly (float32(code) * scale, as onnxruntime folds it).
"""
import hashlib
import json
import os
import sys

import numpy as np
import onnx
import onnxruntime as ort
from onnx import numpy_helper

WEIGHTS = 'expanded.weights'


def gather_first(model: onnx.ModelProto) -> int:
    """
    Cast(int8 codes) -> Mul(per-row scale) -> Gather(rows): the word embeddings (30522 x 384). Folded,
    they are 47 MB of fp32 of which a query reads a dozen rows; rewritten as Gather(codes) -> Cast ->
    Mul(Gather(scales)), the same products are made for the rows looked up only, at run time, and
    the codes stay int8 (11.7 MB) in the weights the page rebuilds. Returns how many were rewritten.
    """
    g = model.graph
    inits = {i.name: i for i in g.initializer}
    producer = {o: n for n in g.node for o in n.output}
    consumers = {}
    for n in g.node:
        for i in n.input:
            consumers.setdefault(i, []).append(n)
    rewritten = 0
    for gather in list(g.node):
        if gather.op_type != 'Gather' or any(a.name == 'axis' and a.i != 0 for a in gather.attribute):
            continue
        mul = producer.get(gather.input[0])
        if mul is None or mul.op_type != 'Mul' or len(consumers.get(mul.output[0], [])) != 1:
            continue
        cast = next((producer.get(x) for x in mul.input if producer.get(x) is not None and producer[x].op_type == 'Cast'), None)
        scale = next((x for x in mul.input if x in inits), None)
        if cast is None or scale is None or cast.input[0] not in inits or len(consumers.get(cast.output[0], [])) != 1:
            continue
        codes = inits[cast.input[0]]
        dims = list(inits[scale].dims)
        if codes.data_type != onnx.TensorProto.INT8 or len(codes.dims) != 2 or dims != [codes.dims[0], 1]:
            continue
        ids, out = gather.input[1], gather.output[0]
        base = gather.name or out
        new = [
            onnx.helper.make_node('Gather', [cast.input[0], ids], [f'{base}/codes'], name=f'{base}/gather_codes', axis=0),
            onnx.helper.make_node('Cast', [f'{base}/codes'], [f'{base}/codes_f'], name=f'{base}/cast', to=onnx.TensorProto.FLOAT),
            onnx.helper.make_node('Gather', [scale, ids], [f'{base}/scales'], name=f'{base}/gather_scales', axis=0),
            onnx.helper.make_node('Mul', [f'{base}/codes_f', f'{base}/scales'], [out], name=f'{base}/mul'),
        ]
        g.node.remove(mul)
        g.node.remove(cast)
        at = list(g.node).index(gather)
        g.node.remove(gather)
        for k, n in enumerate(new):
            g.node.insert(at + k, n)
        rewritten += 1
    return rewritten


def main(src: str, out: str) -> None:
    os.makedirs(out, exist_ok=True)
    graph_path = os.path.join(out, 'expanded.onnx')
    weights_path = os.path.join(out, WEIGHTS)
    rewritten_model = onnx.load(src)
    gathered = gather_first(rewritten_model)
    onnx.checker.check_model(rewritten_model)
    rewritten_path = os.path.join(out, 'expanded-source.onnx')
    onnx.save(rewritten_model, rewritten_path)
    so = ort.SessionOptions()
    so.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_EXTENDED
    so.optimized_model_filepath = graph_path
    so.add_session_config_entry('session.optimized_model_external_initializers_file_name', WEIGHTS)
    so.add_session_config_entry('session.optimized_model_external_initializers_min_size_in_bytes', '4096')
    ort.InferenceSession(rewritten_path, so, providers=['CPUExecutionProvider'])
    os.remove(rewritten_path)

    # int8 codes and their scales in the source: Cast(codes) -> Mul(scale)
    source = onnx.load(src)
    inits = {i.name: numpy_helper.to_array(i) for i in source.graph.initializer}
    products = {}
    for node in source.graph.node:
        if node.op_type != 'Cast' or node.input[0] not in inits or inits[node.input[0]].dtype != np.int8:
            continue
        codes = inits[node.input[0]]
        for user in source.graph.node:
            if user.op_type != 'Mul' or node.output[0] not in user.input:
                continue
            other = [x for x in user.input if x != node.output[0]]
            if len(other) != 1 or other[0] not in inits:
                continue
            scale = inits[other[0]].astype(np.float32)
            folded = (codes.astype(np.float32) * scale).astype(np.float32)
            products[hashlib.sha256(folded.tobytes()).hexdigest()] = (codes, scale)

    blob = open(weights_path, 'rb').read()
    graph = onnx.load(graph_path, load_external_data=False)
    pack = bytearray()
    segments = []

    def put(data: bytes) -> int:
        while len(pack) % 4:
            pack.append(0)
        at = len(pack)
        pack.extend(data)
        return at

    for t in graph.graph.initializer:
        if t.data_location != onnx.TensorProto.EXTERNAL:
            continue
        info = {e.key: e.value for e in t.external_data}
        if info.get('location') != WEIGHTS:
            raise SystemExit(f'{t.name}: external data in {info.get("location")}, expected {WEIGHTS}')
        at, length = int(info.get('offset', 0)), int(info['length'])
        part = blob[at:at + length]
        found = products.get(hashlib.sha256(part).hexdigest())
        if found is None or t.data_type != onnx.TensorProto.FLOAT:
            segments.append({'name': t.name, 'at': at, 'length': length, 'kind': 'raw', 'data': put(part)})
            continue
        codes, scale = found
        n = codes.size
        if scale.size == 1:
            div, mod = 1, 1
        elif codes.ndim == 2 and scale.shape == (codes.shape[0], 1):
            div, mod = codes.shape[1], codes.shape[0]
        elif scale.size == codes.shape[-1] and scale.shape[-1] == codes.shape[-1]:
            div, mod = 1, codes.shape[-1]
        else:
            raise SystemExit(f'{t.name}: scale shape {scale.shape} for codes {codes.shape} not handled')
        flat_codes = codes.reshape(-1)
        flat_scales = scale.reshape(-1).astype('<f4')
        index = (np.arange(n) // div) % mod
        rebuilt = (flat_codes.astype(np.float32) * flat_scales[index]).astype('<f4').tobytes()
        if rebuilt != part:
            raise SystemExit(f'{t.name}: codes x scales do not rebuild the folded tensor')
        segments.append({
            'name': t.name, 'at': at, 'length': length, 'kind': 'q8',
            'codes': put(flat_codes.astype(np.int8).tobytes()), 'count': n,
            'scales': put(flat_scales.tobytes()), 'scaleCount': int(flat_scales.size), 'div': int(div),
        })

    pack_bytes = bytes(pack)
    open(os.path.join(out, 'expanded.pack'), 'wb').write(pack_bytes)
    index = {
        'format': 'paperscope-expanded/1',
        'source': {'sha256': hashlib.sha256(open(src, 'rb').read()).hexdigest()},
        'onnxruntime': ort.__version__,
        'graph': 'expanded.onnx',
        'weights': {'path': WEIGHTS, 'bytes': len(blob), 'sha256': hashlib.sha256(blob).hexdigest()},
        'pack': {'path': 'expanded.pack', 'bytes': len(pack_bytes), 'sha256': hashlib.sha256(pack_bytes).hexdigest()},
        'segments': segments,
    }
    with open(os.path.join(out, 'expanded.json'), 'w') as f:
        json.dump(index, f, indent=1)
        f.write('\n')
    os.remove(weights_path)
    q8 = sum(1 for s in segments if s['kind'] == 'q8')
    print(f'expanded: {gathered} embedding table(s) looked up before dequantising; {q8} tensors as int8 codes, {len(segments) - q8} raw; pack {len(pack_bytes)} bytes, weights {len(blob)} bytes')


if __name__ == '__main__':
    main(sys.argv[1], sys.argv[2])
