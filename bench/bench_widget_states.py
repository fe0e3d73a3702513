"""The static site's widget states: what is stored (states and bytes per panel), and the
measurement behind the encoding (``lecturelib.widgets._states.ENCODING``): sizes of four
candidate formats at 1.5x and 2x on the default figure of three panels."""

from __future__ import annotations

import io

from PIL import Image

from lecturelib.widgets import _states


def stored() -> None:
    total_n = total_b = 0
    for name in _states.PANELS:
        index = _states.load_index(name)
        if index is None:
            print(f"{name:24s} missing")
            continue
        n, size = len(index["states"]), sum(s["bytes"] for s in index["states"])
        total_n, total_b = total_n + n, total_b + size
        print(f"{name:24s} {n:4d} states  {size / 2**20:5.1f} MiB  {size / n / 1024:4.0f} KiB each  {_states.status(name)}")
    print(f"{'in all':24s} {total_n:4d} states  {total_b / 2**20:5.1f} MiB")


def formats() -> None:
    for name in ("hermite_explorer", "flow_explorer", "concentration_explorer"):
        panel = _states._panel(name)
        for scale in (1.5, 2.0):
            buffer = io.BytesIO()
            panel.figure.savefig(buffer, format="png", dpi=panel.figure.dpi * scale, bbox_inches="tight")
            image = Image.open(io.BytesIO(buffer.getvalue())).convert("RGB")
            sizes = {"PNG 24-bit": len(buffer.getvalue())}
            for colors in (64, 256):
                q = image.quantize(colors=colors, method=Image.Quantize.MEDIANCUT, dither=Image.Dither.NONE)
                out = io.BytesIO()
                q.save(out, format="PNG", optimize=True)
                sizes[f"PNG {colors} colours"] = len(out.getvalue())
            out = io.BytesIO()
            image.save(out, format="WEBP", quality=80, method=6)
            sizes["WebP lossy q80"] = len(out.getvalue())
            out = io.BytesIO()
            q = image.quantize(colors=256, method=Image.Quantize.MEDIANCUT, dither=Image.Dither.NONE).convert("RGB")
            q.save(out, format="WEBP", lossless=True, method=6)
            sizes["WebP lossless, 256 colours (used)"] = len(out.getvalue())
            print(f"{name} at {scale}x ({image.width}x{image.height}): " +
                  ", ".join(f"{k} {v / 1024:.0f} KiB" for k, v in sizes.items()))


if __name__ == "__main__":
    stored()
    formats()
