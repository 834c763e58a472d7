"""Tiny randomly initialised diffusion pipelines, built from configs as diffusers' own tests
build theirs (``get_dummy_components``), saved with ``save_pretrained`` so the backends load
them through the same code path as a user's model folder. The pipelines and their
character-level tokenizers are put together by :mod:`render._diffusers_configs`.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from render._diffusers_configs import CHAR_VOCAB_SIZE, ltx_pipeline, sd_pipeline

__all__ = ["build_tiny_ip_adapter", "build_tiny_ltx", "build_tiny_sd"]


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


def build_tiny_ip_adapter(folder: Path, pipeline: Path) -> Path:
    """A random IP-Adapter for the tiny SD pipeline at ``pipeline``, saved in ``folder`` the
    way ``h94/IP-Adapter`` lays out its files: ``models/ip-adapter_tiny.bin`` beside
    ``models/image_encoder`` (a tiny CLIP vision model with projection).

    The weights are built as diffusers' own tests build theirs
    (``create_ip_adapter_state_dict``): the ``to_k_ip``/``to_v_ip`` key ids run 1, 3, 5...,
    counting the cross-attention processors only.
    """
    import torch
    from diffusers import UNet2DConditionModel
    from diffusers.models.embeddings import ImageProjection
    from transformers import CLIPVisionConfig, CLIPVisionModelWithProjection

    unet = UNet2DConditionModel.from_pretrained(pipeline, subfolder="unet")
    config = unet.config
    channels = list(config.block_out_channels)
    cross_dim = config.cross_attention_dim
    torch.manual_seed(0)
    attention: dict[str, Any] = {}
    cross = [name for name in unet.attn_processors if not name.endswith("attn1.processor")]
    for index, name in enumerate(cross):
        if name.startswith("mid_block"):
            hidden = channels[-1]
        elif name.startswith("up_blocks"):
            hidden = list(reversed(channels))[int(name.split(".")[1])]
        else:
            hidden = channels[int(name.split(".")[1])]
        key = 2 * index + 1
        attention[f"{key}.to_k_ip.weight"] = torch.randn(hidden, cross_dim)
        attention[f"{key}.to_v_ip.weight"] = torch.randn(hidden, cross_dim)
    embed_dim = 32
    projection = ImageProjection(
        cross_attention_dim=cross_dim, image_embed_dim=embed_dim, num_image_text_embeds=4
    ).state_dict()
    image_proj = {k.replace("image_embeds", "proj"): v for k, v in projection.items()}
    models = folder / "models"
    models.mkdir(parents=True)
    torch.save({"image_proj": image_proj, "ip_adapter": attention}, models / "ip-adapter_tiny.bin")
    torch.manual_seed(0)
    encoder = CLIPVisionModelWithProjection(
        CLIPVisionConfig(
            hidden_size=32,
            projection_dim=embed_dim,
            num_hidden_layers=2,
            num_attention_heads=4,
            intermediate_size=37,
            image_size=32,
            patch_size=8,
        )
    ).eval()
    encoder.save_pretrained(models / "image_encoder")
    return folder
