"""Rendered bodies: the generator's motion (`tests.synth`) worn by a rigged, coloured CC0 human
mesh and filmed by the generator's camera, so the camera coach can be tested on pixels with
exact truth. See `benchmarks/rendered.py` for the benchmark and `scripts/build-demo-clips.py`
for the demo clips of the web app.

    from benchmarks.rendering import render_clip
    result = render_clip(spec, seed, "out.mp4")

Needs the `render` extra (`make install` installs it) and EGL (Debian: libegl1 libegl-mesa0
libgl1-mesa-dri). Nothing is downloaded at run time.
"""

from .clip import RenderResult, render_clip, rendered_spec

__all__ = ["RenderResult", "render_clip", "rendered_spec"]
