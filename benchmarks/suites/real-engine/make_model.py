"""Write a tiny llama-architecture GGUF with random weights and a tokenizer built into it.

No download: the weights come from a seeded numpy generator and the vocabulary is made here, so
llama.cpp loads it like any other model. Its output is nonsense, but its latency is real work:
prefill grows with the input length and decode with the output length.

The tokenizer is a SentencePiece-style ("llama") vocabulary: the usual <unk>/<s>/</s>, ChatML's
<|im_start|>/<|im_end|>, the 256 byte-fallback tokens, printable ASCII characters, and every
prefix of a few hundred English words (with and without the leading "▁"), so that llama.cpp's
SPM merges end on whole words. llmprof's filler words are in it, so a prompt that llmprof builds
for N tokens of o200k_base counts close to N here too (the random hex nonce costs more).

The weights are random, with two deliberate choices:
  * the output rows of the special and byte tokens are zero, so with the default top-k/min-p
    sampling the model emits words, not broken UTF-8 (the byte tokens would otherwise be ~1/8 of
    what it says);
  * one residual dimension carries a constant that only the EOS token (<|im_end|>) reads, so the
    model stops on its own now and then (``--eos-weight``; the default 5.1 gives EOS about 3% a
    step with llama.cpp's default sampling, so an unforced 64-token answer ends early ~90% of the
    time): a client has to force the output length to get exactly max_tokens, as with a real
    chat model.

    python make_model.py OUT.gguf [--seed 0] [--layers 4] [--hidden 256] ...
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np

try:
    import gguf
except ImportError:  # pragma: no cover - run it with the engine's venv
    sys.exit("make_model.py needs the gguf package: run it with the venv that setup.sh made")

# ChatML, byte for byte as llama-cpp-python and llama.cpp know it.
CHAT_TEMPLATE = (
    "{% for message in messages %}{{'<|im_start|>' + message['role'] + '\\n' + message['content'] + "
    "'<|im_end|>' + '\\n'}}{% endfor %}{% if add_generation_prompt %}{{ '<|im_start|>assistant\\n' }}{% endif %}"
)

SPECIALS = ["<unk>", "<s>", "</s>", "<|im_start|>", "<|im_end|>"]
UNK, BOS, EOS_S, IM_START, IM_END = range(len(SPECIALS))

# llmprof's filler words (llmprof/bench/plan.py) and the words of the chat framing come first.
_WORD_TEXT = """
the model answers each question with care and time while users wait for tokens to arrive from a
server that measures latency across many requests under load in production today because cost speed
matter when every call adds up over day of traffic Request request user assistant system
about above after again against all also always an another any are around as ask at away back be
been before being below between both but by came can change come could did different do does down
during early end even ever few find first follow found from get give go good great had has have he
help her here high him his home house how idea if important into is it its just keep kind know
large last late later learn leave left let life light like line little live long look made make man
may me might more most move much must my name near need never new next night no not now number of
off often old on once one only open or other our out own page part people place play point put
quite read real right room run said same saw say school see seem set she should show side since
small so some something sound start state still stop story study such take talk tell than their
them then there these they thing think this those though thought three through to together too took
tree try turn two under until up us use very walk want was water way we well went were what where
which who why will word work world would write year yes you young your data file code test build
run input output token prompt cache batch queue stream chunk event byte text number value result
error status retry limit rate price budget report table chart fast slow first second third last
"""
WORDS = _WORD_TEXT.split()


def vocabulary() -> tuple[list[str], list[float], list[int]]:
    tokens: list[str] = []
    scores: list[float] = []
    types: list[int] = []
    seen: set[str] = set()

    def add(text: str, score: float, kind: int) -> None:
        if text not in seen:
            seen.add(text)
            tokens.append(text)
            scores.append(score)
            types.append(kind)

    for name in SPECIALS:
        kind = gguf.TokenType.UNKNOWN if name == "<unk>" else gguf.TokenType.CONTROL
        add(name, 0.0, kind)
    for byte in range(256):
        add(f"<0x{byte:02X}>", 0.0, gguf.TokenType.BYTE)
    add("▁", -1.0, gguf.TokenType.NORMAL)
    for code in range(0x21, 0x7F):
        add(chr(code), -1.0, gguf.TokenType.NORMAL)
    # Every prefix, so SPM's pairwise merges can climb to the whole word; longer scores higher.
    for word in dict.fromkeys(WORDS):
        for piece in (word, "▁" + word):
            for end in range(2, len(piece) + 1):
                add(piece[:end], float(end), gguf.TokenType.NORMAL)
    return tokens, scores, types


def write(path: Path, args: argparse.Namespace) -> None:
    tokens, scores, types = vocabulary()
    n_vocab, n_embd, n_ff, n_head, n_layer = len(tokens), args.hidden, args.ff, args.heads, args.layers
    if n_embd % n_head:
        raise SystemExit("--hidden must be a multiple of --heads")
    rng = np.random.default_rng(args.seed)
    dtype = np.float16 if args.f16 else np.float32

    def normal(shape: tuple[int, ...], std: float) -> np.ndarray:
        return rng.normal(0.0, std, size=shape).astype(np.float32)

    tmp = path.with_name(path.name + ".tmp")
    writer = gguf.GGUFWriter(str(tmp), "llama")
    writer.add_name(f"llmprof-random-llama-{n_layer}x{n_embd}")
    writer.add_description(f"random weights (seed {args.seed}) for latency benchmarks; its output is nonsense")
    writer.add_context_length(args.ctx)
    writer.add_embedding_length(n_embd)
    writer.add_block_count(n_layer)
    writer.add_feed_forward_length(n_ff)
    writer.add_head_count(n_head)
    writer.add_head_count_kv(n_head)
    writer.add_rope_dimension_count(n_embd // n_head)
    writer.add_rope_freq_base(10000.0)
    writer.add_layer_norm_rms_eps(1e-5)
    writer.add_vocab_size(n_vocab)
    writer.add_file_type(gguf.LlamaFileType.MOSTLY_F16 if args.f16 else gguf.LlamaFileType.ALL_F32)

    writer.add_tokenizer_model("llama")
    writer.add_token_list(tokens)
    writer.add_token_scores(scores)
    writer.add_token_types(types)
    writer.add_bos_token_id(BOS)
    writer.add_eos_token_id(IM_END)
    writer.add_unk_token_id(UNK)
    writer.add_pad_token_id(UNK)
    writer.add_add_bos_token(True)
    writer.add_add_eos_token(False)
    writer.add_add_space_prefix(True)
    writer.add_chat_template(CHAT_TEMPLATE)

    # Dimension 0 of the residual stream is a constant that no layer writes to; only EOS reads it.
    embd = normal((n_vocab, n_embd), 1.0)
    embd[:, 0] = args.eos_carrier
    writer.add_tensor("token_embd.weight", embd.astype(dtype))
    for i in range(n_layer):
        out_std = 1.0 / np.sqrt(n_embd * n_layer)
        wo = normal((n_embd, n_embd), out_std)
        down = normal((n_embd, n_ff), 1.0 / np.sqrt(n_ff * n_layer))
        wo[0, :] = 0.0
        down[0, :] = 0.0
        writer.add_tensor(f"blk.{i}.attn_norm.weight", np.ones(n_embd, dtype=np.float32))
        for name in ("attn_q", "attn_k", "attn_v"):
            writer.add_tensor(f"blk.{i}.{name}.weight", normal((n_embd, n_embd), 1.0 / np.sqrt(n_embd)).astype(dtype))
        writer.add_tensor(f"blk.{i}.attn_output.weight", wo.astype(dtype))
        writer.add_tensor(f"blk.{i}.ffn_norm.weight", np.ones(n_embd, dtype=np.float32))
        writer.add_tensor(f"blk.{i}.ffn_gate.weight", normal((n_ff, n_embd), 1.0 / np.sqrt(n_embd)).astype(dtype))
        writer.add_tensor(f"blk.{i}.ffn_up.weight", normal((n_ff, n_embd), 1.0 / np.sqrt(n_embd)).astype(dtype))
        writer.add_tensor(f"blk.{i}.ffn_down.weight", down.astype(dtype))
    writer.add_tensor("output_norm.weight", np.ones(n_embd, dtype=np.float32))
    # Word logits: random, spread wide enough that top-k sampling picks among a few words.
    head = normal((n_vocab, n_embd), args.logit_std / np.sqrt(n_embd))
    head[:, 0] = 0.0
    head[: len(SPECIALS) + 256] = 0.0  # specials and bytes: never chosen by top-k
    head[IM_END, 0] = args.eos_weight  # EOS logit ~ eos_weight x the normalised carrier (~3.2)
    writer.add_tensor("output.weight", head.astype(dtype))

    writer.write_header_to_file()
    writer.write_kv_data_to_file()
    writer.write_tensors_to_file()
    writer.close()
    tmp.replace(path)
    params = n_vocab * n_embd * 2 + n_layer * (4 * n_embd * n_embd + 3 * n_embd * n_ff)
    print(
        f"wrote {path}: llama, {n_layer} layers, hidden {n_embd}, {n_head} heads, ffn {n_ff}, "
        f"vocab {n_vocab}, context {args.ctx}, {params / 1e6:.1f}M parameters, "
        f"{'f16' if args.f16 else 'f32'}, seed {args.seed}"
    )


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("out", type=Path)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--layers", type=int, default=4)
    parser.add_argument("--hidden", type=int, default=256)
    parser.add_argument("--heads", type=int, default=4)
    parser.add_argument("--ff", type=int, default=768)
    parser.add_argument("--ctx", type=int, default=4096)
    parser.add_argument("--f16", action="store_true", help="store the matrices as f16 (default f32)")
    parser.add_argument("--logit-std", type=float, default=6.0, help="spread of the word logits")
    parser.add_argument("--eos-carrier", type=float, default=4.0, help="the constant in residual dimension 0")
    parser.add_argument("--eos-weight", type=float, default=5.1, help="how strongly EOS reads the carrier")
    args = parser.parse_args(argv)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    write(args.out, args)


if __name__ == "__main__":
    main()
