"""Diffusion pipelines put together from components built from configs, with random
weights and no download: the tests' tiny models and the GPU bench's full-size ones.

Tokenizers are ``tokenizers`` WordLevel models over single characters, wrapped in
``PreTrainedTokenizerFast``: they save and reload offline (transformers 5 ignores the vocab
files given to ``CLIPTokenizer(...)``), and different prompts give different token ids.
Tokenizing is never what a test checks or a bench times.

torch, diffusers and transformers are imported inside the functions.
"""

from __future__ import annotations

import string
from typing import Any

__all__ = ["CHAR_VOCAB_SIZE", "char_tokenizer", "ltx_pipeline", "sd_pipeline"]

_CHARS = string.ascii_lowercase + string.digits + " ,.-'\"()!?:;"
_SPECIALS = ("<pad>", "<unk>", "</s>", "<s>")
CHAR_VOCAB_SIZE = len(_SPECIALS) + len(_CHARS)
"""Token ids :func:`char_tokenizer` gives: ``<pad>`` 0, ``<unk>`` 1, ``</s>`` 2, ``<s>`` 3."""


def char_tokenizer(max_length: int) -> Any:
    """A character-level tokenizer: every prompt character is one token."""
    from tokenizers import Regex, Tokenizer, models, normalizers, pre_tokenizers
    from transformers import PreTrainedTokenizerFast

    vocab = {token: i for i, token in enumerate((*_SPECIALS, *_CHARS))}
    tok = Tokenizer(models.WordLevel(vocab=vocab, unk_token="<unk>"))
    tok.normalizer = normalizers.Lowercase()
    tok.pre_tokenizer = pre_tokenizers.Split(Regex("."), behavior="isolated")
    return PreTrainedTokenizerFast(
        tokenizer_object=tok,
        pad_token="<pad>",
        unk_token="<unk>",
        eos_token="</s>",
        bos_token="<s>",
        model_max_length=max_length,
    )


def sd_pipeline(unet: Any, vae: Any, text_encoder: Any) -> Any:
    """A Stable Diffusion pipeline of these components, with SD-Turbo's scheduler (trailing
    timesteps), a 77-token character tokenizer and no safety checker."""
    from diffusers import EulerDiscreteScheduler, StableDiffusionPipeline

    pipe = StableDiffusionPipeline(
        unet=unet.eval(),
        vae=vae.eval(),
        text_encoder=text_encoder.eval(),
        tokenizer=char_tokenizer(77),
        scheduler=EulerDiscreteScheduler(
            beta_start=0.00085,
            beta_end=0.012,
            beta_schedule="scaled_linear",
            timestep_spacing="trailing",
            steps_offset=1,
        ),
        safety_checker=None,
        feature_extractor=None,
        requires_safety_checker=False,
    )
    pipe.set_progress_bar_config(disable=True)
    return pipe


def ltx_pipeline(transformer: Any, vae: Any, text_encoder: Any, scheduler: Any) -> Any:
    """An LTX-Video pipeline of these components, with a 128-token character tokenizer."""
    from diffusers import LTXPipeline

    pipe = LTXPipeline(
        transformer=transformer.eval(),
        vae=vae.eval(),
        text_encoder=text_encoder.eval(),
        tokenizer=char_tokenizer(128),
        scheduler=scheduler,
    )
    pipe.set_progress_bar_config(disable=True)
    return pipe
