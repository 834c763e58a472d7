"""GPU render speed: the diffusers backends against the plain diffusers pipeline in a loop.

Run: ``python bench/gpu_render.py [--shots N] [--clips N] [--compile]`` on a machine with
CUDA, or ``python bench/gpu_render.py --tiny`` anywhere (tiny random models: a smoke check
of this script, not a measurement).

No machine here can download weights, so the default models' full-size architectures
(SD-Turbo: the SD 2.1 UNet, VAE and OpenCLIP-H text encoder; LTX-Video 0.9: the 28-layer
transformer, its video VAE and the T5-XXL encoder) are built from their configs, written
below, with random weights. Speed and memory do not depend on the weights' values, so
the figures are real; the pictures are noise.

* stills: shots per second for ``render_plan`` with ``diffusers-image`` (batches from free
  memory, channels_last, VAE slicing, the cache, PNG and provenance writing) against
  ``pipe(prompt)`` called once per shot on the same model, steps and resolution;
* clips: seconds of video made per wall second, ``diffusers-video`` against a loop of
  ``pipe(prompt)``;
* each with the ratio (goal: >= 1.0), the device name and the peak GPU memory, and the
  stills figure scaled to a 120-page feature (~1,500 shots; goal: under 10 minutes).
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

FEATURE_SHOTS = 1500
NOTE = (
    "weights are random (built from the models' configs, no download): speed and memory "
    "are real, pictures are noise"
)


def sd_turbo_pipeline(device: str, dtype: Any) -> Any:
    """SD-Turbo's architecture (stabilityai/sd-turbo configs) with random weights."""
    import torch
    from diffusers import AutoencoderKL, UNet2DConditionModel
    from transformers import CLIPTextConfig, CLIPTextModel

    from render._diffusers_configs import sd_pipeline

    with torch.device(device):
        unet = UNet2DConditionModel(
            sample_size=64,
            cross_attention_dim=1024,
            attention_head_dim=(5, 10, 20, 20),
            use_linear_projection=True,
        )
        vae = AutoencoderKL(
            down_block_types=("DownEncoderBlock2D",) * 4,
            up_block_types=("UpDecoderBlock2D",) * 4,
            block_out_channels=(128, 256, 512, 512),
            layers_per_block=2,
            latent_channels=4,
            sample_size=768,
        )
        text_encoder = CLIPTextModel(
            CLIPTextConfig(
                vocab_size=49408,
                hidden_size=1024,
                intermediate_size=4096,
                num_hidden_layers=23,
                num_attention_heads=16,
                max_position_embeddings=77,
                hidden_act="gelu",
                projection_dim=512,
            )
        )
    return sd_pipeline(unet, vae, text_encoder).to(device, dtype)


def ltx_video_pipeline(device: str, dtype: Any) -> Any:
    """LTX-Video 0.9's architecture (Lightricks/LTX-Video configs) with random weights."""
    import torch
    from diffusers import (
        AutoencoderKLLTXVideo,
        FlowMatchEulerDiscreteScheduler,
        LTXVideoTransformer3DModel,
    )
    from transformers import T5Config, T5EncoderModel

    from render._diffusers_configs import ltx_pipeline

    with torch.device(device):
        transformer = LTXVideoTransformer3DModel().to(dtype)
        vae = AutoencoderKLLTXVideo().to(dtype)
        text_encoder = T5EncoderModel(
            T5Config(
                vocab_size=32128,
                d_model=4096,
                d_kv=64,
                d_ff=10240,
                num_layers=24,
                num_heads=64,
                feed_forward_proj="gated-gelu",
            )
        ).to(dtype)
    scheduler = FlowMatchEulerDiscreteScheduler(
        use_dynamic_shifting=True, base_shift=0.95, max_shift=2.05
    )
    return ltx_pipeline(transformer, vae, text_encoder, scheduler).to(device)


def tiny_pipelines(folder: Path) -> tuple[str, str]:
    """The tests' tiny SD and LTX pipelines, saved in ``folder`` (for ``--tiny``)."""
    from tests.render.tiny_pipelines import build_tiny_ltx, build_tiny_sd

    return str(build_tiny_sd(folder / "sd")), str(build_tiny_ltx(folder / "ltx"))


def _plan(shots: int, duration_s: float) -> Any:
    from shots.model import CharacterRef, PlannerInfo, Shot, ShotPlan, Style

    sizes = ("WS", "MS", "CU", "MCU", "FS")
    return ShotPlan(
        script_sha256="b" * 64,
        style=Style(name="bench", medium="cinematic film still"),
        characters=[CharacterRef(name="MARGOT", description="40s, oilskin coat", seed=1)],
        shots=[
            Shot(
                id=f"1-{i + 1:03d}",
                scene_id="sc001",
                scene_number="1",
                size=sizes[i % len(sizes)],
                duration_s=duration_s,
                subjects=["MARGOT"],
                prompt=f"cinematic film still, Margot on the lighthouse stairs, beat {i}",
                seed=1000 + i,
            )
            for i in range(shots)
        ],
        planner=PlannerInfo(name="bench"),
    )


def _timed(fn: Callable[[], object], sync: Callable[[], None]) -> float:
    sync()
    start = time.perf_counter()
    fn()
    sync()
    return time.perf_counter() - start


def bench_stills(pipe: Any, backend: Any, shots: int, long_side: int, sync: Any) -> dict:
    """Shots per second: the backend through the render stage, and the plain loop."""
    from render._diffusers_prompt import generators

    plan = _plan(shots, 3.0)
    width, height = plan.style.frame_size(long_side)
    gen_w, gen_h = backend._generation_size(width, height)

    def loop() -> None:
        for prompt in _prompts(plan, width, height):
            pipe(
                prompt=prompt.prompt,
                num_inference_steps=backend.steps,
                guidance_scale=backend.guidance,
                width=gen_w,
                height=gen_h,
                generator=generators([prompt.seed])[0],
            ).images[0]

    plain, mine = _race(
        lambda: pipe(prompt="warm up", num_inference_steps=1, width=gen_w, height=gen_h),
        loop,
        backend,
        (_plan(2, 3.0), plan),
        long_side,
        sync,
    )
    return {
        "shots": shots,
        "size": f"{width}x{height} (generated at {gen_w}x{gen_h})",
        "steps": backend.steps,
        "batch": backend.batch_limit(width, height),
        "plain_shots_per_s": shots / plain,
        "backend_shots_per_s": shots / mine,
        "ratio": plain / mine,
        "feature_minutes": FEATURE_SHOTS * mine / shots / 60,
    }


def bench_clips(
    pipe: Any, backend: Any, clips: int, seconds: float, size: tuple[int, int], sync: Any
) -> dict:
    """Seconds of video per wall second: the backend through the render stage, and the loop."""
    from render._diffusers_prompt import generators
    from render.diffusers_video import clip_frames

    plan = _plan(clips, seconds)
    width, height = size
    frames, _ = clip_frames(seconds, backend.fps, backend._temporal_step(), backend.max_frames)

    def loop() -> None:
        for prompt in _prompts(plan, width, height):
            pipe(
                prompt=prompt.prompt,
                negative_prompt=prompt.negative_prompt,
                width=width,
                height=height,
                num_frames=frames,
                frame_rate=backend.fps,
                num_inference_steps=backend.steps,
                guidance_scale=backend.guidance,
                generator=generators([prompt.seed])[0],
            ).frames[0]

    plain, mine = _race(
        lambda: pipe(prompt="warm up", width=64, height=64, num_frames=9, num_inference_steps=1),
        loop,
        backend,
        (_plan(1, 0.3), plan),
        width,
        sync,
    )
    made = clips * frames / backend.fps
    return {
        "clips": clips,
        "size": f"{width}x{height}, {frames} frames at {backend.fps} fps",
        "steps": backend.steps,
        "plain_video_s_per_s": made / plain,
        "backend_video_s_per_s": made / mine,
        "ratio": plain / mine,
    }


def _prompts(plan: Any, width: int, height: int) -> list[Any]:
    """What the backend asks the model for each shot (prompting is not timed)."""
    from render._diffusers_prompt import shot_prompt
    from render.base import RenderRequest

    return [
        shot_prompt(RenderRequest(shot=s, style=plan.style, width=width, height=height))
        for s in plan.shots
    ]


def _race(
    warm_plain: Callable[[], object],
    plain_loop: Callable[[], object],
    backend: Any,
    plans: tuple[Any, Any],
    long_side: int,
    sync: Callable[[], None],
) -> tuple[float, float]:
    """Seconds for the plain loop, then for ``render_plan`` with ``backend``, each after a
    small warm-up render (kernels, allocator, compilation): ``plans`` is (warm-up, timed).

    The plain loop runs first: the backend's speed settings change the shared pipeline in
    place.
    """
    from render.stage import render_plan

    def render(plan: Any, long_side: int) -> None:
        with tempfile.TemporaryDirectory() as out:
            render_plan(plan, backend, Path(out), long_side=long_side)

    warm_up, timed = plans
    warm_plain()
    plain = _timed(plain_loop, sync)
    render(warm_up, 64)
    return plain, _timed(lambda: render(timed, long_side), sync)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--shots", type=int, default=64, help="stills to render")
    parser.add_argument("--clips", type=int, default=3, help="clips to render")
    parser.add_argument("--clip-seconds", type=float, default=5.0)
    parser.add_argument("--long-side", type=int, default=1280)
    parser.add_argument("--compile", action="store_true", help="torch.compile the denoisers")
    parser.add_argument("--tiny", action="store_true", help="tiny random models, any device")
    parser.add_argument("--skip-video", action="store_true")
    args = parser.parse_args(argv)

    import torch

    from render._diffusers_load import DEFAULT_IMAGE_MODEL, DEFAULT_VIDEO_MODEL, KNOWN_MODELS
    from render.diffusers_image import DiffusersImageBackend
    from render.diffusers_video import DiffusersVideoBackend

    cuda = torch.cuda.is_available()
    if not cuda and not args.tiny:
        print("bench/gpu_render.py needs a CUDA GPU; none here. Nothing measured.")
        print("Run with --tiny for a smoke check of the script on tiny random models.")
        return 0
    device = "cuda" if cuda else "cpu"
    sync = torch.cuda.synchronize if cuda else (lambda: None)
    name = torch.cuda.get_device_name() if cuda else "CPU"
    print(f"device: {name}; torch {torch.__version__}; {NOTE}")

    if args.tiny:
        from diffusers import AutoPipelineForText2Image, DiffusionPipeline

        folder = Path(tempfile.mkdtemp(prefix="previz-bench-"))
        sd, ltx = tiny_pipelines(folder)
        image = DiffusersImageBackend.from_pretrained(sd, device=device, steps=2, batch_size=4)
        video = DiffusersVideoBackend.from_pretrained(ltx, device=device, steps=2, fps=8)
        image_pipe = AutoPipelineForText2Image.from_pretrained(sd).to(device)
        video_pipe = DiffusionPipeline.from_pretrained(ltx).to(device)
        for pipe in (image_pipe, video_pipe):
            pipe.set_progress_bar_config(disable=True)
        shots, clips, long_side, seconds = min(args.shots, 8), 1, 64, 1.0
        clip_size = (64, 32)
        print("tiny models: a smoke check of this script, not a measurement")
    else:
        image_pipe = sd_turbo_pipeline(device, torch.float16)
        image = _in_memory_backend(
            DiffusersImageBackend,
            image_pipe,
            DEFAULT_IMAGE_MODEL,
            device,
            args.compile,
            dtype="float16",
        )
        shots, clips, long_side, seconds = args.shots, args.clips, args.long_side, args.clip_seconds
        clip_size = (768, 512)  # LTX-Video's native size (the published figure's setting)

    if cuda:
        torch.cuda.reset_peak_memory_stats()
    stills = bench_stills(image_pipe, image, shots, long_side, sync)
    _report("stills (diffusers-image, SD-Turbo architecture)", stills, cuda)
    if args.skip_video:
        return 0
    if not args.tiny:
        del image, image_pipe, stills
        torch.cuda.empty_cache()
        video_pipe = ltx_video_pipeline(device, torch.bfloat16)
        video = _in_memory_backend(
            DiffusersVideoBackend,
            video_pipe,
            DEFAULT_VIDEO_MODEL,
            device,
            args.compile,
            dtype="bfloat16",
            fps=KNOWN_MODELS[DEFAULT_VIDEO_MODEL].fps,
        )
    if cuda:
        torch.cuda.reset_peak_memory_stats()
    result = bench_clips(video_pipe, video, clips, seconds, clip_size, sync)
    _report("clips (diffusers-video, LTX-Video architecture)", result, cuda)
    return 0


def _in_memory_backend(
    backend_class: Any, pipe: Any, model: str, device: str, compile: bool, **settings: Any
) -> Any:
    """A backend as ``from_pretrained`` makes it for ``model`` (the known model's steps,
    guidance and size), around the in-memory pipeline.

    A second copy of the pipeline would double the GPU memory, so the plain loop runs
    first, before the backend's speed settings change the pipeline in place.
    """
    from render._diffusers_load import KNOWN_MODELS, apply_speedups

    known = KNOWN_MODELS[model]

    def load() -> Any:
        apply_speedups(pipe, device, compile=compile)
        return pipe

    return backend_class(
        loader=load,
        model_id=f"{model} (random weights)",
        steps=known.steps,
        guidance=known.guidance,
        device=device,
        max_long_side=known.max_long_side,
        **settings,
    )


def _report(title: str, result: dict, cuda: bool) -> None:
    import torch

    print(f"\n{title}")
    for key, value in result.items():
        print(f"  {key}: {value:.3f}" if isinstance(value, float) else f"  {key}: {value}")
    if cuda:
        print(f"  peak GPU memory: {torch.cuda.max_memory_allocated() / 2**30:.1f} GiB")
    if "ratio" in result:
        verdict = "meets" if result["ratio"] >= 1.0 else "misses"
        print(f"  backend / plain loop: {result['ratio']:.2f}x ({verdict} the 1.0 goal)")


if __name__ == "__main__":
    raise SystemExit(main())
