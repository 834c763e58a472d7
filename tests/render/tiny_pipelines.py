"""Tiny randomly initialised diffusion pipelines, built from configs as diffusers' own tests
build theirs (``get_dummy_components``), saved with ``save_pretrained`` so the backends load
them through the same code path as a user's model folder. The pipelines and their
character-level tokenizers are put together by :mod:`render._diffusers_configs`.
"""

from __future__ import annotations

from pathlib import Path

from render._diffusers_configs import CHAR_VOCAB_SIZE, ltx_pipeline, sd_pipeline

__all__ = ["build_tiny_ltx", "build_tiny_sd"]


def build_tiny_sd(folder: Path) -> Path:
    """A 2-block Stable Diffusion pipeline (SD-Turbo's family) saved in ``folder``."""
    import torch
    from diffusers import AutoencoderKL, UNet2DConditionModel
    from transformers import CLIPTextConfig, CLIPTextModel

    torch.manual_seed(0)
    unet = UNet2DConditionModel(
        block_out_channels=(4, 8),
        layers_per_block=1,
        sample_size=16,
        in_channels=4,
        out_channels=4,
        down_block_types=("DownBlock2D", "CrossAttnDownBlock2D"),
        up_block_types=("CrossAttnUpBlock2D", "UpBlock2D"),
        cross_attention_dim=32,
        attention_head_dim=(2, 4),
        norm_num_groups=2,
    )
    torch.manual_seed(0)
    vae = AutoencoderKL(
        block_out_channels=(4, 8),
        in_channels=3,
        out_channels=3,
        down_block_types=("DownEncoderBlock2D", "DownEncoderBlock2D"),
        up_block_types=("UpDecoderBlock2D", "UpDecoderBlock2D"),
        latent_channels=4,
        norm_num_groups=2,
    )
    torch.manual_seed(0)
    text_encoder = CLIPTextModel(
        CLIPTextConfig(
            bos_token_id=3,
            eos_token_id=2,
            pad_token_id=0,
            hidden_size=32,
            intermediate_size=37,
            layer_norm_eps=1e-05,
            num_attention_heads=4,
            num_hidden_layers=2,
            vocab_size=CHAR_VOCAB_SIZE,
            max_position_embeddings=77,
        )
    )
    pipe = sd_pipeline(unet, vae, text_encoder)
    pipe.save_pretrained(folder)
    return folder


def build_tiny_ltx(folder: Path) -> Path:
    """A one-layer LTX-Video pipeline with a tiny T5 encoder, saved in ``folder``."""
    import torch
    from diffusers import (
        AutoencoderKLLTXVideo,
        FlowMatchEulerDiscreteScheduler,
        LTXVideoTransformer3DModel,
    )
    from transformers import T5Config, T5EncoderModel

    torch.manual_seed(0)
    transformer = LTXVideoTransformer3DModel(
        in_channels=8,
        out_channels=8,
        patch_size=1,
        patch_size_t=1,
        num_attention_heads=4,
        attention_head_dim=8,
        cross_attention_dim=32,
        num_layers=1,
        caption_channels=32,
    )
    torch.manual_seed(0)
    # diffusers' own test config leaves the decoder_* arguments at their (full-size) defaults
    vae = AutoencoderKLLTXVideo(
        latent_channels=8,
        block_out_channels=(8, 8, 8, 8),
        decoder_block_out_channels=(8, 8, 8, 8),
        spatio_temporal_scaling=(True, True, False, False),
        decoder_spatio_temporal_scaling=(True, True, False, False),
        layers_per_block=(1, 1, 1, 1, 1),
        decoder_layers_per_block=(1, 1, 1, 1, 1),
        decoder_inject_noise=(False, False, False, False, False),
        patch_size=1,
        patch_size_t=1,
        encoder_causal=True,
        decoder_causal=False,
    )
    vae.use_framewise_encoding = False
    vae.use_framewise_decoding = False
    torch.manual_seed(0)
    text_encoder = T5EncoderModel(
        T5Config(
            vocab_size=CHAR_VOCAB_SIZE,
            d_model=32,
            d_kv=8,
            d_ff=37,
            num_layers=2,
            num_heads=4,
            relative_attention_num_buckets=8,
            pad_token_id=0,
            eos_token_id=2,
            decoder_start_token_id=0,
        )
    )
    pipe = ltx_pipeline(transformer, vae, text_encoder, FlowMatchEulerDiscreteScheduler())
    pipe.save_pretrained(folder)
    return folder
